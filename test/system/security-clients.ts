/**
 * Hostile clients for security.system.test.ts: hand-made tokens signed with the system's own secret (so a
 * refusal is about the token's shape, never a wrong key), raw HTTP over a socket (header bytes fetch will not
 * send: duplicates, bare line feeds, folding), a WebSocket opener that reports the refusal status or the
 * close code, and slow clients that never finish their request.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { type OutgoingHttpHeaders, request } from "node:http";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { createTicketSigner, keyFromSecret } from "@texera-agent/auth";
import type { ServerFrame } from "@texera-agent/protocol";
import WebSocket from "ws";

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** The secret scripts/start.ts generated into DATA_DIR (the harness reads it the same way). */
export function secretOf(dataDir: string): string {
  return readFileSync(join(dataDir, "jwt-secret"), "utf8").trim();
}

/** Compact JWS with any header and payload, HMAC-signed with the real key (sha256 or sha512). */
export function craftToken(
  secret: string,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  hash: "sha256" | "sha512" = "sha256",
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hash, keyFromSecret(secret)).update(input).digest("base64url")}`;
}

/** Claims that would pass if only the header or one claim were right. */
export function claimsFor(user: { id: number; name: string }, extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { sub: user.name, userId: user.id, role: "REGULAR", iat: now, exp: now + 3600, ...extra };
}

/** A ticket genuinely signed for the agent, but issued `ageSec` ago (so expired when over 30 + 5 s). */
export function oldTicket(
  secret: string,
  user: { id: number; name: string },
  agentId: string,
  ageSec: number,
): string {
  const sign = createTicketSigner({ secret, currentDate: () => new Date(Date.now() - ageSec * 1000) });
  return sign({ userId: user.id, userName: user.name, role: "REGULAR", agentId }).ticket;
}

export interface RawResponse {
  /** 0 when the connection closed without a status line. */
  status: number;
  head: string;
  body: string;
}

/** Sends bytes as they are; reads one answer (up to its content-length, or until the server closes). */
export function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const parse = (): RawResponse | undefined => {
      const text = Buffer.concat(chunks).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      if (split < 0) return undefined;
      const head = text.slice(0, split);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
      const body = text.slice(split + 4);
      if (length === undefined || Buffer.byteLength(body, "latin1") < Number(length)) return undefined;
      return { status: Number(/^HTTP\/1\.\d (\d{3})/.exec(text)?.[1] ?? 0), head, body };
    };
    const done = (answer: RawResponse) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    // Resolves on a complete answer with a content-length (a refused upgrade may keep the connection), else on close.
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      const answer = parse();
      if (answer) done(answer);
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      done({
        status: Number(/^HTTP\/1\.\d (\d{3})/.exec(text)?.[1] ?? 0),
        head: split < 0 ? text : text.slice(0, split),
        body: split < 0 ? "" : text.slice(split + 4),
      });
    });
    socket.write(bytes);
  });
}

export type SocketOutcome =
  | { opened: true; ws: WebSocket; first: ServerFrame }
  | { opened: false; status: number; body: string };

/** Opens `/api/agents/:id/react` with the given query; an HTTP refusal comes back as its status. */
export function openSocket(
  wsUrl: string,
  agentId: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<SocketOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}/api/agents/${agentId}/react${query}`, { maxPayload: 0, headers });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("no answer to the upgrade within 10 s"));
    }, 10_000);
    ws.once("message", (data) => {
      clearTimeout(timer);
      resolve({ opened: true, ws, first: JSON.parse(data.toString()) as ServerFrame });
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ opened: false, status: res.statusCode ?? 0, body });
      });
    });
    ws.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Resolves with the close code the server sent (1006 when the connection just dropped). */
export function closeCodeOf(ws: WebSocket, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === WebSocket.CLOSED) return reject(new Error("the socket is already closed"));
    const timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs);
    ws.on("error", () => {});
    ws.once("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export interface SlowClient {
  name: string;
  openedAt: number;
  /** Set when the server ended the connection. */
  closedAt?: number;
  /** The first bytes the server answered with, if any. */
  answer: string;
  closed: Promise<void>;
  destroy(): void;
}

/**
 * A client that never finishes its request: it writes `prefix`, then one byte of `drip` every `everyMs`
 * (nothing more when `drip` is empty), and records when the server gives up on it.
 */
export function slowClient(
  name: string,
  port: number,
  prefix: string,
  drip = "",
  everyMs = 1000,
): SlowClient {
  const socket: Socket = connect(port, "127.0.0.1");
  let timer: NodeJS.Timeout | undefined;
  let answer = "";
  const client: SlowClient = {
    name,
    openedAt: Date.now(),
    answer: "",
    closed: new Promise((resolve) => {
      socket.on("close", () => {
        clearInterval(timer);
        client.closedAt ??= Date.now();
        client.answer = answer;
        resolve();
      });
    }),
    destroy: () => socket.destroy(),
  };
  socket.on("error", () => {});
  socket.on("data", (c: Buffer) => {
    answer += c.toString("latin1");
  });
  socket.on("end", () => {
    client.closedAt ??= Date.now();
    client.answer = answer;
  });
  socket.once("connect", () => {
    if (prefix) socket.write(prefix);
    let i = 0;
    if (drip)
      timer = setInterval(() => {
        if (socket.writable) socket.write(drip[i++ % drip.length]!);
      }, everyMs);
  });
  return client;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request with headers given as raw name/value pairs, so names keep their case and may repeat
 * (fetch folds repeats into one comma-joined value).
 */
export function httpRequest(
  url: string,
  method: string,
  rawHeaders: string[],
  body?: string | Buffer,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // With headers as an array Node adds no Host header of its own.
    const headers = ["host", new URL(url).host, ...rawHeaders] as unknown as OutgoingHttpHeaders;
    const req = request(url, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on("error", reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${url}: no answer within 15 s`)));
    req.on("error", reject);
    req.end(body);
  });
}
