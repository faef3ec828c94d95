import type { IncomingMessage, ServerResponse } from "node:http";
import { PassThrough } from "node:stream";
import type { Logger } from "pino";
import type { Dispatcher } from "undici";
import { downstreamHeaders, upstreamHeaders } from "./headers.ts";
import { sendJsonError } from "./respond.ts";
import { onReusedConnection, retryAfterFailure, type UpstreamPool } from "./upstream-pool.ts";

export interface BodyRules {
  /** Bodies larger than this (counted as they stream, for bodies without Content-Length) get 413. */
  maxBytes: number;
  /** A body that stalls this long is cut off with 408. */
  idleMs: number;
}

/**
 * Proxies one HTTP request to a replica of `pool` with undici, streaming the body both ways. Client
 * `x-user-*` headers are dropped; `identity` (from the authorize answer) is the only source of them. A
 * replica that cannot be reached is marked down; a GET or HEAD without a body then tries the next replica
 * (each at most once), while any other request answers 502, because part of its body may already have gone
 * to the first one.
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
  // Node's server has already answered `Expect: 100-continue` itself; undici refuses to send the header.
  delete headers.expect;
  let abandoned = false; // the client left, or watchBody answered it: upstream errors no longer matter
  const abort = new AbortController();
  // The body goes through a stream of our own: undici destroys the body it was given when a request is
  // aborted, and destroying the client's request would reset the connection before a 413/408 reaches it.
  const upload = repeatable ? null : new PassThrough();

  const attempt = (index: number) => {
    const upstream = replicas[index]!;
    let answered = false;
    const options: Dispatcher.RequestOptions = {
      method: req.method as Dispatcher.HttpMethod,
      path: req.url ?? "/",
      headers: headers as Record<string, string | string[]>,
      body: upload,
      signal: abort.signal,
    };
    upstream.pool
      .stream(options, ({ statusCode, headers: answer }) => {
        answered = true;
        res.writeHead(statusCode, downstreamHeaders(answer));
        return res;
      })
      .catch((error: NodeJS.ErrnoException) => {
        if (abandoned) return;
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const last = index + 1 >= replicas.length;
        const attempted = { answered, reusedSocket: onReusedConnection(error), repeatable, last };
        if (retryAfterFailure(pool, upstream, error, attempted, log)) return attempt(index + 1);
        sendJsonError(res, 502, `${upstream.name} is unavailable; try again shortly`);
      });
  };

  const stopUpstream = () => {
    abandoned = true;
    if (upload) req.unpipe(upload);
    abort.abort();
  };
  // A client that goes away mid-request takes the upstream request with it.
  res.on("close", () => {
    if (!res.writableFinished) stopUpstream();
  });
  if (body) watchBody(req, res, stopUpstream, body);
  if (upload) req.pipe(upload);
  else req.resume();
  attempt(0);
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
