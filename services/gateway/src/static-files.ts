import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, sep } from "node:path";
import { pathOf } from "./routes.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Web app not built</title>
<p>The web app has not been built. Run <code>npm run build -w @texera-agent/web</code> and reload.</p>\n`;

/** The precompressed variants the web build writes beside each file (apps/web/vite.config.ts), best first. */
const VARIANTS = [
  { coding: "br", suffix: ".br" },
  { coding: "gzip", suffix: ".gz" },
] as const;
type Coding = (typeof VARIANTS)[number]["coding"];

/**
 * The codings of an Accept-Encoding header the client accepts (RFC 9110 §12.5.3: q=0 refuses, `*` stands
 * for any coding not named). Hand-written: only br and gzip are ever asked about, which needs no library.
 */
export function acceptedCodings(header: string | undefined): Set<Coding> {
  const accepted = new Set<Coding>();
  if (!header) return accepted;
  const q = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    if (name === "") continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name.trim(), Number.isFinite(value) ? value : 0);
  }
  for (const { coding } of VARIANTS) {
    const value = q.get(coding) ?? (coding === "gzip" ? q.get("x-gzip") : undefined) ?? q.get("*") ?? 0;
    if (value > 0) accepted.add(coding);
  }
  return accepted;
}

/**
 * Serves the built web app. A path with a file extension must exist (404 otherwise); any other path
 * answers index.html so the app's own router can handle it (SPA fallback). Hashed `/assets/` files are
 * cached for good; index.html never is, so a new build shows at once. `.map` files are never served.
 * A file with a precompressed `.br` / `.gz` beside it is sent compressed to a client that accepts it.
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
    res.end("method not allowed\n");
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(pathOf(req.url ?? "/"));
  } catch {
    return sendText(res, 400, "bad path\n");
  }
  if (path.includes("\0")) return sendText(res, 400, "bad path\n");
  // Source maps give away the app's source: never served, even when a build left some behind.
  if (/\.map$/i.test(path.replace(/[/\\]+$/, ""))) return sendText(res, 404, "not found\n");
  const file = join(root, path);
  if (file !== root && !file.startsWith(root + sep)) return sendText(res, 404, "not found\n");

  const found = await fileAt(file.endsWith(sep) ? join(file, "index.html") : file);
  if (found) return sendFile(req, res, found.path, found.size, path.startsWith("/assets/"));
  const dir = await fileAt(join(file, "index.html"));
  if (dir) return sendFile(req, res, dir.path, dir.size, false);
  if (extname(path) !== "") return sendText(res, 404, "not found\n");
  const index = await fileAt(join(root, "index.html"));
  if (!index) {
    res.writeHead(503, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : NOT_BUILT);
    return;
  }
  return sendFile(req, res, index.path, index.size, false);
}

async function fileAt(path: string): Promise<{ path: string; size: number } | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? { path, size: s.size } : undefined;
  } catch {
    return undefined;
  }
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  size: number,
  immutable: boolean,
): Promise<void> {
  const headers: Record<string, string | number> = {
    "content-type": TYPES[extname(path).toLowerCase()] ?? "application/octet-stream",
    "content-length": size,
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
  };
  let body = path;
  const variants = await Promise.all(
    VARIANTS.map(async (v) => ({ ...v, file: await fileAt(path + v.suffix) })),
  );
  if (variants.some((v) => v.file)) {
    // The answer depends on Accept-Encoding, for caches too, whichever variant this client gets.
    headers.vary = "Accept-Encoding";
    const accepted = acceptedCodings(req.headers["accept-encoding"]);
    const chosen = variants.find((v) => v.file && accepted.has(v.coding));
    if (chosen?.file) {
      headers["content-encoding"] = chosen.coding;
      headers["content-length"] = chosen.file.size;
      body = chosen.file.path;
    }
  }
  res.writeHead(200, headers);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const stream = createReadStream(body);
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}

function sendText(res: ServerResponse, statusCode: number, text: string): void {
  res.writeHead(statusCode, { "content-type": "text/plain; charset=utf-8" });
  res.end(text);
}
