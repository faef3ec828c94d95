// The directory's word over the token's, in agent-service: REST routes, open sockets, the socket cap.
import { createSigner, type DirectoryStanding, type Role } from "@texera-agent/auth";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GuardedApp, startGuardedApp } from "../testing/guarded-app.ts";
import { FrameClient, SECRET, USERS, upgradeStatus } from "../testing/harness.ts";
import type { Directory } from "./current-user.ts";
import { CLOSE_ACCESS_REVOKED, CLOSE_TOKEN_EXPIRED } from "./socket-sessions.ts";

/** A directory the test edits: what access-control's database would say right now. */
class FakeDirectory implements Directory {
  stale = false;
  readonly users = new Map<number, { name: string; role: Role }>();
  lookup(userId: number, name: string): DirectoryStanding {
    if (this.stale) return "stale";
    const user = this.users.get(userId);
    return user && user.name === name ? user.role : "unknown";
  }
  reset(): void {
    this.stale = false;
    this.users.clear();
    this.users.set(USERS.owner, { name: "owner", role: "REGULAR" });
    this.users.set(USERS.other, { name: "other", role: "REGULAR" });
    this.users.set(USERS.admin, { name: "admin", role: "ADMIN" });
  }
}

const directory = new FakeDirectory();
let g: GuardedApp;
/** A second app whose sweep never runs during a test: only the check before a run can refuse. */
let noSweep: GuardedApp;
const MAX_SOCKETS = 3;

beforeAll(async () => {
  directory.reset();
  const identity = { directory, sweepMs: 50, maxSocketsPerUser: MAX_SOCKETS };
  [g, noSweep] = await Promise.all([
    startGuardedApp({ deps: { identity } }),
    startGuardedApp({ deps: { identity: { ...identity, sweepMs: 3_600_000 } } }),
  ]);
});
afterAll(async () => {
  await Promise.all([g?.close(), noSweep?.close()]);
});
afterEach(() => {
  directory.reset();
  g.clock.now = new Date();
  noSweep.clock.now = new Date();
});

const get = (url: string, token: string) =>
  g.app.inject({ url, headers: { authorization: `Bearer ${token}` } });

