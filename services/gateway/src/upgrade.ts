import { type ClientRequest, type IncomingMessage, request } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { downstreamHeaders, upstreamHeaders } from "./headers.ts";
import { jsonErrorBody, writeRawResponse } from "./respond.ts";
import { retryAfterFailure, type UpstreamPool } from "./upstream-pool.ts";

const MAX_REFUSAL_BODY = 64 * 1024;

/**
 * Proxies an authorized WebSocket upgrade to the upstream on a fresh connection and then pipes the two
 * sockets. If the upstream refuses the upgrade (its own guard: 401/403/404), that answer goes to the client.
 * A replica that cannot be reached is marked down and the next one is tried (each at most once): nothing
 * has been written to the client yet, so the handshake can go anywhere.
 */
export function forwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  pool: UpstreamPool,
  identity: Record<string, string>,
  log: Logger,
): void {
  const headers = upstreamHeaders(req.headers, req.socket.remoteAddress, identity);
  headers.connection = "Upgrade";
  headers.upgrade = req.headers.upgrade ?? "websocket";
  const replicas = pool.order();
  const closeBoth = () => {
    out.destroy();
    socket.destroy();
  };
  socket.on("error", closeBoth);
  socket.on("close", () => out.destroy());
  let out = attempt(0);

  function attempt(index: number): ClientRequest {
    const upstream = replicas[index]!;
    let answered = false;
    const next = request({
      host: upstream.url.hostname,
      port: upstream.url.port || 80,
      method: req.method,
      path: req.url,
      headers,
      agent: false,
    });

    next.on("upgrade", (answer, upstreamSocket, upstreamHead) => {
      answered = true;
      if (socket.destroyed) {
        upstreamSocket.destroy();
        return;
      }
      const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage ?? "Switching Protocols"}`];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
      }
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstreamSocket.write(head);
      upstreamSocket.setNoDelay(true);
      upstreamSocket.on("error", () => socket.destroy());
      upstreamSocket.on("close", () => socket.destroy());
      socket.on("close", () => upstreamSocket.destroy());
      upstreamSocket.pipe(socket);
      socket.pipe(upstreamSocket);
    });

    next.on("response", (answer) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      answer.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_REFUSAL_BODY) chunks.push(chunk);
      });
      answer.on("end", () => {
        const pass = downstreamHeaders(answer.headers) as Record<string, string | string[]>;
        delete pass["content-length"];
        writeRawResponse(socket, answer.statusCode ?? 502, pass, Buffer.concat(chunks));
      });
      answer.on("error", closeBoth);
    });

    next.on("error", (error: NodeJS.ErrnoException) => {
      if (socket.destroyed) return; // the client left first; nothing to answer, no sign the replica is down
      // a fresh connection each time (agent: false): a reset is never a stale keep-alive one
      const last = index + 1 >= replicas.length;
      const attempted = { answered, reusedSocket: false, repeatable: true, last };
      if (retryAfterFailure(pool, upstream, error, attempted, log)) {
        out = attempt(index + 1);
        return;
      }
      const { headers: h, body } = jsonErrorBody(`${upstream.name} is unavailable; try again shortly`);
      writeRawResponse(socket, 502, h, body);
    });
    next.end();
    return next;
  }
}
