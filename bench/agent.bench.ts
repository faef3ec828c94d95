/**
 * agent-service overhead, measured against its own baseline in the same run.
 *
 * 1. Time to first delta and whole-run time of one reply, through agent-service (WebSocket → agent-service
 *    → llm-sim and back) and directly (the OpenAI SDK streaming from llm-sim), with 1 and 100 concurrent
 *    sessions. Printed: the medians and p99s, and what agent-service adds (targets: median ≤ 1 ms,
 *    p99 ≤ 5 ms).
 * 2. 1,000 concurrent WebSocket sessions, each streaming a 200-token reply: frames lost or out of order
 *    (must be 0) and agent-service's peak RSS (target ≤ 400 MB).
 *
 * Three processes, as in a deployment: llm-sim (standing in for LiteLLM), agent-service (as `npm start` and
 * the chart's image run it: its built JavaScript under plain node, scripts/build.mjs; on a temporary SQLite
 * database, LOG_LEVEL=info) and this one (the clients: WebSockets for the path through agent-service,
 * the OpenAI SDK for the direct path). The direct path sends the very request agent-service sends (system
 * prompt, tools, settings: llm-sim does the same work on both paths), both paths are driven the same way
 * (all sessions at once, interleaved round by round after a warm-up), and both clocks run from the send to
 * the first text (a delta frame; a chunk with content as the SDK parsed it) and to the end of the reply.
 * Everything stays on 127.0.0.1.
 *
 * A third path gives the floor: a relay process that only passes bytes through (see startRelay). Read the
 * "added" numbers with it: the direct baseline pays the SDK's stream parsing in the client process (≈0.8 ms
 * per 50-token reply), which agent-service does with a leaner parser of its own; "agent-service over the
 * relay" is the service's own work, the extra process hop excluded.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openUserDatabase } from "@texera-agent/access-control";
import { createSigner } from "@texera-agent/auth";
import type { Fault } from "@texera-agent/llm-sim";
import { type ServerFrame, stepKind } from "@texera-agent/protocol";
import OpenAI from "openai";
import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import WebSocket from "ws";
import { buildAll } from "../scripts/build.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
// AGENT_BENCH_SOURCE=1: run agent-service from its TypeScript through tsx instead (a profile then names the
// source files).
const FROM_SOURCE = process.env.AGENT_BENCH_SOURCE === "1";
const MAIN = join(ROOT, FROM_SOURCE ? "services/agent/src/main.ts" : "services/agent/dist/main.js");
const SIM = join(ROOT, "tools/llm-sim/src/index.ts");
const SECRET = "agent-bench-secret-0123456789abcdef0123456789";
const KEY = "sk-agent-bench-master-key";
const MODEL = "sim-small";
const LATENCY_TOKENS = 50;
const LOAD_SESSIONS = 1_000;
const LOAD_TOKENS = 200;

/** A child process and what the bench reads of it in /proc. */
interface Child {
  child: ChildProcess;
  url: string;
  peakRssMb(): number;
  /** CPU time (user + system) the process has used so far, in ms (10 ms ticks). */
  cpuMs(): number;
  /** CPU of the process's main thread (its event loop) alone, without V8's and libuv's helper threads. */
  loopCpuMs(): number;
  stop(): Promise<void>;
}
type Service = Child;

/**
 * Spawns `node --import tsx <args>` (`tsx: false`: plain node) with its output going to a file (as a deployment's logs go to a file
 * or the container runtime, not to a client: a pipe to this process would wake the clients on every log
 * line of a run), and waits for the URL it logs.
 */