function closed(c: FrameClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    if (c.ws.readyState === c.ws.CLOSED) resolve({ code: -1, reason: "closed before" });
    c.ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

async function openSocket(app: GuardedApp, token = app.tokens.owner, agent?: string): Promise<FrameClient> {
  const id = agent ?? (await app.createAgent(token));
  const c = await FrameClient.open(app.ws(`/api/agents/${id}/react?access-token=${token}`));
  await c.next("init");
  return c;
}

describe("REST: the role comes from the directory, not the token", () => {
  it("takes ADMIN routes from a demoted ADMIN at once, with the same unexpired token", async () => {
    expect((await get("/api/agents/audit", g.tokens.admin)).statusCode).toBe(200);
    expect((await get("/api/agents?all=true", g.tokens.admin)).statusCode).toBe(200);
    directory.users.set(USERS.admin, { name: "admin", role: "REGULAR" });
    const audit = await get("/api/agents/audit", g.tokens.admin);
    expect(audit.statusCode).toBe(403);
    expect(audit.json().error).toMatch(/ADMIN/);
    expect((await get("/api/agents?all=true", g.tokens.admin)).statusCode).toBe(403);
    expect((await get("/api/agents", g.tokens.admin)).statusCode).toBe(200);
  });

  it("refuses a deactivated user (403) on REST and on the socket upgrade", async () => {
    const agent = await g.createAgent();
    directory.users.set(USERS.owner, { name: "owner", role: "INACTIVE" });
    expect((await get("/api/agents", g.tokens.owner)).statusCode).toBe(403);
    expect(await upgradeStatus(g.ws(`/api/agents/${agent}/react?access-token=${g.tokens.owner}`))).toBe(403);
  });

  it("gives a promoted user the directory's role, and never matches a user by id alone", async () => {
    directory.users.set(USERS.owner, { name: "owner", role: "ADMIN" });
    expect((await get("/api/agents/audit", g.tokens.owner)).statusCode).toBe(200);
    // same id, another name: not this directory's user, so the token's claims (REGULAR) hold
    directory.users.set(USERS.owner, { name: "someone-else", role: "ADMIN" });
    expect((await get("/api/agents/audit", g.tokens.owner)).statusCode).toBe(403);
  });

  it("judges a user the directory does not know (an external Texera's) by the token's claims", async () => {
    const external = createSigner({ secret: SECRET, expiresInMinutes: 5 })({
      userName: "texera-admin",
      userId: 777,
      role: "ADMIN",
    }).token;
    expect((await get("/api/agents/audit", external)).statusCode).toBe(200);
  });

  it("refuses everyone (503) while the directory cannot be read", async () => {
    directory.stale = true;
    const res = await get("/api/agents", g.tokens.owner);
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatch(/user directory cannot be read/);
  });
});

describe("open sockets follow the directory and the token's expiry", () => {
  it("closes the socket of a user set INACTIVE (error frame, 4403) without waiting for a message", async () => {
    const c = await openSocket(g);
    const end = closed(c);
    directory.users.set(USERS.owner, { name: "owner", role: "INACTIVE" });
    expect(await end).toEqual({ code: CLOSE_ACCESS_REVOKED, reason: "account deactivated" });
    expect(c.frames.at(-1)).toMatchObject({ type: "error", code: "ACCESS_REVOKED" });
  });

  it("closes the socket of a user demoted to RESTRICTED", async () => {
    const c = await openSocket(g);
    const end = closed(c);
    directory.users.set(USERS.owner, { name: "owner", role: "RESTRICTED" });
    expect(await end).toEqual({ code: CLOSE_ACCESS_REVOKED, reason: "role may not use agents" });
  });

  it("refuses a run asked for right after the deactivation, before any sweep", async () => {
    const c = await openSocket(noSweep);
    const chatsBefore = noSweep.sim.counters.chatRequests;
    const end = closed(c);
    directory.users.set(USERS.owner, { name: "owner", role: "INACTIVE" });
    c.send({ type: "message", content: "run something" });
    expect((await end).code).toBe(CLOSE_ACCESS_REVOKED);
    expect(c.frames.some((f) => f.type === "error" && f.code === "ACCESS_REVOKED")).toBe(true);
    expect(c.frames.some((f) => f.type === "state")).toBe(false);
    expect(noSweep.sim.counters.chatRequests).toBe(chatsBefore);
  });

  it("keeps the socket but refuses runs while the directory is stale", async () => {
    const c = await openSocket(noSweep);
    directory.stale = true;
    c.send({ type: "message", content: "run something" });
    const error = await c.next("error");
    expect(error.code).toBe("DIRECTORY_UNAVAILABLE");
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    await c.close();
  });

  it("closes a socket whose token expires (error frame, 4401), on the app's clock", async () => {
    const c = await openSocket(g);
    const end = closed(c);
    g.clock.now = new Date(Date.now() + 31 * 60_000); // the harness's tokens live 30 min
    expect(await end).toEqual({ code: CLOSE_TOKEN_EXPIRED, reason: "token expired" });
    expect(c.frames.at(-1)).toMatchObject({ type: "error", code: "TOKEN_EXPIRED" });
  });

  it("ends a socket opened with a ticket when the token that asked for the ticket expires", async () => {
    const agent = await g.createAgent();
    const res = await g.app.inject({
      method: "POST",
      url: `/api/agents/${agent}/ws-ticket`,
      headers: { authorization: `Bearer ${g.tokens.owner}` },
    });
    const c = await FrameClient.open(g.ws(res.json().path));
    await c.next("init");
    const end = closed(c);
    // long after the 30 s ticket, still within the token: open
    g.clock.now = new Date(Date.now() + 20 * 60_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    g.clock.now = new Date(Date.now() + 31 * 60_000);
    expect((await end).code).toBe(CLOSE_TOKEN_EXPIRED);
  });
});

describe("the per-user socket cap", () => {
  it(`refuses a user's socket beyond ${MAX_SOCKETS} with 429, not another user's, and frees a slot on close`, async () => {
    const agent = await g.createAgent();
    const url = (token: string, id = agent) => g.ws(`/api/agents/${id}/react?access-token=${token}`);
    const open: FrameClient[] = [];
    for (let i = 0; i < MAX_SOCKETS; i++) open.push(await FrameClient.open(url(g.tokens.owner)));
    expect(await upgradeStatus(url(g.tokens.owner))).toBe(429);
    const refused = await g.app.inject({
      url: `/api/agents/${agent}/react?access-token=${g.tokens.owner}`,
      headers: { connection: "upgrade", upgrade: "websocket" },
    });
    expect(refused.json().error).toMatch(/agent sockets open.*AGENT_MAX_SOCKETS_PER_USER/);
    const otherAgent = await g.createAgent(g.tokens.other);
    expect(await upgradeStatus(url(g.tokens.other, otherAgent))).toBe(101);
    await open.pop()!.close();
    let status = 0;
    for (let i = 0; i < 50 && status !== 101; i++) {
      status = await upgradeStatus(url(g.tokens.owner));
      if (status !== 101) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(101);
    await Promise.all(open.map((c) => c.close()));
  });
});
