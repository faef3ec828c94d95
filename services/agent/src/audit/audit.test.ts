import type { AuditEvent } from "@texera-agent/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GuardedApp, startGuardedApp } from "../testing/guarded-app.ts";
import { FrameClient, USERS } from "../testing/harness.ts";
import { createClientAddress, parseTrustedProxies } from "./client-address.ts";

const SECRET_WORDS = "please add the purple elephant operator";

async function query(g: GuardedApp, qs: string, token = g.tokens.admin) {
  return g.app.inject({ url: `/api/agents/audit${qs}`, headers: { authorization: `Bearer ${token}` } });
}

async function events(g: GuardedApp, qs = ""): Promise<AuditEvent[]> {
  const res = await query(g, qs);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().events;
}

/** Polls until the query returns at least `n` events (run events are written as the run goes). */
async function atLeast(g: GuardedApp, n: number, qs = ""): Promise<AuditEvent[]> {
  for (let i = 0; i < 200; i++) {
    const found = await events(g, qs);
    if (found.length >= n) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`fewer than ${n} audit events for ${qs}`);
}

async function run(g: GuardedApp, id: string, content: string, token = g.tokens.owner) {
  const c = await FrameClient.open(g.ws(`/api/agents/${id}/react?access-token=${token}`));
  await c.next("init");
  c.send({ type: "message", content });
  await c.next("complete");
  await c.close();
}

describe("the audit log", () => {
  let g: GuardedApp;
  let agent: string;
  beforeAll(async () => {
    g = await startGuardedApp();
    agent = await g.createAgent();
    await run(g, agent, SECRET_WORDS);
    const del = await g.app.inject({
      method: "DELETE",
      url: `/api/agents/${agent}`,
      headers: { authorization: `Bearer ${g.tokens.owner}` },
    });
    expect(del.statusCode).toBe(200);
    const other = await g.createAgent(g.tokens.other);
    await run(g, other, "tokens: 20", g.tokens.other);
  });
  afterAll(() => g.close());

  it("records who created, ran and deleted which agent, with the model, tokens and address", async () => {
    const mine = await atLeast(g, 4, `?agentId=${agent}`);
    expect(mine.map((e) => e.action)).toEqual(["agent.delete", "run.end", "run.start", "agent.create"]);
    for (const e of mine) {
      expect(e).toMatchObject({ userId: USERS.owner, userName: "owner", agentId: agent, model: "sim-small" });
      expect(e.address).toBe("127.0.0.1");
    }
    const end = mine.find((e) => e.action === "run.end")!;
    expect(end.tokens).toBeGreaterThan(0);
    expect(end.detail).toMatchObject({ reason: "done" });
    expect(end.detail.runId).toBe(mine.find((e) => e.action === "run.start")!.detail.runId);
  });

  it("never holds a token or the prompt (AUDIT_PROMPTS is off)", async () => {
    const all = JSON.stringify(await atLeast(g, 7));
    expect(all).not.toContain(SECRET_WORDS);
    expect(all).not.toContain("purple");
    for (const token of [g.tokens.owner, g.tokens.other, g.tokens.admin]) {
      expect(all).not.toContain(token.split(".")[2]);
    }
  });

  it("filters by user, action, agent and time, newest first", async () => {
    await atLeast(g, 7);
    const other = await events(g, `?userId=${USERS.other}`);
    expect(other.map((e) => e.action)).toEqual(["run.end", "run.start", "agent.create"]);
    expect(other.every((e) => e.userId === USERS.other)).toBe(true);
    const starts = await events(g, "?action=run.start");
    expect(starts).toHaveLength(2);
    const future = new Date(g.clock.now.getTime() + 60_000).toISOString();
    expect(await events(g, `?from=${future}`)).toEqual([]);
    expect(await events(g, `?to=${future}&action=agent.create`)).toHaveLength(2);
    expect((await query(g, "?action=agent.fly")).statusCode).toBe(400);
    expect((await query(g, "?from=yesterday")).statusCode).toBe(400);
    expect((await query(g, "?limit=0")).statusCode).toBe(400);
  });

  it("pages with a cursor, without gaps or repeats", async () => {
    const all = await atLeast(g, 7);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const res = await query(g, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      const page = res.json() as { events: AuditEvent[]; nextCursor?: string };
      expect(page.events.length).toBeLessThanOrEqual(2);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it("records nothing for a create or delete that was refused", async () => {
    const before = await atLeast(g, 7);
    const refusedCreate = await g.app.inject({
      method: "POST",
      url: "/api/agents",
      headers: { authorization: `Bearer ${g.tokens.owner}` },
      payload: { modelType: "sim-small", surplus: true },
    });
    expect(refusedCreate.statusCode).toBe(400);
    const survivor = (await events(g, `?userId=${USERS.other}&action=agent.create`))[0]!.agentId;
    const foreignDelete = await g.app.inject({
      method: "DELETE",
      url: `/api/agents/${survivor}`,
      headers: { authorization: `Bearer ${g.tokens.owner}` },
    });
    expect(foreignDelete.statusCode).toBe(404);
    expect(await events(g)).toEqual(before);
  });

  it("answers 403 to anyone but an ADMIN, 401 without a token", async () => {
    expect((await query(g, "", g.tokens.owner)).statusCode).toBe(403);
    expect((await g.app.inject({ url: "/api/agents/audit" })).statusCode).toBe(401);
  });
});

describe("audit options", () => {
  let g: GuardedApp | undefined;
  afterEach(async () => {
    await g?.close();
    g = undefined;
  });

  it("keeps the message text with AUDIT_PROMPTS=1", async () => {
    g = await startGuardedApp({ deps: { audit: { prompts: true } } });
    const id = await g.createAgent();
    await run(g, id, SECRET_WORDS);
    const [start] = await atLeast(g, 1, "?action=run.start");
    expect(start!.detail.prompt).toBe(SECRET_WORDS);
  });

  it("takes X-Forwarded-For only from a trusted gateway", async () => {
    g = await startGuardedApp({ deps: { audit: { prompts: false, trustedProxies: "loopback" } } });
    const create = (forwarded: string) =>
      g!.app.inject({
        method: "POST",
        url: "/api/agents",
        headers: { authorization: `Bearer ${g!.tokens.owner}`, "x-forwarded-for": forwarded },
        payload: { modelType: "sim-small" },
      });
    expect((await create("198.51.100.9, 203.0.113.7")).statusCode).toBe(200);
    const [e] = await events(g, "?action=agent.create");
    expect(e!.address).toBe("203.0.113.7");
  });
});

describe("client addresses", () => {
  it("ignore X-Forwarded-For unless the peer is trusted", () => {
    const none = createClientAddress(undefined);
    expect(none("10.0.0.5", "203.0.113.7")).toBe("10.0.0.5");
    const trusted = createClientAddress(parseTrustedProxies("10.0.0.0/8, loopback"));
    expect(trusted("10.0.0.5", "203.0.113.7")).toBe("203.0.113.7");
    expect(trusted("::ffff:127.0.0.1", "1.2.3.4, 203.0.113.7, 10.1.1.1")).toBe("203.0.113.7");
    expect(trusted("192.0.2.1", "203.0.113.7")).toBe("192.0.2.1");
    expect(trusted("10.0.0.5", undefined)).toBe("10.0.0.5");
    expect(() => parseTrustedProxies("not-an-ip")).toThrow(/TRUSTED_PROXIES/);
  });
});
