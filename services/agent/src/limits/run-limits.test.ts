import { createSigner } from "@texera-agent/auth";
import { afterEach, describe, expect, it } from "vitest";
import { parseAgentEnv } from "../config.ts";
import { type GuardedApp, startGuardedApp } from "../testing/guarded-app.ts";
import { eventually, FrameClient, SECRET, USERS } from "../testing/harness.ts";
import { DEFAULT_RUN_LIMITS, loadRunLimits, type RunLimitsConfig } from "./limits-config.ts";

let g: GuardedApp | undefined;
const clients: FrameClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await g?.close();
  g = undefined;
});

async function start(limits: Partial<RunLimitsConfig>): Promise<GuardedApp> {
  g = await startGuardedApp({
    deps: {
      limits: { maxConcurrentRunsPerUser: 0, maxRunsPerMinutePerUser: 0, dailyTokenBudget: {}, ...limits },
    },
  });
  return g;
}

async function open(app: GuardedApp, id: string, token = app.tokens.owner): Promise<FrameClient> {
  const c = await FrameClient.open(app.ws(`/api/agents/${id}/react?access-token=${token}`));
  clients.push(c);
  await c.next("init");
  return c;
}

/** Sends a message and waits for the run's end (or the refusal). */
async function ask(c: FrameClient, content: string) {
  const before = c.frames.length;
  c.send({ type: "message", content });
  const end = await Promise.race([
    c.next("complete", () => c.frames.length > before),
    c.next("error", () => c.frames.length > before),
  ]);
  return end;
}

describe("run limits", () => {
  it("refuses a run over the concurrent limit with an error frame, without asking the LLM", async () => {
    const app = await start({ maxConcurrentRunsPerUser: 1 });
    app.sim.setFault("sim-small", { tokensPerSecond: 20 });
    const [a, b] = [await app.createAgent(), await app.createAgent()];
    const ca = await open(app, a);
    const cb = await open(app, b);
    ca.send({ type: "message", content: "tokens: 200" });
    await ca.next("state", (f) => f.state === "GENERATING");
    await eventually(() => app.sim.counters.chatRequests === 1, 3_000, "the first run's request");

    cb.send({ type: "message", content: "hello" });
    const refused = await cb.next("error");
    expect(refused.code).toBe("RATE_LIMITED");
    expect(refused.error).toMatch(/AGENT_MAX_CONCURRENT_RUNS_PER_USER = 1/);
    expect(cb.frames.some((f) => f.type === "state" && f.state === "GENERATING")).toBe(false);
    expect(app.sim.counters.chatRequests).toBe(1);

    // another user is not affected
    const other = await app.createAgent(app.tokens.other);
    const co = await open(app, other, app.tokens.other);
    expect((await ask(co, "hi")).type).toBe("complete");

    // the slot comes back when the run ends
    ca.send({ type: "stop" });
    await ca.next("complete");
    expect((await ask(cb, "hello again")).type).toBe("complete");
  });

  it("refuses the runs over the per-minute limit until the minute has passed", async () => {
    const app = await start({ maxRunsPerMinutePerUser: 2 });
    const c = await open(app, await app.createAgent());
    expect((await ask(c, "one")).type).toBe("complete");
    expect((await ask(c, "two")).type).toBe("complete");
    const refused = await ask(c, "three");
    expect(refused).toMatchObject({ type: "error", code: "RATE_LIMITED" });
    expect(refused.type === "error" && refused.error).toMatch(
      /AGENT_MAX_RUNS_PER_MINUTE_PER_USER = 2.*retry in \d+ s/,
    );
    expect(app.sim.counters.chatRequests).toBe(2);
    app.clock.now = new Date(app.clock.now.getTime() + 61_000);
    expect((await ask(c, "four")).type).toBe("complete");
  });

  it("stops a user whose tokens today reached the role's budget, until 00:00 UTC", async () => {
    const app = await start({ dailyTokenBudget: { REGULAR: 100, ADMIN: 0 } });
    // a token that outlives the move of the clock to the next day (a socket ends with its token)
    const twoDays = createSigner({ secret: SECRET, expiresInMinutes: 2 * 24 * 60 })({
      userName: "owner",
      userId: USERS.owner,
      role: "REGULAR",
    }).token;
    const c = await open(app, await app.createAgent(), twoDays);
    const first = await ask(c, "tokens: 150");
    expect(first.type).toBe("complete");
    const spent = async () =>
      (
        await app.app.inject({
          url: "/api/agents/audit?action=run.end",
          headers: { authorization: `Bearer ${app.tokens.admin}` },
        })
      ).json().events[0]?.tokens as number | undefined;
    // run.end is written after the run's usage was counted
    let tokens: number | undefined;
    for (let i = 0; i < 100 && tokens === undefined; i++) {
      tokens = await spent();
      if (tokens === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    expect(tokens).toBeGreaterThanOrEqual(150);

    const refused = await ask(c, "more");
    expect(refused).toMatchObject({ type: "error", code: "RATE_LIMITED" });
    expect(refused.type === "error" && refused.error).toMatch(
      /daily token budget.*AGENT_DAILY_TOKEN_BUDGET_REGULAR.*00:00 UTC/,
    );
    expect(app.sim.counters.chatRequests).toBe(1);

    // the admin budget is unlimited (0); the next UTC day starts afresh
    const ca = await open(app, await app.createAgent(app.tokens.admin), app.tokens.admin);
    expect((await ask(ca, "tokens: 150")).type).toBe("complete");
    const now = app.clock.now;
    app.clock.now = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 0, 0, 1),
    );
    expect((await ask(c, "next day")).type).toBe("complete");
  });
});

describe("loadRunLimits", () => {
  it("reads the environment, with defaults", () => {
    expect(loadRunLimits(parseAgentEnv({}))).toEqual(DEFAULT_RUN_LIMITS);
    expect(
      loadRunLimits(
        parseAgentEnv({
          AGENT_MAX_CONCURRENT_RUNS_PER_USER: "5",
          AGENT_MAX_RUNS_PER_MINUTE_PER_USER: "0",
          AGENT_DAILY_TOKEN_BUDGET_REGULAR: "10",
          AGENT_DAILY_TOKEN_BUDGET_ADMIN: "20",
        }),
      ),
    ).toEqual({
      maxConcurrentRunsPerUser: 5,
      maxRunsPerMinutePerUser: 0,
      dailyTokenBudget: { REGULAR: 10, ADMIN: 20 },
    });
    expect(() => loadRunLimits(parseAgentEnv({ AGENT_MAX_RUNS_PER_MINUTE_PER_USER: "-1" }))).toThrow(
      /AGENT_MAX_RUNS_PER_MINUTE_PER_USER/,
    );
  });
});
