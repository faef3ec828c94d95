import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UserClaims } from "@texera-agent/auth";
import type { Database } from "@texera-agent/db";
import { createTestDatabase } from "@texera-agent/db/testing";
import { DEFAULT_AGENT_SETTINGS } from "@texera-agent/protocol";
import type { FastifyRequest } from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAgentDatabase } from "../db/open-agent-database.ts";
import type { AgentDatabase } from "../db/schema.ts";
import { DeferredWrites } from "../repositories/deferred-writes.ts";
import { createRepositories, type Repositories } from "../repositories/index.ts";
import type { RunLimitsConfig } from "./limits-config.ts";
import { createRunGate } from "./run-gate.ts";
import { type RunLimitError, RunLimits } from "./run-limits.ts";
import { SqlSharedRunCounts } from "./shared-run-counts.ts";
import { TokenUsage } from "./token-usage.ts";

// Two "replicas": two RunLimits, each with its own connection pool, over one PostgreSQL database.
const PG = process.env.TEST_POSTGRES_URL;

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const clock = { now: new Date(T0) };
const now = () => clock.now;
const at = (ms: number) => new Date(ms).toISOString();

const user = (userId: number): UserClaims => ({ sub: `user${userId}`, userId, role: "REGULAR", exp: 0 });

interface Replica {
  database: Database<AgentDatabase>;
  repos: Repositories;
  writes: DeferredWrites;
  limits(config: Partial<RunLimitsConfig>): RunLimits;
}

let dir: string;
let a: Replica;
let b: Replica;
let nextRun = 0;
let nextUser = 100;

async function openReplica(url: string): Promise<Replica> {
  const database = await openAgentDatabase({ url, dataDir: dir });
  const writes = new DeferredWrites(database.sql);
  const usage = new TokenUsage(database.sql, writes);
  const shared = new SqlSharedRunCounts(database.sql);
  return {
    database,
    repos: createRepositories(database.sql),
    writes,
    limits: (config) =>
      new RunLimits(
        { maxConcurrentRunsPerUser: 0, maxRunsPerMinutePerUser: 0, dailyTokenBudget: {}, ...config },
        usage,
        now,
        shared,
      ),
  };
}

/** A new user with one agent; returns the user and the agent's id. */
async function newUser(): Promise<{ claims: UserClaims; agentId: string }> {
  const userId = nextUser++;
  const agentId = `agent-${userId}`;
  await a.repos.agents.insert({
    id: agentId,
    ownerId: userId,
    name: agentId,
    modelType: "sim-small",
    settings: DEFAULT_AGENT_SETTINGS,
    createdAt: at(T0),
    headId: null,
  });
  return { claims: user(userId), agentId };
}

/**
 * Admits a run on a replica and names it, as RunGate does. `row()` writes its `runs` row (the run's first
 * commit, a moment later in the service); `end()` writes its end, then releases it (the service's order).
 */
async function admit(replica: Replica, limits: RunLimits, claims: UserClaims, agentId: string) {
  const admission = await limits.admit(claims);
  const runId = `run-${nextRun++}`;
  admission.started(runId);
  return {
    runId,
    row: () => replica.repos.runs.start(runId, agentId, clock.now.toISOString()),
    async end() {
      await replica.repos.runs.finish(runId, "done", clock.now.toISOString());
      admission.release();
    },
  };
}

/** Admits a run and writes its row at once. */
async function run(replica: Replica, limits: RunLimits, claims: UserClaims, agentId: string) {
  const r = await admit(replica, limits, claims, agentId);
  await r.row();
  return r;
}

async function refusal(promise: Promise<unknown>): Promise<RunLimitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: "RATE_LIMITED" });
  return error as RunLimitError;
}