async function spawnNode(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  nodeFlags: string[] = [],
  tsx = true,
): Promise<Child> {
  // AGENT_BENCH_LOG: keep the children's output there (e.g. with --trace-gc in AGENT_BENCH_NODE_ARGS).
  const logDir = mkdtempSync(join(tmpdir(), "agent-bench-log-"));
  const logFile = process.env.AGENT_BENCH_LOG ?? join(logDir, "out");
  const out = openSync(logFile, "a");
  const from = fstatSync(out).size;
  const child = spawn(process.execPath, [...nodeFlags, ...(tsx ? ["--import", "tsx"] : []), ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  const log = () => readFileSync(logFile, "utf8").slice(from);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = ready.exec(log());
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 20);
    child.once("exit", (code) => {
      clearInterval(timer);
      reject(new Error(`${args[0]} exited with ${code}: ${log().slice(-5_000)}`));
    });
  });
  return {
    child,
    url,
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
    cpuMs() {
      const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 10 ms
    },
    loopCpuMs() {
      const stat = readFileSync(`/proc/${child.pid}/task/${child.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/** llm-sim in its own process, driven through its /sim control routes. */
interface Sim extends Child {
  setFault(model: string, fault: Fault | undefined): Promise<void>;
  /** The body of the last chat request it received. */
  lastChatBody(): Promise<ChatBody>;
}

async function startSim(): Promise<Sim> {
  const code =
    `const { startLlmSim } = await import(${JSON.stringify(SIM)});` +
    `const sim = await startLlmSim({ host: "127.0.0.1", port: 0, masterKey: process.env.KEY, maxRecorded: 20 });` +
    `console.log("llm-sim at " + sim.url);` +
    `process.on("SIGTERM", () => sim.close().then(() => process.exit(0)));`;
  const child = await spawnNode(["--input-type=module", "-e", code], { KEY }, /llm-sim at (http:\/\/\S+)/);
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${child.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`llm-sim ${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    ...child,
    async setFault(model, fault) {
      const path = `/sim/faults/${encodeURIComponent(model)}`;
      await (fault ? control("PUT", path, fault) : control("DELETE", path));
    },
    async lastChatBody() {
      const requests = (await control("GET", "/sim/requests")) as { path: string; body: unknown }[];
      const body = [...requests].reverse().find((r) => r.path.endsWith("/chat/completions"))?.body as
        | (ChatBody & { stream?: unknown; stream_options?: unknown })
        | undefined;
      if (!body) throw new Error("agent-service sent no chat request");
      const { stream: _s, stream_options: _o, ...rest } = body;
      return rest;
    },
  };
}

/**
 * The floor: a relay process in agent-service's place that does nothing but pass through. It takes the
 * request body in a WebSocket message, posts it to llm-sim over a kept-alive connection, and sends one
 * frame at the first bytes of the answer and one at its end (no parsing, no database, no logging). What it
 * adds over the direct path is what any process between the client and LiteLLM costs on this machine
 * (two more loopback hops and process wake-ups), so it shows how much of agent-service's added time is its
 * own work.
 */
async function startRelay(sim: Sim): Promise<Child> {
  const code = `
    const { WebSocketServer } = await import("ws");
    const http = await import("node:http");
    const agent = new http.Agent({ keepAlive: true });
    const target = new URL(process.env.SIM_URL + "/chat/completions");
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
    wss.on("connection", (ws) => ws.on("message", (data) => {
      const body = data.toString();
      const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: "POST",
        agent, headers: { "content-type": "application/json", authorization: "Bearer " + process.env.KEY,
        "content-length": Buffer.byteLength(body) } }, (res) => {
        let first = true;
        res.on("data", () => { if (first) { first = false; ws.send('{"type":"delta"}'); } });
        res.on("end", () => ws.send('{"type":"complete"}'));
      });
      req.end(body);
    }));
    wss.on("listening", () => console.log("relay at ws://127.0.0.1:" + wss.address().port));
    process.on("SIGTERM", () => process.exit(0));`;
  return spawnNode(["--input-type=module", "-e", code], { KEY, SIM_URL: sim.url }, /relay at (ws:\/\/\S+)/);
}

class RelayClient {
  private handler: ((type: string) => void) | undefined;
  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => this.handler?.((JSON.parse(data.toString()) as { type: string }).type));
  }

  static async open(url: string): Promise<RelayClient> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return new RelayClient(ws);
  }

  run(body: string): Promise<{ firstMs: number; totalMs: number }> {
    return new Promise((resolve) => {
      const t0 = performance.now();
      let first = 0;
      this.handler = (type) => {
        if (type === "delta") first = performance.now() - t0;
        if (type === "complete") resolve({ firstMs: first, totalMs: performance.now() - t0 });
      };
      this.ws.send(body);
    });
  }

  close(): void {
    this.ws.close();
  }
}

