import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findNginx, type RunningNginx, startNginx } from "../../scripts/lib/nginx.ts";
import {
  deadUrl,
  type Stub,
  stubAccessControl,
  stubAgentService,
} from "../../services/gateway/src/testing/stubs.ts";

// Real nginx with deploy/single-node/nginx.conf, between stubs of the two services: source maps are never
// served, and a credential under a percent-encoded parameter name never reaches the access log.
const nginx = findNginx();
const dir = mkdtempSync(join(tmpdir(), "nginx-security-"));
const BIG = `export const rows = [${Array.from({ length: 400 }, (_, i) => `"row ${i}"`).join(",")}];\n`;
let running: RunningNginx;
let stubs: Stub[];

beforeAll(async () => {
  if (!nginx) return;
  mkdirSync(join(dir, "web/assets"), { recursive: true });
  writeFileSync(join(dir, "web/index.html"), "<!doctype html><title>app</title>");
  writeFileSync(join(dir, "web/assets/app-1.js"), "console.log(1)");
  writeFileSync(join(dir, "web/assets/app-1.js.map"), '{"sourcesContent":["the source"]}');
  writeFileSync(join(dir, "web/top.js.map"), '{"sourcesContent":["the source"]}');
  // as the web build writes it: the asset and its gzip variant
  writeFileSync(join(dir, "web/assets/big-2.js"), BIG);
  writeFileSync(join(dir, "web/assets/big-2.js.gz"), gzipSync(BIG));
  const [ac, agent] = await Promise.all([stubAccessControl(), stubAgentService()]);
  stubs = [ac, agent];
  const { port } = new URL(await deadUrl());
  running = await startNginx({
    prefix: join(dir, "prefix"),
    listen: `127.0.0.1:${port}`,
    webRoot: join(dir, "web"),
    accessControl: new URL(ac.url).host,
    agentService: new URL(agent.url).host,
    workerProcesses: 1,
  });
});
afterAll(async () => {
  await running?.stop();
  for (const stub of stubs ?? []) await stub.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(nginx)("nginx.conf against hostile requests", () => {
  it("never serves a source map, and still proxies /api paths that end in .map", async () => {
    expect((await fetch(`${running.url}/assets/app-1.js`)).status).toBe(200);
    for (const path of ["/assets/app-1.js.map", "/assets/app-1.js.MAP", "/top.js.map", "/nothing.map"]) {
      const res = await fetch(`${running.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain("the source");
    }
    const api = await fetch(`${running.url}/api/agents/datasets/x.map`, {
      headers: { authorization: "Bearer good" },
    });
    expect(api.status).toBe(200);
  });

  it("keeps credentials under encoded parameter names out of the access log", async () => {
    for (const query of [
      "access%2Dtoken=good",
      "tick%65t=ticket-value-never-logged",
      "%61ccess-token=good",
    ]) {
      await fetch(`${running.url}/api/agents/a1/react-steps?x=1&${query}`);
    }
    const log = readFileSync(running.accessLog, "utf8");
    expect(log).toContain("/api/agents/a1/react-steps?[REDACTED]");
    expect(log).not.toContain("=good");
    expect(log).not.toContain("ticket-value-never-logged");
  });
});

/** A GET with exactly these headers (fetch would add its own Accept-Encoding and decompress). */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on("error", reject)
      .end();
  });
}

describe.runIf(nginx)("nginx.conf serving the web app", () => {
  it("sends the build's precompressed .gz to a client that accepts gzip, with Vary, still immutable", async () => {
    const gz = await rawGet(`${running.url}/assets/big-2.js`, { "accept-encoding": "br, gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.headers.vary).toBe("Accept-Encoding");
    expect(gz.headers["cache-control"]).toMatch(/immutable/);
    expect(gz.body.length).toBeLessThan(BIG.length / 2);
    expect(gunzipSync(gz.body).toString()).toBe(BIG);
    const plain = await rawGet(`${running.url}/assets/big-2.js`, {});
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(BIG);
  });
});
