/**
 * FAULTS, against 2 agent-service replicas on one PostgreSQL behind the gateway:
 * (a) LiteLLM failing under load (HTTP 500 and 429, a reset, a malformed or broken stream, a stream that
 *     stops): every client gets an error frame naming the cause, or its completed run; none hangs;
 * (b) kill -9 of the replica running the agents, with watchers on the other replica: they are told within
 *     AGENT_CLUSTER_SWEEP_MS + 1 s, the saved steps survive, the agents take new messages, and the killed
 *     replica's sockets reconnect through the gateway;
 * (c) PostgreSQL stopped and started mid-run: sockets stay open, runs end with DATABASE_UNAVAILABLE, a new
 *     message while it is down is refused at once, every socket gets a fresh init within 5 s of its return,
 *     nothing a client saw is missing, and new runs work;
 * (d) the same through a plain `pg_ctl restart -m fast` mid-run.
 * Each part prints what it measured. CLUSTER_GATEWAY=nginx runs it through real nginx.
 */
import { type Agent, type ReActStep, type ServerFrame, stepKind } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAgent,
  inBatches,
  percentile,
  ReactClient,
  runProblems,
  savedSteps,
  sleep,
  stepsIn,
  summarize,
} from "./cluster-clients.ts";
import {
  CLUSTER_MODEL,
  type Cluster,
  type ClusterGateway,
  FAULT_CODES,
  type FaultKind,
  startCluster,
} from "./cluster-harness.ts";

const GATEWAY = (process.env.CLUSTER_GATEWAY ?? "builtin") as ClusterGateway;
const SWEEP_MS = 500;
/** The contract's bound for telling other replicas' sockets that a dead replica's run is over. */
const TOLD_WITHIN_MS = SWEEP_MS + 1_000;
/** The contract's bound for the fresh init after PostgreSQL is back. */
const RESYNC_WITHIN_MS = 5_000;
/** LLM_IDLE_TIMEOUT_MS: a stream that stops fails after this long. */
const IDLE_TIMEOUT_MS = 2_000;

let cluster: Cluster;
const open: ReactClient[] = [];
const user = { id: 8100, name: "faults-user" };
let token: string;

beforeAll(async () => {
  cluster = await startCluster({
    replicas: 2,
    gateway: GATEWAY,
    sweepMs: SWEEP_MS,
    env: {
      AGENT_MAX_CONCURRENT_RUNS_PER_USER: "0",
      AGENT_MAX_RUNS_PER_MINUTE_PER_USER: "0",
      // many sockets per user: no per-user socket cap
      AGENT_MAX_SOCKETS_PER_USER: "0",
      AGENT_DAILY_TOKEN_BUDGET_REGULAR: "0",
      // failures come fast: two tries, short backoff, a short idle timeout
      LLM_MAX_ATTEMPTS: "2",
      LLM_RETRY_BASE_MS: "50",
      LLM_RETRY_MAX_DELAY_MS: "200",
      LLM_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
    },
  });
  token = cluster.mint(user);
}, 180_000);

afterAll(async () => {
  for (const c of open) c.close();
  await cluster?.stop();
});

async function agents(count: number, prefix: string): Promise<Agent[]> {
  return inBatches(
    Array.from({ length: count }, (_, i) => i),
    25,
    (i) => createAgent(cluster.url, token, CLUSTER_MODEL, `${prefix} ${i}`),
  );
}

async function connect(wsBase: string, agent: Agent, label: string): Promise<ReactClient> {
  const client = await ReactClient.open(wsBase, agent.id, { token }, { label });
  open.push(client);
  return client;
}

const ms = (value: number) => `${Math.round(value)} ms`;
const stepKey = (s: ReActStep) => `${s.index}:${stepKind(s)}:${s.runId}:${s.content}`;

