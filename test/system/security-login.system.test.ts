/**
 * Sign-in limits, user names and what reaches the logs, against the whole system as `npm start` runs it,
 * through both gateways (the built-in one and real nginx with deploy/single-node/nginx.conf): the limits
 * must hold when attempts arrive in parallel (each attempt counts before scrypt runs), an attacker must not
 * be able to lock a user out from an address the user does not use, and a credential sent under a
 * percent-encoded parameter name must not appear in any process's log or nginx's access log.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type GatewayKind, type RunningSystem, startSystem } from "./harness.ts";

/** access-control-service's defaults (services/access-control/README.md, "Sign-in limits"). */
const PER_NAME_AND_ADDRESS = 10;
const PER_ADDRESS = 50;

const KINDS: GatewayKind[] = ["builtin", "nginx"];
const systems = new Map<GatewayKind, RunningSystem>();
const webDist = mkdtempSync(join(tmpdir(), "security-login-web-"));

beforeAll(() => {
  mkdirSync(join(webDist, "assets"), { recursive: true });
  writeFileSync(join(webDist, "index.html"), "<!doctype html><title>app</title>");
  writeFileSync(join(webDist, "assets/app-1.js"), "console.log(1)");
  writeFileSync(join(webDist, "assets/app-1.js.map"), '{"sourcesContent":["the app source"]}');
});
afterAll(() => rmSync(webDist, { recursive: true, force: true }));

/** POST /api/auth/login through the gateway, optionally as another client address (X-Forwarded-For). */
async function login(sys: RunningSystem, username: string, password: string, address?: string) {
  const res = await fetch(`${sys.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(address ? { "x-forwarded-for": address } : {}) },
    body: JSON.stringify({ username, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

const count = (codes: number[], code: number) => codes.filter((c) => c === code).length;

describe.each(KINDS)("%s gateway", (kind) => {
  let sys: RunningSystem;

  beforeAll(async () => {
    sys = await startSystem({
      gateway: kind,
      webDist,
      // scrypt at 2^12 instead of 2^15: the same limits, at an eighth of the CPU on a shared CI machine
      env: { AUTHORIZE_LOG_LEVEL: "info", PASSWORD_SCRYPT_LOG_N: "12" },
    });
    systems.set(kind, sys);
  });
  afterAll(async () => {
    await systems.get(kind)?.stop();
  });

  it(`40 parallel wrong passwords for one name: at most ${PER_NAME_AND_ADDRESS} are checked`, async () => {
    await sys.createUser({ username: "target", password: "target-password-1", role: "REGULAR" });
    const codes = await Promise.all(
      Array.from({ length: 40 }, () => login(sys, "target", "wrong-password", "10.20.0.1")),
    );
    expect(count(codes, 401)).toBeLessThanOrEqual(PER_NAME_AND_ADDRESS);
    expect(count(codes, 401) + count(codes, 429)).toBe(40);
    // the right password from that address waits too; from the user's own address it works
    expect(await login(sys, "target", "target-password-1", "10.20.0.1")).toBe(429);
    expect(await login(sys, "target", "target-password-1", "10.20.0.2")).toBe(200);
  }, 120_000);

  it(`120 parallel wrong passwords from one address: at most ${PER_ADDRESS} are checked`, async () => {
    const codes = await Promise.all(
      Array.from({ length: 120 }, (_, i) => login(sys, `nobody-${i}`, "wrong-password", "10.30.0.1")),
    );
    expect(count(codes, 401)).toBeLessThanOrEqual(PER_ADDRESS);
    expect(count(codes, 401) + count(codes, 429)).toBe(120);
  }, 180_000);

  it("11 wrong passwords from an attacker's address do not lock the user out of their own", async () => {
    await sys.createUser({ username: "victim", password: "victim-password-1", role: "REGULAR" });
    for (let i = 0; i < 11; i++) await login(sys, "victim", "guess", "10.40.0.66");
    expect(await login(sys, "victim", "victim-password-1", "10.40.0.66")).toBe(429);
    expect(await login(sys, "victim", "victim-password-1", "10.40.0.7")).toBe(200);
    expect(await login(sys, "victim", "victim-password-1")).toBe(200);
  }, 120_000);

  it("user names are one user in any letter case", async () => {
    await sys.createUser({ username: "Dora", password: "dora-password-1", role: "REGULAR" });
    const twin = await fetch(`${sys.url}/api/auth/users`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await sys.login(sys.admin.username, sys.admin.password)}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ username: "DORA", password: "another-password", role: "ADMIN" }),
    });
    expect(twin.status).toBe(409);
    expect(await login(sys, "dORA", "dora-password-1")).toBe(200);
    expect(await login(sys, "ADMIN", sys.admin.password)).toBe(200);
  });

  it("serves no source map, even one left in the web root", async () => {
    expect((await fetch(`${sys.url}/assets/app-1.js`)).status).toBe(200);
    for (const path of ["/assets/app-1.js.map", "/assets/app-1.js.MAP"]) {
      const res = await fetch(`${sys.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain("the app source");
    }
  });

  it("logs no credential sent under a percent-encoded parameter name, in any process or access log", async () => {
    const user = await sys.createUser({ username: "logged", role: "REGULAR" });
    const fakeTicket = "fake-ticket-value-that-must-not-be-logged";
    const urls = [
      `/api/agents?access%2Dtoken=${user.token}`,
      `/api/agents?x=1&%61ccess-token=${user.token}`,
      `/api/agents/00000000-0000-4000-8000-000000000000/react?tick%65t=${fakeTicket}`,
      `/api/nothing-here?access%2Dtoken=${user.token}`,
    ];
    for (const url of urls) await (await fetch(`${sys.url}${url}`)).arrayBuffer();
    // a WebSocket upgrade carrying the token the same way
    await new Promise<void>((resolve) => {
      const ws = new WebSocket(
        `${sys.wsUrl}/api/agents/00000000-0000-4000-8000-000000000000/react?access%2Dtoken=${user.token}`,
      );
      const done = () => {
        ws.terminate();
        resolve();
      };
      ws.once("open", done);
      ws.once("error", done);
      ws.once("unexpected-response", done);
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const logs = [sys.output(), sys.accessLog ? readFileSync(sys.accessLog, "utf8") : ""].join("\n");
    // the requests were logged (else the check below proves nothing)...
    expect(logs).toMatch(kind === "nginx" ? /\/api\/agents\?\[REDACTED\]/ : /access%2Dtoken=\[REDACTED\]/);
    // ...and neither the token (nor its signature) nor the ticket appears anywhere
    expect(logs).not.toContain(user.token);
    expect(logs).not.toContain(user.token.split(".")[2]!);
    expect(logs).not.toContain(fakeTicket);
  });
});
