// Runs deploy/docker/web-nginx.conf in the machine's nginx (as the web image does in nginx-unprivileged), on a
// loopback port, against a stand-in build of the web app. Needs nginx: `apt-get install -y nginx`.

import { spawn, spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { freePort } from "@texera-agent/db/testing/free-port";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const BIG = `export const rows = [${Array.from({ length: 400 }, (_, i) => `"row ${i}"`).join(",")}];\n`;
let dir: string;
let base: string;
let stop: (() => void) | undefined;

beforeAll(async () => {
  if (spawnSync("nginx", ["-v"]).error) throw new Error("nginx is not installed: apt-get install -y nginx");
  dir = await mkdtemp(join(tmpdir(), "texera-web-nginx-"));
  const html = join(dir, "html");
  await mkdir(join(html, "assets"), { recursive: true });
  await writeFile(join(html, "index.html"), "<!doctype html><title>texera-web-index</title>");
  await writeFile(join(html, "assets", "app-1234.js"), "console.log('app');");
  // as the web build writes it: an asset and its gzip variant
  await writeFile(join(html, "assets", "big-5678.js"), BIG);
  await writeFile(join(html, "assets", "big-5678.js.gz"), gzipSync(BIG));
  await chmod(dir, 0o755);
  const port = await freePort();
  const site = (await readFile(join(here, "web-nginx.conf"), "utf8"))
    .replace("listen 8080;", `listen 127.0.0.1:${port};`)
    .replace("root /usr/share/nginx/html;", `root ${html};`);
  expect(site).toContain(`listen 127.0.0.1:${port};`);
  await writeFile(join(dir, "site.conf"), site);
  await writeFile(
    join(dir, "nginx.conf"),
    [
      "worker_processes 1;",
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      "events { worker_connections 64; }",
      "http {",
      "  include /etc/nginx/mime.types;",
      `  access_log off;`,
      `  client_body_temp_path ${dir}/client; proxy_temp_path ${dir}/proxy;`,
      `  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
      `  include ${dir}/site.conf;`,
      "}",
    ].join("\n"),
  );
  const child = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  stop = () => child.kill("SIGTERM");
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    try {
      await fetch(`${base}/healthz`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nginx did not start: ${stderr}`);
});

afterAll(async () => {
  stop?.();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("web-nginx.conf", () => {
  it("answers the probe path", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
  });

  it("serves the single-page app for client-side routes", async () => {
    for (const path of ["/", "/agents/3f1c", "/workflows?id=7"]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain("texera-web-index");
      expect(res.headers.get("cache-control")).toBe("no-cache");
    }
  });

  it("serves hashed assets as immutable, and a missing asset as 404 rather than the app", async () => {
    const res = await fetch(`${base}/assets/app-1234.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });

  it("sends the build's precompressed .gz to a client that accepts gzip, with Vary", async () => {
    const get = (headers: Record<string, string>) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        request(`${base}/assets/big-5678.js`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on("error", reject)
          .end();
      });
    const gz = await get({ "accept-encoding": "gzip, br" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.headers.vary).toBe("Accept-Encoding");
    expect(gz.headers["cache-control"]).toContain("immutable");
    expect(gunzipSync(gz.body).toString()).toBe(BIG);
    const plain = await get({});
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(BIG);
  });

  it("answers API paths that reach it with a JSON 404, never index.html", async () => {
    for (const path of ["/api/agents", "/api/auth/users", "/api/healthcheck"]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ error: "not found" });
    }
  });
});
