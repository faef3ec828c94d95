import { type Agent, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { downstreamHeaders, upstreamHeaders } from "./headers.ts";
import { sendJsonError } from "./respond.ts";

export interface Upstream {
  name: string;
  url: URL;
  agent: Agent;
}

/**
 * Proxies one HTTP request to an upstream, streaming the body both ways. Client `x-user-*` headers are
 * dropped; `identity` (from the authorize answer) is the only source of them.
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Upstream,
  identity: Record<string, string>,
  log: Logger,
): void {
  const out = request({
    host: upstream.url.hostname,
    port: upstream.url.port || 80,
    method: req.method,
    path: req.url,
    headers: upstreamHeaders(req.headers, req.socket.remoteAddress, identity),
    agent: upstream.agent,
  });
  out.on("response", (answer) => {
    res.writeHead(answer.statusCode ?? 502, downstreamHeaders(answer.headers));
    answer.pipe(res);
    answer.on("error", () => res.destroy());
  });
  out.on("error", (error) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    log.warn(
      { upstream: upstream.name, code: (error as NodeJS.ErrnoException).code },
      "upstream unreachable",
    );
    sendJsonError(res, 502, `${upstream.name} is unavailable; try again shortly`);
  });
  // A client that goes away mid-request takes the upstream request with it.
  res.on("close", () => {
    if (!res.writableFinished) out.destroy();
  });
  req.pipe(out);
}
