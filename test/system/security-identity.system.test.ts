/**
 * Security round 2 (issue 11), the identity findings, against the whole system as `npm start` runs it, through
 * both gateways and at agent-service directly (a pod reached without the gateway must refuse as well):
 * - a demoted ADMIN loses ADMIN routes in agent-service within 5 s, with the old, unexpired token;
 * - an open socket of a user set INACTIVE is closed within 5 s, and one whose token expires is closed;
 * - a user's open sockets are capped (AGENT_MAX_SOCKETS_PER_USER);
 * - a WebSocket ticket beside a token is refused by access-control and agent-service alike.
 */
import type { Agent, ServerFrame, User, WsTicketResponse } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { type GatewayKind, type RunningSystem, startSystem } from "./harness.ts";
import { openSocket } from "./security-clients.ts";

const DEMO_MODEL = "demo-offline-model";
/** The documented bound (services/agent/README.md, services/access-control/README.md). */
const BOUND_MS = 5_000;
const MAX_SOCKETS = 4;
/** services/agent/src/identity/socket-sessions.ts */
const CLOSE_TOKEN_EXPIRED = 4401;
const CLOSE_ACCESS_REVOKED = 4403;

type Person = User & { token: string };

const KINDS: GatewayKind[] = ["builtin", "nginx"];