async function startService(sim: Sim, dataDir: string): Promise<Service> {
  // AGENT_BENCH_NODE_ARGS: extra node flags for agent-service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.AGENT_BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  return spawnNode(
    [MAIN],
    {
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      AUTH_JWT_SECRET: SECRET,
      AUTH_CONF_PATH: "",
      LITELLM_BASE_URL: sim.url,
      LITELLM_MASTER_KEY: KEY,
      LOG_LEVEL: "info",
      // One bench user drives every session: limits far above the load, so that the checks still run
      // (their cost is measured) but refuse nothing.
      AGENT_MAX_CONCURRENT_RUNS_PER_USER: "1000000",
      AGENT_MAX_RUNS_PER_MINUTE_PER_USER: "1000000",
      AGENT_DAILY_TOKEN_BUDGET_REGULAR: "1000000000000",
      AGENT_MAX_SOCKETS_PER_USER: "0",
    },
    /Server listening at (http:\/\/127\.0\.0\.1:\d+)/,
    extra,
    FROM_SOURCE,
  );
}

// ---------------------------------------------------------------------------------------------------------

class Session {
  private handler: ((f: ServerFrame) => void) | undefined;
  readonly ws: WebSocket;

  private constructor(
    ws: WebSocket,
    private readonly base: string,
    private readonly id: string,
    private readonly token: string,
  ) {
    this.ws = ws;
    ws.on("message", (data) => this.handler?.(JSON.parse(data.toString()) as ServerFrame));
  }