describe(`cluster FAULTS (2 replicas, ${GATEWAY} gateway)`, () => {
  it("(a) LiteLLM failing under load: each of 200 clients gets an error naming the cause or its reply, none hangs", async () => {
    const kinds: Array<FaultKind | "ok"> = [
      "ok",
      "ok",
      "500",
      "429",
      "reset",
      "malformed",
      "stream-error",
      "hang",
    ];
    const list = await agents(200, "llm-fault");
    const clients = await inBatches(list, 50, (a, i) => connect(cluster.wsUrl, a, `llm-fault ${i}`));
    const deadline = 10_000 + IDLE_TIMEOUT_MS; // the slowest case: a stopped stream times out once
    const results = await Promise.allSettled(
      clients.map(async (client, i) => {
        const kind = kinds[i % kinds.length]!;
        const from = client.frames.length;
        const sentAt = client.send({
          type: "message",
          content: kind === "ok" ? `load ok${i} 20` : `fault ${kind} f${i}`,
        });
        const done = await client.next("complete", from, deadline);
        return { kind, frames: client.since(from), took: done.at - sentAt };
      }),
    );
    const hung = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
    expect(hung.slice(0, 5), `${hung.length} clients got no complete within ${deadline} ms`).toEqual([]);

    const problems: string[] = [];
    const took = new Map<string, number[]>();
    for (const r of results) {
      if (r.status !== "fulfilled") continue;
      const { kind, frames } = r.value;
      took.set(kind, [...(took.get(kind) ?? []), r.value.took]);
      const found = runProblems(frames);
      const errors = frames.filter((f) => f.type === "error");
      const complete = frames.at(-1) as Extract<ServerFrame, { type: "complete" }>;
      if (kind === "ok") {
        if (complete.reason !== "done") found.push(`ended ${complete.reason}`);
        if (errors.length > 0) found.push(`error frames ${summarize(errors)}`);
      } else {
        const code = FAULT_CODES[kind];
        const system = stepsIn(frames).filter((s) => stepKind(s) === "system");
        if (complete.reason !== "error") found.push(`ended ${complete.reason}, not error`);
        if (errors.length !== 1 || errors[0]?.type !== "error" || errors[0].code !== code || !errors[0].error)
          found.push(`expected one error frame ${code}, got ${summarize(errors)}`);
        if (system.length !== 1 || system[0]!.error !== code)
          found.push(`expected a system step ${code}, got ${summarize(frames)}`);
      }
      problems.push(...found.map((p) => `${kind}: ${p}`));
    }
    console.log(
      `[cluster-faults] (a) 200 clients, message → complete per kind: ${[...took]
        .map(([k, t]) => `${k} p50 ${ms(percentile(t, 50))} max ${ms(Math.max(...t))}`)
        .join("; ")}`,
    );
    expect(problems.slice(0, 10), `${problems.length} problems`).toEqual([]);
  });

  describe("(b) kill -9 of the replica running the agents", () => {
    const AGENTS = 12;
    const list: Agent[] = [];
    const runners: ReactClient[] = [];
    const watchers: ReactClient[] = [];
    /** Step frames each watcher got before the kill. */
    const before: ReActStep[][] = [];
    let killedAt = 0;

    beforeAll(async () => {
      list.push(...(await agents(AGENTS, "kill")));
      const [r0, r1] = cluster.replicas as [Cluster["replicas"][0], Cluster["replicas"][0]];
      for (const [i, a] of list.entries()) {
        watchers.push(await connect(r1.wsUrl, a, `watcher ${i} (replica 1)`));
        runners.push(await connect(r0.wsUrl, a, `runner ${i} (replica 0)`));
      }
      // the runs start on replica 0 (where the message arrives): a tool turn is saved, then a slow stream
      for (const [i, r] of runners.entries()) r.send({ type: "message", content: `slow k${i} 100` });
      await Promise.all(
        watchers.map(async (w) => {
          const tool = await w.waitFor(
            (f) => f.type === "step" && stepKind(f.step) === "agent",
            1,
            20_000,
            "the tool turn",
          );
          await w.next("delta", tool.position + 1, 20_000);
        }),
      );
      for (const w of watchers) before.push(stepsIn(w.since(1)));
      killedAt = performance.now();
      await cluster.kill(0, "SIGKILL");
    }, 60_000);

    it(`the watchers on the survivor are told within AGENT_CLUSTER_SWEEP_MS + 1 s (${TOLD_WITHIN_MS} ms): INTERRUPTED, AVAILABLE, complete error`, async () => {
      const told: number[] = [];
      const problems: string[] = [];
      await Promise.all(
        watchers.map(async (w, i) => {
          const from = w.frames.findIndex((r) => r.at >= killedAt);
          const start = from < 0 ? w.frames.length : from;
          const done = await w.next("complete", start, 15_000);
          const after = w.since(start);
          const system = after.findIndex(
            (f) => f.type === "step" && stepKind(f.step) === "system" && f.step.error === "INTERRUPTED",
          );
          const available = after.findIndex((f) => f.type === "complete" && f.state === "AVAILABLE");
          if (system < 0 || available < system || after.indexOf(done.frame) < available)
            problems.push(`watcher ${i}: ${summarize(after)}`);
          if (done.frame.reason !== "error") problems.push(`watcher ${i}: complete ${done.frame.reason}`);
          if (system >= 0) told.push(w.frames[start + system]!.at - killedAt);
        }),
      );
      console.log(
        `[cluster-faults] (b) kill -9: survivors' clients told after p50 ${ms(percentile(told, 50))}, ` +
          `max ${ms(Math.max(...told))} (bound ${TOLD_WITHIN_MS} ms)`,
      );
      expect(problems).toEqual([]);
      expect(Math.max(...told)).toBeLessThanOrEqual(TOLD_WITHIN_MS);
    });

    it("the killed replica's sockets closed with 1006", async () => {
      const codes = await Promise.all(
        runners.map((r) => Promise.race([r.closed, sleep(5_000).then(() => -1)])),
      );
      expect(codes).toEqual(runners.map(() => 1006));
    });

    it("every step saved before the kill is still there (REST through the gateway, and in a new socket's init through the gateway)", async () => {
      const reconnect: number[] = [];
      for (const [i, a] of list.entries()) {
        const saved = await savedSteps(cluster.url, token, a.id);
        const keys = saved.map(stepKey);
        for (const s of before[i]!) expect(keys, `agent ${i}`).toContain(stepKey(s));
        expect(saved.at(-1), `agent ${i}`).toMatchObject({ error: "INTERRUPTED" });
        expect(stepKind(saved.at(-1)!), `agent ${i}`).toBe("system");
        // the runner's user reconnects: the gateway skips the dead replica
        const t = performance.now();
        const again = await connect(cluster.wsUrl, a, `reconnect ${i}`);
        reconnect.push(performance.now() - t);
        const init = again.frames[0]!.frame as Extract<ServerFrame, { type: "init" }>;
        expect(init.state).toBe("AVAILABLE");
        expect(init.steps.map(stepKey)).toEqual(keys);
      }
      console.log(
        `[cluster-faults] (b) reconnect through the gateway after the kill: p50 ${ms(percentile(reconnect, 50))}, max ${ms(Math.max(...reconnect))}`,
      );
    });

    it("the agents accept a new message on the surviving replica", async () => {
      await Promise.all(
        watchers.map(async (w, i) => {
          const from = w.frames.length;
          w.send({ type: "message", content: `load after-kill-${i} 10` });
          const done = await w.next("complete", from, 15_000);
          expect(done.frame.reason).toBe("done");
          expect(runProblems(w.since(from)), `watcher ${i}`).toEqual([]);
        }),
      );
    });

    it("the killed replica comes back and serves the same agents", async () => {
      const t = performance.now();
      await cluster.restartReplica(0);
      const back = performance.now() - t;
      const client = await connect(cluster.replicas[0]!.wsUrl, list[0]!, "restarted replica 0");
      const from = client.frames.length;
      client.send({ type: "message", content: "load back 10" });
      expect((await client.next("complete", from, 15_000)).frame.reason).toBe("done");
      console.log(`[cluster-faults] (b) replica 0 restarted and healthy in ${ms(back)}`);
    });
  });

  describeOutage(
    "(c) PostgreSQL stopped mid-run, started again once the runs ended (8 s at most)",
    "stop-start",
  );
  describeOutage("(d) PostgreSQL restarted mid-run (pg_ctl restart -m fast)", "restart");
});

