import type { IncomingMessage, ServerResponse } from "node:http";
import { pathOf } from "./routes.ts";

const LINGER_MS = 5_000;
const LINGER_BYTES = 8 * 1024 * 1024;

/** The body limit of an agent route: dataset uploads have their own, everything else agent-service's. */
export function bodyLimitFor(
  url: string,
  limits: { bodyLimitBytes: number; datasetLimitBytes: number },
): number {
  const path = pathOf(url);
  return path === "/api/agents/datasets" || path.startsWith("/api/agents/datasets/")
    ? limits.datasetLimitBytes
    : limits.bodyLimitBytes;
}

/** The declared body size, when the request declares one. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers["content-length"];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Answers 413 without forwarding anything, then reads and drops what the client is still sending for a
 * moment ("lingering", as nginx does): closing a socket with unread data makes the kernel reset it, and the
 * client would see a reset instead of the answer. No `Connection: close`: with it Node destroys the socket
 * as soon as the answer is written, while the client may still be sending (it saw EPIPE on a 2 MiB body);
 * the connection is closed only past the linger bounds, or kept once the body has been read.
 */
export function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  const body = JSON.stringify({
    error: `the request body is larger than the ${formatBytes(limit)} this route accepts`,
  });
  res.writeHead(413, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
  let dropped = 0;
  const stop = setTimeout(() => req.socket.destroy(), LINGER_MS);
  stop.unref();
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) req.socket.destroy();
  });
  req.on("end", () => clearTimeout(stop));
  req.resume();
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
