import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openUserDatabase } from "@texera-agent/access-control";
import { type LlmSim, startLlmSim } from "@texera-agent/llm-sim";
import { type ReActStep, stepKind } from "@texera-agent/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { INTERRUPTED_NOTICE } from "./services/recover-interrupted-runs.ts";
import { FrameClient, MASTER_KEY, makeTokens, SECRET } from "./testing/harness.ts";
import { addCsvRule } from "./testing/scenarios.ts";

// agent-service as its own process, killed with SIGKILL in the middle of a run and started again on the
// same DATA_DIR: the agent, its completed steps and its workflow are there; the run is marked interrupted.
const MAIN = join(dirname(fileURLToPath(import.meta.url)), "main.ts");
let sim: LlmSim;
let dataDir: string;
const output: string[] = [];
const tokens = makeTokens();

beforeAll(async () => {
  sim = await startLlmSim({
    masterKey: MASTER_KEY,
    scenario: {
      rules: [
        addCsvRule({ content: "Adding it." }),
        // the second turn streams slowly: the process is killed in the middle of it
        { match: { afterToolResult: true }, reply: { tokens: 400 }, fault: { tokensPerSecond: 40 } },
      ],
      fallback: { content: "hello after the restart" },
    },
  });
  dataDir = mkdtempSync(join(tmpdir(), "agent-restart-"));
  // the (empty) user directory agent-service reads from DATA_DIR, as access-control leaves it
  await (await openUserDatabase({ dataDir, databaseUrl: undefined })).database.close();
});
afterAll(async () => {
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function start(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      AUTH_JWT_SECRET: SECRET,
      AUTH_CONF_PATH: "",
      LITELLM_BASE_URL: sim.url,
      LITELLM_MASTER_KEY: MASTER_KEY,
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 15 s:\n${output.join("")}`)), 15_000);
    const onData = (data: Buffer) => {
      const text = data.toString();
      output.push(text);
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${output.join("")}`)));
  });
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field below
const get = async (url: string): Promise<any> =>
  (await fetch(url, { headers: { authorization: `Bearer ${tokens.owner}` } })).json();

it("keeps agents, completed steps and workflows across kill -9, and marks the run interrupted", async () => {
  const first = await start();
  const created = await fetch(`${first.url}/api/agents`, {
    method: "POST",
    headers: { authorization: `Bearer ${tokens.owner}`, "content-type": "application/json" },
    body: JSON.stringify({ modelType: "sim-small", name: "survivor" }),
  });
  const { id } = (await created.json()) as { id: string };
  const ws = first.url.replace("http", "ws");
  const c = await FrameClient.open(`${ws}/api/agents/${id}/react?access-token=${tokens.owner}&deltas=1`);
  await c.next("init");
  c.send({ type: "message", content: "add a csv" });
  await c.next("step", (f) => stepKind(f.step) === "agent"); // the tool step is saved
  await c.next("delta", (f) => f.index === 2); // the next one streams
  const exited = new Promise((resolve) => first.child.once("exit", resolve));
  first.child.kill("SIGKILL");
  await exited;
  await c.close();

  const second = await start();
  try {
    const agent = await get(`${second.url}/api/agents/${id}`);
    expect(agent).toMatchObject({ id, name: "survivor", state: "AVAILABLE" });
    const { steps } = (await get(`${second.url}/api/agents/${id}/react-steps`)) as { steps: ReActStep[] };
    expect(steps.map((s) => stepKind(s))).toEqual(["user", "agent", "system"]);
    expect(steps[1]!.toolResults?.[0]).toMatchObject({ isError: false });
    expect(steps[2]).toMatchObject({
      content: INTERRUPTED_NOTICE,
      error: "INTERRUPTED",
      runId: steps[0]!.runId,
      parentId: steps[1]!.id,
      isEnd: true,
    });
    // HEAD survived the restart: it is the step that closed the run
    expect(agent.headId).toBe(steps[2]!.id);
    const workflow = await get(`${second.url}/api/agents/${id}/workflow`);
    expect(workflow.operators.map((o: { operatorType: string }) => o.operatorType)).toEqual(["CSVFileScan"]);
    expect(output.join("")).toMatch(/1 run\(s\) cut short/);

    // and it answers again
    const again = await FrameClient.open(
      `${second.url.replace("http", "ws")}/api/agents/${id}/react?access-token=${tokens.owner}`,
    );
    const init = await again.next("init");
    expect(init.steps).toHaveLength(3);
    again.send({ type: "message", content: "are you back?" });
    await again.next("complete", (f) => f.reason === "done");
    await again.close();
  } finally {
    second.child.kill("SIGTERM");
    await new Promise((resolve) => second.child.once("exit", resolve));
  }
  const log = output.join("");
  expect(log).not.toContain(MASTER_KEY);
  expect(log).not.toContain(tokens.owner);
}, 60_000);
