import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "./gateway.ts";
import { acceptedCodings } from "./static-files.ts";
import { deadUrl, startTestGateway } from "./testing/stubs.ts";

const BIG = `export const rows = [${Array.from({ length: 400 }, (_, i) => `"row ${i}"`).join(",")}];\n`;
let dir: string;
let url: string;
let gateway: Gateway;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-static-"));
  mkdirSync(join(dir, "dist/assets"), { recursive: true });
  writeFileSync(join(dir, "dist/index.html"), "<!doctype html><title>app</title>");
  writeFileSync(join(dir, "dist/assets/app-1234.js"), "console.log(1)");
  writeFileSync(join(dir, "dist/assets/app-1234.js.map"), '{"version":3,"sourcesContent":["the source"]}');
  writeFileSync(join(dir, "secret.txt"), "outside the web root");
  // as the web build writes them: the file, and beside it its brotli and gzip variants
  writeFileSync(join(dir, "dist/assets/big-5678.js"), BIG);
  writeFileSync(join(dir, "dist/assets/big-5678.js.br"), brotliCompressSync(BIG));
  writeFileSync(join(dir, "dist/assets/big-5678.js.gz"), gzipSync(BIG));
  writeFileSync(join(dir, "dist/assets/only-gz-1.css"), BIG);
  writeFileSync(join(dir, "dist/assets/only-gz-1.css.gz"), gzipSync(BIG));
  const dead = await deadUrl();
  ({ url, gateway } = await startTestGateway({
    WEB_DIST: join(dir, "dist"),
    ACCESS_CONTROL_URL: dead,
    AGENT_SERVICE_URL: dead,
  }));
});
afterAll(async () => {
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(
  path: string,
  method = "GET",
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; raw: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: raw.toString(), raw, headers: res.headers });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("gateway: the web app", () => {
  it("serves files with their type and caches hashed assets for good", async () => {
    const asset = await get("/assets/app-1234.js");
    expect(asset).toMatchObject({ status: 200, body: "console.log(1)" });
    expect(asset.headers["content-type"]).toMatch(/javascript/);
    expect(asset.headers["cache-control"]).toMatch(/immutable/);
    const index = await get("/");
    expect(index.body).toContain("<title>app</title>");
    expect(index.headers["cache-control"]).toBe("no-cache");
  });

  it("falls back to index.html for app routes, but not for missing files", async () => {
    expect(await get("/agents/42")).toMatchObject({ status: 200, body: "<!doctype html><title>app</title>" });
    expect((await get("/assets/missing.js")).status).toBe(404);
  });

  it("never serves a source map, even one a build left in the web root", async () => {
    for (const path of ["/assets/app-1234.js.map", "/assets/app-1234.js.MAP", "/assets/app-1234.js%2emap"]) {
      const res = await get(path);
      expect([400, 404], path).toContain(res.status);
      expect(res.body, path).not.toContain("the source");
    }
  });

  it("never serves a file outside the web root", async () => {
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"]) {
      const res = await get(path);
      expect(res.body, path).not.toContain("outside the web root");
    }
  });

  it("refuses writes", async () => {
    expect((await get("/", "POST")).status).toBe(405);
  });

  it("sends the precompressed variant the client accepts, brotli first, with Vary", async () => {
    const cases: [string | undefined, string | undefined][] = [
      ["gzip, deflate, br, zstd", "br"],
      ["br;q=1.0, gzip;q=0.8", "br"],
      ["gzip", "gzip"],
      ["br;q=0, gzip", "gzip"],
      ["*", "br"],
      ["*;q=0.5, br;q=0", "gzip"],
      ["identity", undefined],
      ["deflate", undefined],
      [undefined, undefined],
    ];
    for (const [accept, coding] of cases) {
      const res = await get(
        "/assets/big-5678.js",
        "GET",
        accept === undefined ? {} : { "accept-encoding": accept },
      );
      expect(res.status, accept).toBe(200);
      expect(res.headers["content-encoding"], accept).toBe(coding);
      expect(res.headers.vary, accept).toBe("Accept-Encoding");
      expect(res.headers["content-type"], accept).toMatch(/javascript/);
      expect(res.headers["cache-control"], accept).toMatch(/immutable/);
      expect(Number(res.headers["content-length"]), accept).toBe(res.raw.length);
      const text =
        coding === "br"
          ? brotliDecompressSync(res.raw).toString()
          : coding === "gzip"
            ? gunzipSync(res.raw).toString()
            : res.raw.toString();
      expect(text, accept).toBe(BIG);
      if (coding) expect(res.raw.length, accept).toBeLessThan(BIG.length / 2);
    }
    // only a gzip variant: a brotli-only client gets the file as it is
    expect(
      (await get("/assets/only-gz-1.css", "GET", { "accept-encoding": "br" })).headers["content-encoding"],
    ).toBe(undefined);
    const gz = await get("/assets/only-gz-1.css", "HEAD", { "accept-encoding": "br, gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.raw.length).toBe(0);
    // a file without variants is not said to vary
    expect(
      (await get("/assets/app-1234.js", "GET", { "accept-encoding": "br" })).headers.vary,
    ).toBeUndefined();
  });

  it("says how to build the app when it is not built", async () => {
    const other = await startTestGateway({ WEB_DIST: join(dir, "nothing-here") });
    try {
      const res = await fetch(`${other.url}/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain("npm run build -w @texera-agent/web");
    } finally {
      await other.gateway.close();
    }
  });
});

describe("acceptedCodings", () => {
  it("reads q-values, x-gzip and the wildcard", () => {
    expect([...acceptedCodings("gzip, br")].sort()).toEqual(["br", "gzip"]);
    expect([...acceptedCodings("BR ; Q=0.5")]).toEqual(["br"]);
    expect([...acceptedCodings("x-gzip")]).toEqual(["gzip"]);
    expect([...acceptedCodings("br;q=0, *")]).toEqual(["gzip"]);
    expect([...acceptedCodings("gzip;q=nonsense")]).toEqual([]);
    expect([...acceptedCodings("")]).toEqual([]);
  });
});
