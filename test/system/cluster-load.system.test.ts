/**
 * LOAD: 1,000 WebSocket clients, each with its own agent (10 users × 100 agents, created over REST through
 * the gateway), spread over 2 agent-service replicas on one PostgreSQL by the gateway; each sends one
 * message and gets a streamed reply from llm-sim. 100 of them also have a watcher socket opened directly on
 * the other replica than their runner socket: it must see exactly the runner's frames (cross-replica
 * fan-out). No frame may be lost or out of order. Prints throughput and p99 (message → complete).
 *
 * CLUSTER_GATEWAY=nginx runs it through real nginx instead of the built-in gateway; CLUSTER_LOAD_USERS spreads
 * the agents over another number of users (default 10).
 */
import { execFileSync } from "node:child_process";
import { type Agent, stepKind } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAgent,
  gauge,
  inBatches,
  percentile,
  ReactClient,
  runProblems,
  savedSteps,
  stepsIn,
  summarize,
} from "./cluster-clients.ts";
import { CLUSTER_MODEL, type Cluster, type ClusterGateway, startCluster } from "./cluster-harness.ts";

const GATEWAY = (process.env.CLUSTER_GATEWAY ?? "builtin") as ClusterGateway;
const CLIENTS = 1_000;
/** 10 users with 100 agents each; CLUSTER_LOAD_USERS=1000 gives every agent its own user. */
const USERS = Number(process.env.CLUSTER_LOAD_USERS ?? 10);
/** Runner sockets that get a watcher on the other replica. */
const WATCHED = 100;
/** Filler tokens per reply (plus the 3 words of "Reply to <tag>."), streamed at 150 tokens/s. */
const TOKENS = 30;
/** Upgrades (and agent creations) in flight at once while ramping up. */
const RAMP_BATCH = 50;
/** Every run must have completed this long after the burst of messages. */
const RUN_DEADLINE_MS = 45_000;
/** File descriptors the gateway needs (two per proxied socket) with room to spare. */
const FDS_NEEDED = 4 * CLIENTS;

interface Client {
  user: { id: number; name: string };
  token: string;
  agent: Agent;
  tag: string;
  runner?: ReactClient;
  /** On the other replica than the runner (watched clients only). */
  watcher?: ReactClient;
  runnerReplica?: number;
  sentAt?: number;
  completeAt?: number;
  /** Position of the first frame after the message in runner.frames. */
  from?: number;
}

let cluster: Cluster;
const clients: Client[] = [];
const timings: Record<string, number> = {};

