/**
 * Security round 2, the engine findings (issue 11, items 2 and 3), against the whole system as `npm start`
 * runs it, with agent-service on a 1 GiB JavaScript heap and the engine's documented defaults
 * (DUCKDB_MEMORY_LIMIT 1GB, DUCKDB_THREADS 2, ENGINE_MAX_CONCURRENT_RUNS 2, one of them per user):
 * - a Parquet "bomb" (a few KB holding 1 GB of text) scanned by a workflow and described by the
 *   describeDataset tool: before the fix every value became a whole JavaScript string and the process died
 *   ("Reached heap limit"); now cells are cut inside DuckDB and the user sees the cut;
 * - a self-join of a ~1 MB CSV: before, DuckDB grew without limit (8 GB in 28 s); now it stays within its
 *   memory limit and the user gets an error naming the limit (or the time limit);
 * - while one user runs two such joins, another user's one-row query is served at once (before, the first
 *   user held both engine slots and the second waited for one of them to end).
 * The model is llm-sim with a scenario of its own; agent-service's peak RSS is read from /proc.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  type OperatorResultsResponse,
  type ReActStep,
  type ServerFrame,
  stepKind,
} from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgent, ReactClient } from "./cluster-clients.ts";
import { type RunningSystem, startSystem } from "./harness.ts";

const MODEL = "demo-offline-model";
const HEAP_MB = 1024;
/** The documented defaults this suite runs with (services/agent/README.md). */
const DUCKDB_MEMORY_LIMIT_MB = 1000;
/**
 * Peak RSS allowed for the bomb: no value reaches the heap whole, so the process stays far below DuckDB's
 * limit + 512 MB (measured ~300 MB; before the fix it died at 11 GB).
 */
const RSS_BOUND_MB = DUCKDB_MEMORY_LIMIT_MB + 512;
/**
 * Peak RSS allowed for the self-join: the README's promise, DuckDB's limit + the Node heap + a few hundred
 * MB. A join that reaches DuckDB's limit holds it, and what DuckDB allocates outside its buffer manager and
 * the allocator's retained pages come on top: measured 600–1,150 MB here and 1,922 MB once in CI (2 cores,
 * other suites running), so a bound of the limit + 512 MB was a guess this suite could not keep. Before the
 * fix the join took 8 GB in 28 s and went on growing.
 */
const JOIN_RSS_BOUND_MB = DUCKDB_MEMORY_LIMIT_MB + HEAP_MB + 512;
/** The bomb: ROWS strings of STRING_BYTES each, one per row group, in a file of a few KB. */
const ROWS = 20;
const STRING_BYTES = 50_000_000;
/** The self-join: a ~1 MB CSV whose join key has few values, so the join has ~ rows²/KEYS rows. */
const CSV_ROWS = 20_000;
const KEYS = 4;

/** Whatever the user asks, the model answers with these tool calls (llm-sim scenario). */
const scan = (operatorId: string, operatorType: string, inputs?: Record<string, string[]>) => ({
  name: "addOperator",
  arguments: {
    operatorId,
    operatorType,
    properties: { fileName: "{{match:file}}" },
    ...(inputs ? { inputOperatorIds: inputs } : {}),
    summary: operatorId,
  },
});
const run = (operatorId: string, content = "") => ({
  ...(content ? { content } : {}),
  toolCalls: [{ name: "executeWorkflow", arguments: { operatorId } }],
});
const scenario = {
  name: "security-engine",
  rules: [
    {
      name: "scan: add the scan",
      match: { lastUser: "^scan (?<file>\\S+)$", assistantTurns: 0 },
      reply: { toolCalls: [scan("op1", "ParquetFileScan")] },
    },
    {
      name: "scan: run it",
      match: { lastUser: "^scan ", afterToolResult: true, assistantTurns: 1 },
      reply: run("op1"),
    },
    {
      name: "describe",
      match: { lastUser: "^describe (?<file>\\S+)$", assistantTurns: 0 },
      reply: { toolCalls: [{ name: "describeDataset", arguments: { name: "{{match:file}}" } }] },
    },
    {
      name: "tiny: add the scan",
      match: { lastUser: "^tiny (?<file>\\S+)$", assistantTurns: 0 },
      reply: { toolCalls: [scan("op1", "CSVFileScan")] },
    },
    {
      name: "tiny: run it",
      match: { lastUser: "^tiny ", afterToolResult: true, assistantTurns: 1 },
      reply: run("op1"),
    },
    {
      name: "join: two scans of the file and a join of them on k",
      match: { lastUser: "^join (?<file>\\S+)$", assistantTurns: 0 },
      reply: {
        toolCalls: [
          scan("op1", "CSVFileScan"),
          scan("op2", "CSVFileScan"),
          {
            name: "addOperator",
            arguments: {
              operatorId: "op3",
              operatorType: "HashJoin",
              properties: { buildAttributeName: "k", probeAttributeName: "k" },
              inputOperatorIds: { "0": ["op1"], "1": ["op2"] },
              summary: "self-join",
            },
          },
        ],
      },
    },
    {
      name: "join: run it",
      match: { lastUser: "^join ", afterToolResult: true, assistantTurns: 1 },
      reply: run("op3", "joining"),
    },
    { name: "report", match: { afterToolResult: true }, reply: { content: "done" } },
  ],
  fallback: { content: "?" },
};

