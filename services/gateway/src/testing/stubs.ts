import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { WebSocketServer } from "ws";
import { loadConfig } from "../config.ts";
import { createGateway, type Gateway } from "../gateway.ts";

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Stub {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
}

/**
 * A stand-in for access-control-service's `/api/auth`: token `good` → 200 with identity headers, `admin` →
 * 200 as ADMIN, `inactive` → 403, anything else or none → 401. `mode` turns it into a broken service.
 */
export async function stubAccessControl(
  options: { mode?: "ok" | "error500" | "hang" | "allow-without-identity" } = {},
): Promise<Stub> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      if (req.url === "/api/auth/login") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ login: true, body }));
        return;
      }
      if (options.mode === "hang") return;
      if (options.mode === "error500") {
        res.writeHead(500).end("boom");
        return;
      }
      if (options.mode === "allow-without-identity") {
        res.writeHead(200).end();
        return;
      }
      const uri = String(req.headers["x-original-uri"] ?? "");
      const auth = req.headers.authorization ?? "";
      const token = auth.startsWith("Bearer ")
        ? auth.slice(7)
        : new URLSearchParams(uri.split("?")[1] ?? "").get("access-token");
      if (token === "good" || token === "admin") {
        res.writeHead(200, {
          "x-user-id": token === "good" ? "7" : "1",
          "x-user-name": token === "good" ? "alice" : "root",
          "x-user-email": "",
          "x-user-role": token === "good" ? "REGULAR" : "ADMIN",
        });
        res.end();
      } else if (token === "inactive") {
        res.writeHead(403, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "a user with role INACTIVE may not use agents" }));
      } else {
        res.writeHead(401, { "content-type": "application/json", "www-authenticate": "Bearer" });
        res.end(JSON.stringify({ error: "sign in first" }));
      }
    });
  });
  return { url: await listen(server), seen, close: closer(server) };
}

/**
 * A stand-in for agent-service: answers every request with what it received (method, url, headers, body),
 * and on `/api/agents/:id/react` accepts WebSockets that echo each frame with the caller's x-user-id;
 * `/api/agents/missing/react` refuses the upgrade with 404 as agent-service's own guard would.
 */
export async function stubAgentService(): Promise<Stub> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(entry);
      res.writeHead(req.url === "/api/agents/teapot" ? 418 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(entry));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: "" });
    if (req.url?.startsWith("/api/agents/missing/")) {
      socket.end(
        'HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 22\r\n\r\n{"error":"no such id"}',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (data) => ws.send(`${req.headers["x-user-id"]}:${data.toString()}`));
    });
  });
  const close = closer(server);
  return {
    url: await listen(server),
    seen,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await close();
    },
  };
}

/** A URL on which nothing listens (a stopped service). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await closer(server)();
  return url;
}

export async function startTestGateway(
  env: Record<string, string>,
): Promise<{ url: string; gateway: Gateway }> {
  const config = loadConfig({ HOST: "127.0.0.1", PORT: "0", ...env });
  const gateway = createGateway(config, { logger: pino({ level: "silent" }) });
  return { url: await gateway.listen(), gateway };
}