describe.each(KINDS)("identity through the %s gateway", (kind) => {
  let sys: RunningSystem;
  let userCount = 0;

  beforeAll(async () => {
    sys = await startSystem({ gateway: kind, env: { AGENT_MAX_SOCKETS_PER_USER: String(MAX_SOCKETS) } });
  });
  afterAll(async () => {
    await sys?.stop();
  });

  const person = (role: "REGULAR" | "ADMIN"): Promise<Person> =>
    sys.createUser({ username: `${kind}-user-${++userCount}`, role });

  async function createAgent(who: Person): Promise<Agent> {
    const res = await fetch(`${sys.url}/api/agents`, {
      method: "POST",
      headers: { authorization: `Bearer ${who.token}`, "content-type": "application/json" },
      body: JSON.stringify({ modelType: DEMO_MODEL }),
    });
    if (res.status !== 200) throw new Error(`create agent: ${res.status} ${await res.text()}`);
    return (await res.json()) as Agent;
  }

  const get = (base: string, path: string, token: string) =>
    fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

  /** Polls `check` until it holds; returns how long that took. */
  async function within(boundMs: number, check: () => Promise<boolean>, what: string): Promise<number> {
    const start = Date.now();
    while (!(await check())) {
      if (Date.now() - start > boundMs) throw new Error(`${what}: not within ${boundMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return Date.now() - start;
  }

  /** An open socket (first frame received) and a promise of its close code and reason. */
  async function socket(agent: Agent, query: string) {
    const outcome = await openSocket(sys.wsUrl, agent.id, query);
    if (!outcome.opened) throw new Error(`socket refused: ${outcome.status} ${outcome.body}`);
    const ws = outcome.ws as WebSocket;
    const frames: ServerFrame[] = [outcome.first];
    ws.on("message", (data) => frames.push(JSON.parse(data.toString()) as ServerFrame));
    ws.on("error", () => {});
    const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
      ws.once("close", (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })),
    );
    return { ws, frames, closed };
  }

  it("takes ADMIN routes from a demoted ADMIN within 5 s, with the same unexpired token", async () => {
    const boss = await person("ADMIN");
    for (const base of [sys.url, sys.services.agent]) {
      expect((await get(base, "/api/agents/audit", boss.token)).status).toBe(200);
      expect((await get(base, "/api/agents?all=true", boss.token)).status).toBe(200);
    }
    await sys.setRole(boss.id, "REGULAR");
    const tookMs = await within(
      BOUND_MS,
      async () => (await get(sys.services.agent, "/api/agents/audit", boss.token)).status === 403,
      "agent-service still answers the audit log to a demoted ADMIN",
    );
    for (const base of [sys.url, sys.services.agent]) {
      const audit = await get(base, "/api/agents/audit", boss.token);
      expect(audit.status, base).toBe(403);
      expect(((await audit.json()) as { error: string }).error).toMatch(/ADMIN/);
      expect((await get(base, "/api/agents?all=true", boss.token)).status, base).toBe(403);
      // still a REGULAR user
      expect((await get(base, "/api/agents", boss.token)).status, base).toBe(200);
    }
    console.log(`[${kind}] demoted ADMIN refused by agent-service after ${tookMs} ms`);
  });

  it("closes the open socket of a user set INACTIVE within 5 s (error frame, 4403)", async () => {
    const carl = await person("REGULAR");
    const agent = await createAgent(carl);
    const viaToken = await socket(agent, `?access-token=${carl.token}`);
    const ticket = (await (
      await fetch(`${sys.url}/api/agents/${agent.id}/ws-ticket`, {
        method: "POST",
        headers: { authorization: `Bearer ${carl.token}` },
      })
    ).json()) as WsTicketResponse;
    const viaTicket = await socket(agent, `?ticket=${encodeURIComponent(ticket.ticket)}`);
    const changedAt = Date.now();
    await sys.setRole(carl.id, "INACTIVE");
    for (const s of [viaToken, viaTicket]) {
      const end = await Promise.race([
        s.closed,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("still open after 5 s")), BOUND_MS),
        ),
      ]);
      expect(end.code).toBe(CLOSE_ACCESS_REVOKED);
      expect(end.reason).toBe("account deactivated");
      expect(end.at - changedAt).toBeLessThanOrEqual(BOUND_MS);
      expect(s.frames.at(-1)).toMatchObject({ type: "error", code: "ACCESS_REVOKED" });
    }
    // and a new socket is refused before the upgrade
    const again = await openSocket(sys.wsUrl, agent.id, `?access-token=${carl.token}`);
    expect(again.opened).toBe(false);
    console.log(
      `[${kind}] INACTIVE user's sockets closed ${(await viaToken.closed).at - changedAt} ms after`,
    );
  });

  it("closes a socket when its token expires (error frame, 4401)", async () => {
    const dora = await person("REGULAR");
    const agent = await createAgent(dora);
    // a token with 3 s left: it verifies, opens the socket, and then expires
    const shortLived = sys.mint({
      userName: dora.name,
      userId: dora.id,
      role: "REGULAR",
      expiresInMinutes: 1,
      issuedAt: new Date(Date.now() - 57_000),
    });
    const s = await socket(agent, `?access-token=${shortLived}`);
    const openedAt = Date.now();
    const end = await s.closed;
    expect(end.code).toBe(CLOSE_TOKEN_EXPIRED);
    expect(end.reason).toBe("token expired");
    expect(end.at - openedAt).toBeLessThanOrEqual(3_000 + 2_000);
    expect(s.frames.at(-1)).toMatchObject({ type: "error", code: "TOKEN_EXPIRED" });
  });

  it(`refuses a user's socket beyond ${MAX_SOCKETS} with 429 and a clear error, never another user's`, async () => {
    const [erin, fred] = await Promise.all([person("REGULAR"), person("REGULAR")]);
    const [agent, fredsAgent] = await Promise.all([createAgent(erin), createAgent(fred)]);
    const open: { ws: WebSocket }[] = [];
    for (let i = 0; i < MAX_SOCKETS; i++) open.push(await socket(agent, `?access-token=${erin.token}`));
    const refused = await openSocket(sys.wsUrl, agent.id, `?access-token=${erin.token}`);
    expect(refused.opened).toBe(false);
    if (!refused.opened) {
      expect(refused.status).toBe(429);
      expect(refused.body).toMatch(/AGENT_MAX_SOCKETS_PER_USER/);
    }
    const freds = await socket(fredsAgent, `?access-token=${fred.token}`);
    // a closed socket gives its slot back
    open.pop()!.ws.close();
    await within(
      BOUND_MS,
      async () => {
        const outcome = await openSocket(sys.wsUrl, agent.id, `?access-token=${erin.token}`);
        if (outcome.opened) open.push({ ws: outcome.ws as WebSocket });
        return outcome.opened;
      },
      "a slot freed by a closed socket",
    );
    for (const s of [...open, freds]) s.ws.close();
  });

  it("refuses a ticket beside a token at the gateway (access-control) and at agent-service alike", async () => {
    const [gus, hal] = await Promise.all([person("REGULAR"), person("REGULAR")]);
    const agent = await createAgent(gus);
    const ticketFor = async () =>
      (
        (await (
          await fetch(`${sys.url}/api/agents/${agent.id}/ws-ticket`, {
            method: "POST",
            headers: { authorization: `Bearer ${gus.token}` },
          })
        ).json()) as WsTicketResponse
      ).ticket;
    for (const base of [sys.wsUrl, sys.services.agent.replace("http:", "ws:")]) {
      // gus's ticket with hal's token: one of the two identities would have been picked, on each side another
      for (const query of [
        `?ticket=${encodeURIComponent(await ticketFor())}&access-token=${hal.token}`,
        `?access-token=${hal.token}&tick%65t=${encodeURIComponent(await ticketFor())}`,
      ]) {
        const outcome = await openSocket(base, agent.id, query);
        expect(outcome.opened, `${base} ${query.slice(0, 12)}`).toBe(false);
        if (!outcome.opened) expect(outcome.status).toBe(401);
      }
    }
  });
});
