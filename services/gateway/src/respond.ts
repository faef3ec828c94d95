import type { ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/** Answers `{ "error": message }`, the error shape of every service behind the gateway. */
export function sendJsonError(
  res: ServerResponse,
  statusCode: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(statusCode, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** Writes a whole HTTP response on a raw socket (a refused WebSocket upgrade) and closes it. */
export function writeRawResponse(
  socket: Duplex,
  statusCode: number,
  headers: Record<string, string | string[] | number>,
  body: Buffer | string,
): void {
  if (socket.destroyed) return;
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  const lines = [`HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ""}`];
  const all = { ...headers, "content-length": payload.length, connection: "close" };
  for (const [name, value] of Object.entries(all)) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  socket.end(Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`), payload]));
}

export function jsonErrorBody(message: string): { headers: Record<string, string>; body: string } {
  return {
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify({ error: message }),
  };
}