beforeAll(async () => {
  const limit = Number(execFileSync("sh", ["-c", "ulimit -n"]).toString().trim());
  if (Number.isFinite(limit) && limit < FDS_NEEDED)
    throw new Error(
      `open-file limit ${limit} is below the ${FDS_NEEDED} this suite needs (the gateway holds two descriptors per socket): raise it with \`ulimit -n ${FDS_NEEDED}\``,
    );
  let t = performance.now();
  cluster = await startCluster({
    replicas: 2,
    gateway: GATEWAY,
    env: {
      // 100 runs per user at once: the per-user limits would refuse most of them.
      AGENT_MAX_CONCURRENT_RUNS_PER_USER: "0",
      AGENT_MAX_RUNS_PER_MINUTE_PER_USER: "0",
      // many sockets per user: no per-user socket cap
      AGENT_MAX_SOCKETS_PER_USER: "0",
      AGENT_DAILY_TOKEN_BUDGET_REGULAR: "0",
    },
  });
  timings.startMs = performance.now() - t;

  t = performance.now();
  const users = Array.from({ length: USERS }, (_, u) => ({ id: 7001 + u, name: `load-user-${u}` }));
  const tokens = users.map((user) => cluster.mint(user));
  const specs = Array.from({ length: CLIENTS }, (_, i) => ({ u: i % USERS, tag: `c${i}` }));
  const agents = await inBatches(specs, RAMP_BATCH, ({ u, tag }) =>
    createAgent(cluster.url, tokens[u]!, CLUSTER_MODEL, `load ${tag}`),
  );
  specs.forEach(({ u, tag }, i) => {
    clients.push({ user: users[u]!, token: tokens[u]!, agent: agents[i]!, tag });
  });
  timings.createMs = performance.now() - t;

  // The watched runners one at a time, each followed by a scrape of both replicas' socket gauge: the one
  // that went up is the replica the gateway chose, and the watcher goes to the other.
  t = performance.now();
  const [r0, r1] = cluster.replicas as [Cluster["replicas"][0], Cluster["replicas"][0]];
  const open = () =>
    Promise.all([gauge(r0.url, "websocket_connections"), gauge(r1.url, "websocket_connections")]);
  let before = await open();
  for (const c of clients.slice(0, WATCHED)) {
    c.runner = await ReactClient.open(
      cluster.wsUrl,
      c.agent.id,
      { token: c.token },
      { label: `runner ${c.tag}` },
    );
    const after = await open();
    const grew = [after[0] - before[0], after[1] - before[1]];
    if (grew[0] === 1 && grew[1] === 0) c.runnerReplica = 0;
    else if (grew[0] === 0 && grew[1] === 1) c.runnerReplica = 1;
    else
      throw new Error(`cannot tell where runner ${c.tag} landed: websocket_connections went up by ${grew}`);
    const other = cluster.replicas[1 - c.runnerReplica]!;
    c.watcher = await ReactClient.open(
      other.wsUrl,
      c.agent.id,
      { token: c.token },
      { label: `watcher ${c.tag}` },
    );
    before = await open();
  }
  timings.watchedOpenMs = performance.now() - t;

  t = performance.now();
  await inBatches(clients.slice(WATCHED), RAMP_BATCH, async (c) => {
    c.runner = await ReactClient.open(
      cluster.wsUrl,
      c.agent.id,
      { token: c.token },
      { label: `runner ${c.tag}` },
    );
  });
  timings.openMs = performance.now() - t;
}, 180_000);

afterAll(async () => {
  for (const c of clients) {
    c.runner?.close();
    c.watcher?.close();
  }
  await cluster?.stop();
});