describe.skipIf(!PG)("run limits shared by replicas over PostgreSQL", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "agent-limits-"));
    const url = await createTestDatabase(PG!, "limits");
    a = await openReplica(url);
    b = await openReplica(url);
  });
  afterAll(async () => {
    await a?.database.close();
    await b?.database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("counts the running runs of every replica against the concurrent limit", async () => {
    clock.now = new Date(T0);
    const [la, lb] = [a.limits({ maxConcurrentRunsPerUser: 2 }), b.limits({ maxConcurrentRunsPerUser: 2 })];
    const { claims, agentId } = await newUser();
    const first = await run(a, la, claims, agentId);
    await run(b, lb, claims, agentId);

    for (const limits of [la, lb]) {
      const refused = await refusal(limits.admit(claims));
      expect(refused.limit).toBe("AGENT_MAX_CONCURRENT_RUNS_PER_USER");
      expect(refused.message).toMatch(/you have 2 in progress \(AGENT_MAX_CONCURRENT_RUNS_PER_USER = 2\)/);
      expect(refused.headers["retry-after"]).toBe("5");
    }
    // another user is not affected
    const other = await newUser();
    await run(b, lb, other.claims, other.agentId);

    // a run ending on one replica frees the slot on the other
    await first.end();
    await run(b, lb, claims, agentId);
    await refusal(la.admit(claims));
  });

  it("counts its own runs before their rows are written, and each once after", async () => {
    clock.now = new Date(T0);
    const [la, lb] = [a.limits({ maxConcurrentRunsPerUser: 2 }), b.limits({ maxConcurrentRunsPerUser: 2 })];
    const { claims, agentId } = await newUser();
    const first = await admit(a, la, claims, agentId);
    const second = await admit(a, la, claims, agentId);
    // no row yet: the database knows of none, replica A knows of both
    expect((await refusal(la.admit(claims))).message).toMatch(/you have 2 in progress/);

    await Promise.all([first.row(), second.row()]);
    // visible now: A does not count them twice, B counts them
    expect((await refusal(la.admit(claims))).message).toMatch(/you have 2 in progress/);
    expect((await refusal(lb.admit(claims))).message).toMatch(/you have 2 in progress/);

    await first.end();
    // ended but within the minute: A keeps it out of the database's count, and does not count it
    const third = await run(a, la, claims, agentId);
    expect((await refusal(lb.admit(claims))).message).toMatch(/you have 2 in progress/);
    await Promise.all([second.end(), third.end()]);
    await run(b, lb, claims, agentId);
    await run(a, la, claims, agentId);
  });

  it("admits one run at a time on one replica: messages at once cannot share the last slot", async () => {
    clock.now = new Date(T0);
    const [la, lb] = [a.limits({ maxConcurrentRunsPerUser: 3 }), b.limits({ maxConcurrentRunsPerUser: 3 })];
    const { claims, agentId } = await newUser();
    await run(b, lb, claims, agentId);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => la.admit(claims)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
  });

  it("counts the runs started on every replica in the last minute", async () => {
    clock.now = new Date(T0);
    const [la, lb] = [a.limits({ maxRunsPerMinutePerUser: 3 }), b.limits({ maxRunsPerMinutePerUser: 3 })];
    const { claims, agentId } = await newUser();
    await (await run(a, la, claims, agentId)).end();
    clock.now = new Date(T0 + 10_000);
    await (await run(b, lb, claims, agentId)).end();
    clock.now = new Date(T0 + 20_000);
    await (await run(b, lb, claims, agentId)).end();

    clock.now = new Date(T0 + 30_000);
    for (const limits of [la, lb]) {
      const refused = await refusal(limits.admit(claims));
      expect(refused.limit).toBe("AGENT_MAX_RUNS_PER_MINUTE_PER_USER");
      expect(refused.message).toMatch(
        /3 in the last minute \(AGENT_MAX_RUNS_PER_MINUTE_PER_USER = 3\); retry in 30 s/,
      );
      expect(refused.retryAfterSec).toBe(30);
    }

    // the first run (A's own, ended) leaves the window: one slot, taken on B; A's retry waits for B's first
    clock.now = new Date(T0 + 60_001);
    await run(b, lb, claims, agentId);
    const refused = await refusal(la.admit(claims));
    expect(refused.message).toMatch(/3 in the last minute/);
    expect(refused.retryAfterSec).toBe(10);

    // own runs count before their rows are written; the other replica sees them once they are (until
    // then it lets runs through: the race the class comment describes)
    clock.now = new Date(T0 + 200_000);
    const unwritten = [];
    for (let i = 0; i < 3; i++) unwritten.push(await admit(a, la, claims, agentId));
    expect((await refusal(la.admit(claims))).message).toMatch(/3 in the last minute/);
    await lb.admit(claims);
    await Promise.all(unwritten.map((r) => r.row()));
    expect((await refusal(lb.admit(claims))).message).toMatch(/4 in the last minute/);
  });

  it("reads the day's spend in the same query", async () => {
    clock.now = new Date(T0);
    const la = a.limits({ maxConcurrentRunsPerUser: 5, dailyTokenBudget: { REGULAR: 100 } });
    const lb = b.limits({ maxConcurrentRunsPerUser: 5, dailyTokenBudget: { REGULAR: 100 } });
    const { claims, agentId } = await newUser();
    await run(a, la, claims, agentId);
    const spending = lb.spend(claims.userId, 150);
    await b.writes.flush();
    await spending;
    const refused = await refusal(la.admit(claims));
    expect(refused.limit).toBe("AGENT_DAILY_TOKEN_BUDGET");
    expect(refused.message).toMatch(/150 of 100 tokens used today \(AGENT_DAILY_TOKEN_BUDGET_REGULAR\)/);
    expect(refused.retryAfterSec).toBe(12 * 3600);
  });

  it("counts this replica's tokens that are not written yet", async () => {
    clock.now = new Date(T0);
    const la = a.limits({ maxConcurrentRunsPerUser: 5, dailyTokenBudget: { REGULAR: 100 } });
    const { claims } = await newUser();
    void la.spend(claims.userId, 150); // summed in memory, written a moment later
    const refused = await refusal(la.admit(claims));
    expect(refused.message).toMatch(/150 of 100 tokens used today/);
    await la.flush();
    await a.writes.flush();
  });

  it("createRunGate with sharedCounts names each run and gives its slot back when it ends", async () => {
    clock.now = new Date(T0);
    const log = pino({ enabled: false });
    const gate = (replica: Replica) =>
      createRunGate({
        db: replica.database.db,
        sql: replica.database.sql,
        writes: replica.writes,
        now,
        limits: { maxConcurrentRunsPerUser: 1, maxRunsPerMinutePerUser: 0, dailyTokenBudget: {} },
        sharedCounts: true,
        log,
      });
    const [ga, gb] = [gate(a), gate(b)];
    const { claims, agentId } = await newUser();
    const req = { user: claims, socket: { remoteAddress: "127.0.0.1" }, headers: {} } as FastifyRequest;
    const record = { id: agentId, modelType: "sim-small" } as Parameters<typeof ga.start>[1];
    const runId = `run-${nextRun++}`;
    await ga.start(req, record, "hi", () => ({ runId }));
    await a.repos.runs.start(runId, agentId, clock.now.toISOString());

    // A's row is its own: were it counted twice, the refusal would say 2
    expect((await refusal(ga.start(req, record, "hi", () => ({ runId: "never" })))).message).toMatch(
      /you have 1 in progress/,
    );
    await refusal(gb.start(req, record, "hi", () => ({ runId: "never" })));

    // a start that throws gives the slot back
    await a.repos.runs.finish(runId, "done", clock.now.toISOString());
    ga.ended(runId, "done");
    await expect(
      gb.start(req, record, "hi", () => {
        throw new Error("AGENT_BUSY");
      }),
    ).rejects.toThrow("AGENT_BUSY");
    await gb.start(req, record, "hi", () => ({ runId: `run-${nextRun++}` }));
    await Promise.all([a.writes.flush(), b.writes.flush()]);
  });
});
