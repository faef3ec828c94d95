import {
  type Agent,
  type ClientRequest,
  type IncomingMessage,
  request,
  type ServerResponse,
} from "node:http";
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
export interface BodyRules {
  /** Bodies larger than this (counted as they stream, for bodies without Content-Length) get 413. */
  maxBytes: number;
  /** A body that stalls this long is cut off with 408. */
  idleMs: number;
}

export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Upstream,
  identity: Record<string, string>,
  log: Logger,
  body?: BodyRules,
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
  if (body) watchBody(req, res, out, body);
  req.pipe(out);
}

function watchBody(req: IncomingMessage, res: ServerResponse, out: ClientRequest, rules: BodyRules): void {
  let seen = 0;
  let refused = false;
  const cutOff = (status: number, message: string) => {
    req.unpipe(out);
    out.destroy();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJsonError(res, status, message, { connection: "close" });
    req.resume(); // read and drop the rest while the answer goes out; the socket closes after it
    setTimeout(() => req.socket.destroy(), 5_000).unref();
  };
  // On the request, not the socket: the HTTP server destroys a timed-out socket nobody listens for.
  req.setTimeout(rules.idleMs, () => {
    if (!req.complete) cutOff(408, "the request body stalled; send it without long pauses");
  });
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > rules.maxBytes && !refused) {
      refused = true;
      cutOff(413, `the request body is larger than the ${rules.maxBytes} bytes this route accepts`);
    }
  });
  req.on("end", () => req.socket.setTimeout(0));
}
