import { type ClientRequest, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { downstreamHeaders, upstreamHeaders } from "./headers.ts";
import { sendJsonError } from "./respond.ts";
import { retryAfterFailure, type UpstreamPool } from "./upstream-pool.ts";

export interface BodyRules {
  /** Bodies larger than this (counted as they stream, for bodies without Content-Length) get 413. */
  maxBytes: number;
  /** A body that stalls this long is cut off with 408. */
  idleMs: number;
}

/**
 * Proxies one HTTP request to a replica of `pool`, streaming the body both ways. Client `x-user-*` headers
 * are dropped; `identity` (from the authorize answer) is the only source of them. A replica that cannot be
 * reached is marked down; a GET or HEAD without a body then tries the next replica (each at most once),
 * while any other request answers 502, because part of its body may already have gone to the first one.
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  pool: UpstreamPool,
  identity: Record<string, string>,
  log: Logger,
  body?: BodyRules,
): void {
  const repeatable = isRepeatable(req);
  const replicas = pool.order();
  const headers = upstreamHeaders(req.headers, req.socket.remoteAddress, identity);
  let abandoned = false; // the client left, or watchBody answered it: upstream errors no longer matter
  let out: ClientRequest;

  const attempt = (index: number) => {
    const upstream = replicas[index]!;
    let answered = false;
    out = request({
      host: upstream.url.hostname,
      port: upstream.url.port || 80,
      method: req.method,
      path: req.url,
      headers,
      agent: upstream.agent,
    });
    const current = out;
    current.on("response", (answer) => {
      answered = true;
      res.writeHead(answer.statusCode ?? 502, downstreamHeaders(answer.headers));
      answer.pipe(res);
      answer.on("error", () => res.destroy());
    });
    current.on("error", (error: NodeJS.ErrnoException) => {
      if (abandoned) return;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const last = index + 1 >= replicas.length;
      const attempted = { answered, reusedSocket: current.reusedSocket, repeatable, last };
      if (retryAfterFailure(pool, upstream, error, attempted, log)) return attempt(index + 1);
      sendJsonError(res, 502, `${upstream.name} is unavailable; try again shortly`);
    });
    if (repeatable) current.end();
  };

  attempt(0);
  const stopUpstream = () => {
    abandoned = true;
    req.unpipe(out);
    out.destroy();
  };
  // A client that goes away mid-request takes the upstream request with it.
  res.on("close", () => {
    if (!res.writableFinished) stopUpstream();
  });
  // A repeatable request has no body (isRepeatable): nothing to count or to wait for.
  if (body && !repeatable) watchBody(req, res, stopUpstream, body);
  if (repeatable) req.resume();
  else req.pipe(out!);
}

/** GET and HEAD without a body can be sent again to another replica: nothing of them is lost. */
function isRepeatable(req: IncomingMessage): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (req.headers["transfer-encoding"] !== undefined) return false;
  const length = req.headers["content-length"];
  return length === undefined || Number(length) === 0;
}

function watchBody(
  req: IncomingMessage,
  res: ServerResponse,
  stopUpstream: () => void,
  rules: BodyRules,
): void {
  let seen = 0;
  let refused = false;
  const cutOff = (status: number, message: string) => {
    stopUpstream();
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