describe(`cluster LOAD: ${CLIENTS} clients over 2 replicas through the ${GATEWAY} gateway`, () => {
  it("the gateway spread the sockets over both replicas", async () => {
    const [a, b] = await Promise.all(cluster.replicas.map((r) => gauge(r.url, "websocket_connections")));
    console.log(
      `[cluster-load] started in ${ms(timings.startMs)}, ${CLIENTS} agents created in ${ms(timings.createMs)}, ` +
        `${WATCHED} runner+watcher pairs opened in ${ms(timings.watchedOpenMs)}, ` +
        `${CLIENTS - WATCHED} runners in ${ms(timings.openMs)}; sockets per replica: ${a}, ${b}`,
    );
    // every runner and every watcher, nothing else
    expect(a! + b!).toBe(CLIENTS + WATCHED);
    // round-robin: each replica has a fair share of the gateway's sockets (watchers are one per pair)
    const onFirst = clients.filter((c) => c.runnerReplica === 0).length;
    expect(onFirst, "watched runners on replica 0").toBeGreaterThanOrEqual(WATCHED * 0.3);
    expect(onFirst, "watched runners on replica 0").toBeLessThanOrEqual(WATCHED * 0.7);
    for (const n of [a!, b!]) expect(n).toBeGreaterThanOrEqual((CLIENTS + WATCHED) * 0.3);
  });

  it("every client gets its whole streamed reply, in order, and nothing is lost", async () => {
    const burst = performance.now();
    for (const c of clients) {
      c.from = c.runner!.frames.length;
      c.sentAt = c.runner!.send({ type: "message", content: `load ${c.tag} ${TOKENS}` });
    }
    const outcomes = await Promise.allSettled(
      clients.map(async (c) => {
        const done = await c.runner!.next("complete", c.from!, RUN_DEADLINE_MS);
        c.completeAt = done.at;
      }),
    );
    const hung = outcomes.flatMap((o, i) =>
      o.status === "rejected" ? [`${clients[i]!.tag}: ${o.reason}`] : [],
    );
    const latencies = clients.flatMap((c) => (c.completeAt ? [c.completeAt - c.sentAt!] : []));
    const last = Math.max(...clients.map((c) => c.completeAt ?? 0));
    console.log(
      `[cluster-load] ${latencies.length}/${CLIENTS} runs done in ${ms(last - burst)}: ` +
        `${((latencies.length / (last - burst)) * 1000).toFixed(0)} runs/s; message → complete ` +
        `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(Math.max(...latencies))}`,
    );
    expect(hung.slice(0, 10), `${hung.length} runs did not complete`).toEqual([]);

    const problems: string[] = [];
    for (const c of clients) {
      const frames = c.runner!.since(c.from!);
      const found = runProblems(frames);
      const complete = frames.at(-1);
      if (complete?.type !== "complete" || complete.reason !== "done")
        found.push(`ended ${summarize(frames.slice(-3))}`);
      const steps = stepsIn(frames);
      if (steps.map((s) => stepKind(s)).join(",") !== "user,agent") found.push(`steps ${summarize(frames)}`);
      const answer = steps[1]?.content ?? "";
      if (!answer.startsWith(`Reply to ${c.tag}.`) || answer.split(" ").length !== TOKENS + 3)
        found.push(`answer "${answer.slice(0, 40)}…" is not this client's (${TOKENS + 3} words)`);
      if (complete?.type === "complete" && steps.some((s) => s.runId !== complete.runId))
        found.push("a step of another run");
      if (frames.some((f) => f.type === "error")) found.push(`error frame ${summarize(frames)}`);
      problems.push(...found.map((p) => `${c.tag} (user ${c.user.id}): ${p}`));
    }
    expect(problems.slice(0, 20), `${problems.length} problems`).toEqual([]);
  });

  it("each watcher on the other replica saw exactly the runner's frames after init", async () => {
    const watched = clients.filter((c) => c.watcher);
    expect(watched).toHaveLength(WATCHED);
    await Promise.all(watched.map((c) => c.watcher!.next("complete", 1, 10_000)));
    const lags: number[] = [];
    const differ: string[] = [];
    for (const c of watched) {
      const seen = c.watcher!.since(1);
      const sent = c.runner!.since(1);
      try {
        expect(seen).toEqual(sent);
      } catch {
        differ.push(
          `${c.tag} (runner on replica ${c.runnerReplica}): runner ${summarize(sent)} watcher ${summarize(seen)}`,
        );
      }
      lags.push(c.watcher!.frames.at(-1)!.at - c.runner!.frames.at(-1)!.at);
    }
    console.log(
      `[cluster-load] cross-replica fan-out: complete reached the watcher p50 ${ms(percentile(lags, 50))}, ` +
        `p99 ${ms(percentile(lags, 99))} after the runner`,
    );
    expect(differ.slice(0, 5), `${differ.length} watchers saw other frames`).toEqual([]);
  });

  it("the saved history is what the sockets saw (a sample, read through the gateway)", async () => {
    const sample = clients.filter((_, i) => i % 25 === 0);
    await inBatches(sample, 10, async (c) => {
      expect(c.completeAt, `${c.tag}: its run did not complete`).toBeDefined();
      const saved = await savedSteps(cluster.url, c.token, c.agent.id);
      expect(saved, c.tag).toEqual(stepsIn(c.runner!.since(c.from!)));
    });
  });
});

const ms = (value: number | undefined) => `${Math.round(value ?? Number.NaN)} ms`;