/** A Parquet file written by DuckDB in this process: ROWS rows of STRING_BYTES of one letter, zstd. */
async function parquetBomb(): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "parquet-bomb-"));
  const path = join(dir, "bomb.parquet");
  const db = await DuckDBInstance.create(":memory:", { threads: "2" });
  const conn = await db.connect();
  try {
    await conn.run(
      `COPY (SELECT i AS id, repeat('x', ${STRING_BYTES}) AS payload FROM range(${ROWS}) t(i)) ` +
        `TO '${path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1, DICTIONARY_SIZE_LIMIT 1)`,
    );
    return readFileSync(path);
  } finally {
    conn.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

function joinCsv(): string {
  const lines = Array.from({ length: CSV_ROWS }, (_, i) => `${i % KEYS},${"v".repeat(40)}${i}`);
  return `k,v\n${lines.join("\n")}\n`;
}

interface Person {
  token: string;
}

let sys: RunningSystem;
let alice: Person;
let bob: Person;
let agentPid: number;
const clients: ReactClient[] = [];

/** agent-service's current and peak resident memory, in MB. */
function rss(): { nowMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${agentPid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { nowMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}

function alive(): boolean {
  try {
    process.kill(agentPid, 0);
    return true;
  } catch {
    return false;
  }
}

async function upload(who: Person, name: string, body: Buffer | string, type: string): Promise<void> {
  const res = await fetch(`${sys.url}/api/agents/datasets?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${who.token}`, "content-type": type },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
  if (res.status !== 201) throw new Error(`upload ${name}: ${res.status} ${await res.text()}`);
}

/** Opens a socket on a new agent of `who` (the client's label is the agent's id). */
async function chat(who: Person, name: string): Promise<ReactClient> {
  const agent = await createAgent(sys.url, who.token, MODEL, name);
  const client = await ReactClient.open(sys.wsUrl, agent.id, { token: who.token }, { label: agent.id });
  clients.push(client);
  return client;
}

/** Sends a message and waits for its run's `complete`; returns the agent steps of that run. */
async function ask(client: ReactClient, text: string, timeoutMs = 60_000): Promise<ReActStep[]> {
  const from = client.frames.length;
  client.send({ type: "message", content: text });
  const closed = client.closed.then((code) => {
    throw new Error(`the socket closed (${code}) before the run completed; agent-service alive: ${alive()}`);
  });
  await Promise.race([client.next("complete", from, timeoutMs), closed]);
  return client
    .since(from)
    .filter((f): f is Extract<ServerFrame, { type: "step" }> => f.type === "step")
    .map((f) => f.step)
    .filter((s) => stepKind(s) === "agent");
}

const resultOf = (steps: ReActStep[], tool: string) =>
  steps.flatMap((s) => s.toolResults ?? []).find((r) => r.toolName === tool);

beforeAll(async () => {
  sys = await startSystem({
    gateway: "builtin",
    env: {
      NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}`,
      // Replies at once instead of the demo's 40 tokens/s.
      LLM_SIM_FAULTS: "*:tokensPerSecond=0",
      // Bounded in time: the join stops at this limit at the latest (the default is 30 s; reading the
      // bomb's 1 GB takes a few seconds on an idle machine, far more on a loaded one).
      ENGINE_TIMEOUT_MS: "25000",
      // The spill folder of this temporary DATA_DIR stays small on a shared disk (the default is 4GB).
      DUCKDB_MAX_TEMP_DIRECTORY_SIZE: "1GB",
    },
  });
  const put = await fetch(`${sys.services.llmSim}/sim/scenario`, {
    method: "PUT",
    headers: { authorization: `Bearer ${sys.masterKey}`, "content-type": "application/json" },
    body: JSON.stringify(scenario),
  });
  if (put.status !== 200) throw new Error(`scenario: ${put.status} ${await put.text()}`);
  alice = await sys.createUser({ username: "alice", role: "REGULAR" });
  bob = await sys.createUser({ username: "bob", role: "REGULAR" });
  agentPid = sys.childPids().agent!;
  expect(agentPid).toBeGreaterThan(0);
}, 180_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await sys?.stop();
});

describe("the engine under hostile data (1 GiB heap, default DuckDB bounds)", () => {
  it("a Parquet bomb is scanned and described with cut cells; the process lives within its memory bound", async () => {
    const bomb = await parquetBomb();
    expect(bomb.length).toBeLessThan(100_000);
    await upload(alice, "bomb.parquet", bomb, "application/vnd.apache.parquet");

    const client = await chat(alice, "bomb");
    const scanned = await ask(client, "scan bomb.parquet");
    expect(alive()).toBe(true);
    const run = resultOf(scanned, "executeWorkflow");
    expect(run, JSON.stringify(scanned)).toBeDefined();
    expect(run!.isError, run!.output).toBe(false);
    expect(run!.output).toContain("long cells cut");
    const step = scanned.find((s) => s.operatorResults?.length);
    expect(step?.operatorResults?.[0]).toMatchObject({ rowCount: ROWS, cellsCut: true, truncated: true });
    // The browser's table: the first rows (within the result's byte bound), each payload cut in DuckDB.
    const res = await fetch(`${sys.url}/api/agents/${client.label}/operator-results`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    expect(res.status).toBe(200);
    // Texera's shape: keyed by operator id, rows as records (in the order of `columns`)
    const table = (await res.json()) as OperatorResultsResponse;
    const result = Object.values(table.results)[0]!;
    const rows = (result.sampleRecords ?? []).map((r) => (result.columns ?? []).map((c) => r[c.name]));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows)
      expect(row[1]).toBe(`${"x".repeat(1_000)}… [cut at 1000 of ${STRING_BYTES} bytes]`);

    const described = await ask(client, "describe bomb.parquet");
    const describe = resultOf(described, "describeDataset");
    expect(describe?.isError, describe?.output).toBe(false);
    expect(describe!.output).toContain(`[cut at 1000 of ${STRING_BYTES} bytes]`);
    expect(describe!.output.length).toBeLessThan(20_000);

    expect(alive()).toBe(true);
    const { peakMb } = rss();
    console.log(`bomb: agent-service peak RSS ${Math.round(peakMb)} MB (bound ${RSS_BOUND_MB} MB)`);
    expect(peakMb).toBeLessThan(RSS_BOUND_MB);
  }, 120_000);

  it("a self-join of a 1 MB CSV stops at a named limit, and another user's one-row query is served meanwhile", async () => {
    const csv = joinCsv();
    expect(csv.length).toBeGreaterThan(900_000);
    await upload(alice, "rows.csv", csv, "text/csv");
    await upload(bob, "one.csv", "a,b\n1,2\n", "text/csv");

    // alice runs the join on two agents at once: on the old engine they held both of its slots.
    const [a1, a2] = await Promise.all([chat(alice, "join-1"), chat(alice, "join-2")]);
    const joins = [a1, a2].map((client) => ask(client, "join rows.csv"));
    await Promise.all(
      [a1, a2].map((client) =>
        client.waitFor((f) => f.type === "delta" && f.text.includes("joining"), 0, 30_000, "the join's turn"),
      ),
    );
    // Both executions are asked for; give them a moment to take the engine's slots.
    await new Promise((r) => setTimeout(r, 1_500));

    const b = await chat(bob, "tiny");
    const sentAt = performance.now();
    const tiny = await ask(b, "tiny one.csv", 30_000);
    const bobDoneAt = performance.now();
    const tinyMs = bobDoneAt - sentAt;
    const tinyRun = resultOf(tiny, "executeWorkflow");
    expect(tinyRun?.isError, tinyRun?.output).toBe(false);
    expect(tinyRun!.output).toContain('"rowCount":1');
    // Served while alice's joins were still running, not after one of them ended.
    const joinsDoneBeforeBob = [a1, a2].filter((client) =>
      client.frames.some(
        ({ frame, at }) =>
          at < bobDoneAt &&
          frame.type === "step" &&
          (frame.step.toolResults ?? []).some((r) => r.toolName === "executeWorkflow"),
      ),
    ).length;
    expect(joinsDoneBeforeBob, `bob's query took ${Math.round(tinyMs)} ms`).toBe(0);
    expect(tinyMs).toBeLessThan(10_000);

    for (const steps of await Promise.all(joins)) {
      const join = resultOf(steps, "executeWorkflow");
      console.log(`join: ${join?.output}`);
      expect(join, JSON.stringify(steps)).toBeDefined();
      expect(join!.isError).toBe(true);
      expect(join!.output).toMatch(
        /memory limit of 1GB \(DUCKDB_MEMORY_LIMIT\)|disk limit of 1GB \(DUCKDB_MAX_TEMP_DIRECTORY_SIZE\)|time limit of \d+ ms/,
      );
    }
    expect(alive()).toBe(true);
    const { peakMb } = rss();
    console.log(
      `join: bob's one-row query ${Math.round(tinyMs)} ms; agent-service peak RSS ${Math.round(peakMb)} MB (bound ${JOIN_RSS_BOUND_MB} MB)`,
    );
    expect(peakMb).toBeLessThan(JOIN_RSS_BOUND_MB);
  }, 120_000);
});
