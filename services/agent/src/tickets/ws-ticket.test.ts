import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GuardedApp, startGuardedApp } from "../testing/guarded-app.ts";
import { FrameClient, upgradeStatus } from "../testing/harness.ts";

let g: GuardedApp;
let agent: string;

beforeAll(async () => {
  g = await startGuardedApp();
  agent = await g.createAgent();
});
afterAll(() => g.close());

async function ticketFor(id: string, token = g.tokens.owner) {
  const res = await g.app.inject({
    method: "POST",
    url: `/api/agents/${id}/ws-ticket`,
    headers: { authorization: `Bearer ${token}` },
  });
  return res;
}

async function ticket(id = agent): Promise<string> {
  const res = await ticketFor(id);
  expect(res.statusCode).toBe(200);
  return res.json().ticket as string;
}

const reactUrl = (id: string, query: string) => g.ws(`/api/agents/${id}/react?${query}`);

describe("WebSocket tickets", () => {
  it("issues a ticket for the caller's agent that opens its socket", async () => {
    const res = await ticketFor(agent);
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = res.json();
    expect(Date.parse(body.expiresAt) - g.clock.now.getTime()).toBeLessThanOrEqual(30_000);
    expect(body.path).toBe(`/api/agents/${agent}/react?ticket=${encodeURIComponent(body.ticket)}`);
    const c = await FrameClient.open(g.ws(body.path));
    const init = await c.next("init");
    expect(init.agent.id).toBe(agent);
    await c.close();
  });

  it("refuses a second use of the same ticket", async () => {
    const t = await ticket();
    expect(await upgradeStatus(reactUrl(agent, `ticket=${t}`))).toBe(101);
    expect(await upgradeStatus(reactUrl(agent, `ticket=${t}`))).toBe(401);
  });

  it("refuses an expired ticket", async () => {
    const t = await ticket();
    const issued = g.clock.now;
    g.clock.now = new Date(issued.getTime() + 36_000);
    try {
      expect(await upgradeStatus(reactUrl(agent, `ticket=${t}`))).toBe(401);
    } finally {
      g.clock.now = issued;
    }
  });

  it("refuses a ticket on another agent's socket, even the same user's", async () => {
    const second = await g.createAgent();
    const t = await ticket(agent);
    expect(await upgradeStatus(reactUrl(second, `ticket=${t}`))).toBe(401);
    // the refusal did not spend it
    expect(await upgradeStatus(reactUrl(agent, `ticket=${t}`))).toBe(101);
  });

  it("answers 404 for another user's agent, and 401 without a token", async () => {
    expect((await ticketFor(agent, g.tokens.other)).statusCode).toBe(404);
    expect((await ticketFor("no-such-agent")).statusCode).toBe(404);
    const anonymous = await g.app.inject({ method: "POST", url: `/api/agents/${agent}/ws-ticket` });
    expect(anonymous.statusCode).toBe(401);
  });

  it("never accepts a ticket as a bearer token", async () => {
    const t = await ticket();
    for (const url of [`/api/agents/${agent}`, "/api/agents", `/api/agents/${agent}/ws-ticket`]) {
      const res = await g.app.inject({
        method: url.endsWith("ws-ticket") ? "POST" : "GET",
        url,
        headers: { authorization: `Bearer ${t}` },
      });
      expect(res.statusCode, url).toBe(401);
    }
    expect((await g.app.inject({ url: `/api/agents/${agent}?ticket=${t}` })).statusCode).toBe(401);
    expect(await upgradeStatus(reactUrl(agent, `access-token=${t}`))).toBe(401);
  });

  it("never accepts a JWT as a ticket", async () => {
    expect(await upgradeStatus(reactUrl(agent, `ticket=${g.tokens.owner}`))).toBe(401);
    // the access-token path stays (Texera compatibility)
    expect(await upgradeStatus(reactUrl(agent, `access-token=${g.tokens.owner}`))).toBe(101);
  });
});