  /** Forgets the conversation, so every measured run sends the same one-message prompt as the direct path. */
  async clear(): Promise<void> {
    const res = await fetch(`${this.base}/api/agents/${this.id}/clear`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (res.status !== 200) throw new Error(`clear: ${res.status} ${await res.text()}`);
  }

  static async open(service: Service, token: string): Promise<Session> {
    const res = await fetch(`${service.url}/api/agents`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ modelType: MODEL }),
    });
    if (res.status !== 200) throw new Error(`create agent: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    const ws = new WebSocket(
      `${service.url.replace("http", "ws")}/api/agents/${id}/react?access-token=${token}&deltas=1`,
    );
    const session = new Session(ws, service.url, id, token);
    await new Promise<void>((resolve, reject) => {
      session.handler = (f) => {
        if (f.type === "init") resolve();
      };
      ws.once("error", reject);
    });
    return session;
  }

  /** Sends a message and resolves with the frames of the run (up to complete) and its timings. */
  run(content: string): Promise<{ firstMs: number; totalMs: number; frames: ServerFrame[] }> {
    return new Promise((resolve) => {
      const frames: ServerFrame[] = [];
      const t0 = performance.now();
      let first = 0;
      this.handler = (f) => {
        frames.push(f);
        if (f.type === "delta" && first === 0) first = performance.now() - t0;
        if (f.type === "complete") resolve({ firstMs: first, totalMs: performance.now() - t0, frames });
      };
      this.ws.send(JSON.stringify({ type: "message", content }));
    });
  }
}

/** The request agent-service sent for a run (system prompt, tools, settings), for the direct path to send. */
type ChatBody = Omit<ChatCompletionCreateParamsStreaming, "stream" | "stream_options">;

async function direct(client: OpenAI, body: ChatBody): Promise<{ firstMs: number; totalMs: number }> {
  const t0 = performance.now();
  let first = 0;
  const stream = await client.chat.completions.create({
    ...body,
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    if (first === 0 && chunk.choices[0]?.delta?.content) first = performance.now() - t0;
  }
  return { firstMs: first, totalMs: performance.now() - t0 };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function latency(
  service: Service,
  sim: Sim,
  relay: Child,
  token: string,
  concurrency: number,
  rounds: number,
) {
  const sessions = await Promise.all(Array.from({ length: concurrency }, () => Session.open(service, token)));
  const relays = await Promise.all(sessions.map(() => RelayClient.open(relay.url)));
  const client = new OpenAI({ baseURL: sim.url, apiKey: KEY, maxRetries: 0 });
  const via = { first: [] as number[], total: [] as number[] };
  const base = { first: [] as number[], total: [] as number[] };
  const floor = { first: [] as number[], total: [] as number[] };
  const content = `tokens: ${LATENCY_TOKENS}`;
  // The direct path sends the very request agent-service sends (system prompt, tools, settings), so that
  // llm-sim does the same work on both paths and only agent-service's own work is the difference.
  await sessions[0]!.run(content);
  await sessions[0]!.clear();
  const body = await sim.lastChatBody();
  const relayBody = JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } });
  // warm-up, then interleave the paths round by round so that drift hits them alike
  for (let i = 0; i < Math.ceil(50 / concurrency); i++) {
    await Promise.all(sessions.map((s) => s.run(content)));
    await Promise.all(sessions.map(() => direct(client, body)));
    await Promise.all(relays.map((r) => r.run(relayBody)));
    await Promise.all(sessions.map((s) => s.clear()));
  }
  let serviceCpu = 0;
  let serviceLoopCpu = 0;
  let clientCpu = 0;
  let viaSimCpu = 0;
  let directCpu = 0;
  let directSimCpu = 0;
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let r = 0; r < rounds; r++) {
    const cpu0 = service.cpuMs();
    const loop0 = service.loopCpuMs();
    const client0 = cpuMs();
    const sim0 = sim.cpuMs();
    const results = await Promise.all(sessions.map((s) => s.run(content)));
    serviceCpu += service.cpuMs() - cpu0;
    serviceLoopCpu += service.loopCpuMs() - loop0;
    clientCpu += cpuMs() - client0;
    viaSimCpu += sim.cpuMs() - sim0;
    await Promise.all(sessions.map((s) => s.clear()));
    for (const res of results) {
      via.first.push(res.firstMs);
      via.total.push(res.totalMs);
    }
    const own0 = cpuMs();
    const sim1 = sim.cpuMs();
    const directRuns = await Promise.all(sessions.map(() => direct(client, body)));
    directCpu += cpuMs() - own0;
    directSimCpu += sim.cpuMs() - sim1;
    for (const res of directRuns) {
      base.first.push(res.firstMs);
      base.total.push(res.totalMs);
    }
    for (const res of await Promise.all(relays.map((r) => r.run(relayBody)))) {
      floor.first.push(res.firstMs);
      floor.total.push(res.totalMs);
    }
  }
  for (const s of sessions) s.ws.close();
  for (const r of relays) r.close();
  const row = (what: string, v: number[], b: number[], f: number[]) => {
    const addedMedian = pct(v, 50) - pct(b, 50);
    const addedP99 = pct(v, 99) - pct(b, 99);
    const verdict = addedMedian <= 1 && addedP99 <= 5 ? "meets" : "MISSES";
    // When a target is missed, say how much of it a process that does nothing adds on this machine now.
    const floorMedian = pct(f, 50) - pct(b, 50);
    const floorP99 = pct(f, 99) - pct(b, 99);
    const context =
      verdict === "MISSES" && (floorMedian > 1 || floorP99 > 5)
        ? ` (a do-nothing relay in its place adds median ${ms(floorMedian)} p99 ${ms(floorP99)} here: out of ` +
          "reach on this machine under this load)"
        : "";
    console.log(
      `  ${what.padEnd(16)} direct median ${ms(pct(b, 50))} p99 ${ms(pct(b, 99))} | via agent-service median ` +
        `${ms(pct(v, 50))} p99 ${ms(pct(v, 99))} | added median ${ms(addedMedian)} p99 ${ms(addedP99)} ` +
        `→ ${verdict} the target (≤ 1 ms, ≤ 5 ms)${context}`,
    );
  };
  console.log(
    `${concurrency} concurrent session(s), ${via.first.length} runs each way, ${LATENCY_TOKENS}-token replies:`,
  );
  row("first delta", via.first, base.first, floor.first);
  row("whole run", via.total, base.total, floor.total);
  const added = (v: number[], b: number[]) =>
    `median ${ms(pct(v, 50) - pct(b, 50))} p99 ${ms(pct(v, 99) - pct(b, 99))}`;
  console.log(
    `  floor: a do-nothing relay process in agent-service's place adds ${added(floor.first, base.first)} ` +
      `(first bytes), ${added(floor.total, base.total)} (whole run); agent-service over the relay: ` +
      `${added(via.first, floor.first)} (first delta), ${added(via.total, floor.total)} (whole run)`,
  );
  const per = (x: number) => `${(x / via.first.length).toFixed(2)} ms`;
  console.log(
    `  CPU per run: agent-service ${per(serviceCpu)} (event loop ${per(serviceLoopCpu)}), WebSocket client ` +
      `${per(clientCpu)}, llm-sim ${per(viaSimCpu)} (from /proc, 10 ms ticks) | ` +
      `direct: OpenAI SDK client ${per(directCpu)}, llm-sim ${per(directSimCpu)}`,
  );
}

