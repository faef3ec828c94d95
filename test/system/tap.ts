import { createServer, type IncomingHttpHeaders, request, type Server } from "node:http";
import { connect } from "node:net";

export interface TappedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  upgrade: boolean;
}

export interface Tap {
  url: string;
  /** Every request that reached agent-service through the gateway, in order. */
  seen: TappedRequest[];
  close(): Promise<void>;
}

/**
 * A test-only recording proxy between the gateway and agent-service: it forwards every request and
 * WebSocket upgrade unchanged and keeps the headers it saw, so a test can prove what the gateway sent on
 * (a client-sent x-user-id must never be among them) and that nothing got through while access control
 * was down.
 */
export async function startTap(port: number, target: { host: string; port: number }): Promise<Tap> {
  const seen: TappedRequest[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, upgrade: false });
    const out = request({ ...target, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  server.on("upgrade", (req, socket, head) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, upgrade: true });
    const upstream = connect(target.port, target.host, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const close = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on("error", close);
    socket.on("error", close);
    upstream.on("close", close);
    socket.on("close", close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
