import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "./gateway.ts";
import { deadUrl, startTestGateway } from "./testing/stubs.ts";

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
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { path, method }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
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