async function load(service: Service, token: string, sim: Sim) {
  await sim.setFault(MODEL, { tokensPerSecond: 50 });
  const sessions: Session[] = [];
  for (let i = 0; i < LOAD_SESSIONS; i += 50) {
    sessions.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, LOAD_SESSIONS - i) }, () => Session.open(service, token)),
      )),
    );
  }
  const t0 = performance.now();
  const results = await Promise.all(sessions.map((s) => s.run(`tokens: ${LOAD_TOKENS}`)));
  const took = performance.now() - t0;
  let lost = 0;
  let reordered = 0;
  let failed = 0;
  for (const { frames } of results) {
    const deltas = frames.flatMap((f) => (f.type === "delta" ? [f] : []));
    const answer = frames.find((f) => f.type === "step" && stepKind(f.step) === "agent");
    const complete = frames.at(-1);
    if (complete?.type !== "complete" || complete.reason !== "done" || answer?.type !== "step") {
      failed++;
      continue;
    }
    // Pieces of one burst may share a frame, so count words: the streamed text must be the reply, whole.
    const streamed = deltas.map((d) => d.text).join("");
    const words = streamed.split(" ").length;
    lost += Math.max(0, LOAD_TOKENS - words);
    if (streamed !== answer.step.content || words > LOAD_TOKENS) reordered++;
    // order of kinds: state, user step, deltas, agent step (then, as Texera, the agent step again and complete)
    const kinds = frames.map((f) => (f.type === "step" ? `step:${stepKind(f.step)}` : f.type));
    const firstDelta = kinds.indexOf("delta");
    const lastDelta = kinds.lastIndexOf("delta");
    if (
      kinds[0] !== "state" ||
      kinds[1] !== "step:user" ||
      firstDelta !== 2 ||
      kinds[lastDelta + 1] !== "step:agent" ||
      kinds.slice(firstDelta, lastDelta + 1).some((k) => k !== "delta")
    ) {
      reordered++;
    }
  }
  await sim.setFault(MODEL, undefined);
  for (const s of sessions) s.ws.close();
  console.log(
    `${LOAD_SESSIONS} concurrent WebSocket sessions × ${LOAD_TOKENS}-token replies (llm-sim at 50 tokens/s) in ` +
      `${(took / 1000).toFixed(1)} s: failed runs ${failed}, lost frames ${lost}, reordered runs ${reordered} ` +
      `→ ${failed + lost + reordered === 0 ? "meets" : "MISSES"} the target (0)`,
  );
  const rss = service.peakRssMb();
  console.log(
    `agent-service peak RSS ${rss.toFixed(0)} MB → ${rss <= 400 ? "meets" : "MISSES"} the target (≤ 400 MB)`,
  );
}

export default async function agentBench(): Promise<void> {
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  if (!FROM_SOURCE) await buildAll();
  const sim = await startSim();
  const relay = await startRelay(sim);
  const dataDir = mkdtempSync(join(tmpdir(), "agent-bench-"));
  // An (empty) user directory where agent-service looks for it: the bench user is unknown to it and judged by
  // the token, but every request and socket pays for the directory lookup as in production.
  await (await openUserDatabase({ dataDir, databaseUrl: undefined })).database.close();
  const service = await startService(sim, dataDir);
  const token = createSigner({ secret: SECRET, expiresInMinutes: 60 })({
    userName: "bench",
    userId: 1,
    role: "REGULAR",
  }).token;
  try {
    // AGENT_BENCH_ONLY: a comma-separated subset of "1", "100", "load" (profiling one case).
    const only = process.env.AGENT_BENCH_ONLY?.split(",");
    if (!only || only.includes("1")) await latency(service, sim, relay, token, 1, 400);
    // AGENT_BENCH_ROUNDS: rounds of the 100-session case (default 5; more for a steadier profile).
    const rounds = Number(process.env.AGENT_BENCH_ROUNDS ?? 5);
    if (!only || only.includes("100")) await latency(service, sim, relay, token, 100, rounds);
    if (!only || only.includes("load")) await load(service, token, sim);
  } finally {
    await service.stop();
    await relay.stop();
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