/**
 * Slow runs (a saved tool turn, then a stream) on sockets spread by the gateway over both replicas, and
 * idle sockets directly on each replica; then PostgreSQL goes away: `stop-start` keeps it down (a message
 * sent meanwhile must be refused at once) until the runs have ended or 8 s passed, `restart` is
 * `pg_ctl restart -m fast`.
 */
function describeOutage(title: string, outage: "stop-start" | "restart"): void {
  describe(title, () => {
    const RUNS = 10;
    const IDLE = 4;
    const part = title.slice(0, 3);
    let runners: ReactClient[] = [];
    let idle: ReactClient[] = [];
    /** Step frames each runner got before the database went away. */
    const before: ReActStep[][] = [];
    const runIds: string[] = [];
    let downAt = 0;
    let upAt = 0;
    const refusedWhileDown: Array<{ when: string; frame: ServerFrame; took: number }> = [];
    let endedWhileDown = 0;

    beforeAll(async () => {
      if (!cluster.replicas[0]!.alive()) await cluster.restartReplica(0);
      const running = await agents(RUNS, `${part} run`);
      const waiting = await agents(IDLE, `${part} idle`);
      runners = await inBatches(running, 10, (a, i) => connect(cluster.wsUrl, a, `${part} runner ${i}`));
      idle = await inBatches(waiting, 4, (a, i) =>
        connect(cluster.replicas[i % 2]!.wsUrl, a, `${part} idle ${i} (replica ${i % 2})`),
      );
      for (const [i, r] of runners.entries()) r.send({ type: "message", content: `slow p${i} 100` });
      await Promise.all(
        runners.map(async (r, i) => {
          const user = await r.waitFor(
            (f) => f.type === "step" && stepKind(f.step) === "user",
            1,
            20_000,
            "the user step",
          );
          runIds[i] = (user.frame as Extract<ServerFrame, { type: "step" }>).step.runId;
          const tool = await r.waitFor(
            (f) => f.type === "step" && stepKind(f.step) === "agent",
            1,
            20_000,
            "the tool turn",
          );
          await r.next("delta", tool.position + 1, 20_000);
        }),
      );
      for (const r of runners) before.push(stepsIn(r.since(1)));

      downAt = performance.now();
      if (outage === "restart") {
        await cluster.pg.restart();
      } else {
        await cluster.pg.stop();
        // a new message while the database is down: refused at once, never left hanging; sent at once,
        // and again once the runs in progress have ended (waited for up to 8 s)
        const probe = (when: string) =>
          Promise.all(
            idle.map(async (c) => {
              const from = c.frames.length;
              const sentAt = c.send({ type: "message", content: "load while-down 5" });
              const got = await c.waitFor(
                (f) => f.type === "error" || f.type === "complete",
                from,
                10_000,
                "an answer",
              );
              refusedWhileDown.push({ when, frame: got.frame, took: got.at - sentAt });
            }),
          );
        await probe("right after the stop");
        const ended = await Promise.all(
          runners.map((r) => r.waitFor((f) => f.type === "complete", 1, 8_000).catch(() => undefined)),
        );
        endedWhileDown = ended.filter(Boolean).length;
        await probe("after the runs ended");
        await cluster.pg.start();
      }
      upAt = performance.now();
    }, 90_000);

    it("sockets stay open through the outage", () => {
      const closed = [...runners, ...idle].filter((c) => !c.open).map((c) => `${c.label} (${c.closeCode})`);
      expect(closed).toEqual([]);
    });

    if (outage === "stop-start")
      it("a new message while the database is down gets an error frame DATABASE_UNAVAILABLE at once", () => {
        console.log(
          `[cluster-faults] ${part} messages while PostgreSQL was down answered after max ${ms(Math.max(...refusedWhileDown.map((r) => r.took)))}`,
        );
        expect(refusedWhileDown.map(({ when, frame }) => ({ when, frame }))).toEqual(
          refusedWhileDown.map(({ when }) => ({
            when,
            frame: expect.objectContaining({ type: "error", code: "DATABASE_UNAVAILABLE" }),
          })),
        );
      });

    it("runs in progress end: DATABASE_UNAVAILABLE, then state AVAILABLE and complete error", async () => {
      const problems: string[] = [];
      const ended: number[] = [];
      await Promise.all(
        runners.map(async (r, i) => {
          const start = r.frames.findIndex((x) => x.at >= downAt);
          const done = await r.next("complete", start < 0 ? r.frames.length : start, 20_000);
          const after = r.since(start);
          const error = after.findIndex((f) => f.type === "error" && f.code === "DATABASE_UNAVAILABLE");
          const available = after.findIndex((f) => f.type === "complete" && f.state === "AVAILABLE");
          if (error < 0 || available < error) problems.push(`runner ${i}: ${summarize(after)}`);
          if (done.frame.reason !== "error") problems.push(`runner ${i}: complete ${done.frame.reason}`);
          ended.push(done.at - downAt);
        }),
      );
      console.log(
        `[cluster-faults] ${part} runs ended after PostgreSQL went away: max ${ms(Math.max(...ended))}` +
          (outage === "stop-start" ? `; ${endedWhileDown}/${RUNS} while it was down` : ""),
      );
      expect(problems).toEqual([]);
    });

    it(`every socket gets a fresh init within ${RESYNC_WITHIN_MS} ms of PostgreSQL's return, with nothing it saw missing and the runs marked INTERRUPTED`, async () => {
      const resync: number[] = [];
      const problems: string[] = [];
      await Promise.all(
        [...runners, ...idle].map(async (c) => {
          // the first init after the database went away (it cannot come before it is back)
          const start = c.frames.findIndex((x) => x.at >= downAt);
          try {
            const init = await c.next("init", start < 0 ? c.frames.length : Math.max(start, 1), 15_000);
            resync.push(init.at - upAt);
          } catch (error) {
            problems.push(String(error));
          }
        }),
      );
      console.log(
        `[cluster-faults] ${part} fresh init after PostgreSQL came back: p50 ${ms(percentile(resync, 50))}, max ${ms(Math.max(...resync))} ` +
          `(down for ${ms(upAt - downAt)})`,
      );
      expect(problems).toEqual([]);
      expect(Math.max(...resync)).toBeLessThanOrEqual(RESYNC_WITHIN_MS);
      for (const [i, r] of runners.entries()) {
        const init = [...r.frames].reverse().find((x) => x.frame.type === "init")!.frame as Extract<
          ServerFrame,
          { type: "init" }
        >;
        const keys = init.steps.map(stepKey);
        for (const s of before[i]!)
          expect(keys, `runner ${i}: a step it saw is missing`).toContain(stepKey(s));
        expect(init.state, `runner ${i}`).toBe("AVAILABLE");
        expect(
          init.steps.filter((s) => s.runId === runIds[i] && stepKind(s) === "system").map((s) => s.error),
          `runner ${i}: the interrupted run's system step`,
        ).toEqual(["INTERRUPTED"]);
      }
    });

    it("new runs work once it is back (and how long until serving again)", async () => {
      const t = performance.now();
      const done: number[] = [];
      await Promise.all(
        [...runners, ...idle].map(async (c, i) => {
          const from = c.frames.length;
          c.send({ type: "message", content: `load after-pg-${i} 10` });
          const complete = await c.next("complete", from, 20_000);
          expect(complete.frame.reason, c.label).toBe("done");
          expect(runProblems(c.since(from)), c.label).toEqual([]);
          done.push(complete.at - upAt);
        }),
      );
      expect([...runners, ...idle].filter((c) => !c.open).map((c) => c.label)).toEqual([]);
      console.log(
        `[cluster-faults] ${part} serving again: new runs done ${ms(Math.min(...done))}–${ms(Math.max(...done))} after PostgreSQL was back ` +
          `(sent ${ms(t - upAt)} after)`,
      );
    });
  });
}
