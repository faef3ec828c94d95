import type { Fault } from "@texera-agent/llm-sim";
import { type ReActStep, stepKind } from "@texera-agent/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventually, FrameClient, type Harness, MASTER_KEY, startHarness } from "../testing/harness.ts";

// Each upstream failure ends the run with an error frame (and a system step) that names the cause; the
// agent is AVAILABLE afterwards with its history, and the next message works.
let h: Harness;
const frames: string[] = [];
const clients: FrameClient[] = [];

beforeAll(async () => {
  h = await startHarness({
    policy: { idleTimeoutMs: 300, firstChunkTimeoutMs: 400, retryBaseMs: 5, retryMaxDelayMs: 150 },
  });
  await h.listen();
});
afterEach(async () => {
  for (const c of clients.splice(0)) {
    frames.push(...c.frames.map((f) => JSON.stringify(f)));
    await c.close();
  }
  h.sim.setFault("sim-small", undefined);
  h.sim.reset();
});
afterAll(async () => {
  // the master key is in no frame and no log line
  expect(frames.length).toBeGreaterThan(20);
  for (const text of [...frames, ...h.logs]) expect(text).not.toContain(MASTER_KEY);
  await h.close();
});

async function runWithFault(fault: Fault, content = "tokens: 20") {
  const id = await h.createAgent();
  const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
  clients.push(c);
  await c.next("init");
  h.sim.setFault("sim-small", fault);
  c.send({ type: "message", content });
  const complete = await c.next("complete");
  const error = c.frames.find((f) => f.type === "error");
  const system = c.frames.flatMap((f) =>
    f.type === "step" && stepKind(f.step) === "system" ? [f.step] : [],
  );
  return { id, c, complete, error: error?.type === "error" ? error : undefined, system };
}

async function expectUsable({ id, c }: { id: string; c: FrameClient }) {
  h.sim.setFault("sim-small", undefined);
  const agent = (await h.app.inject({ url: `/api/agents/${id}`, headers: h.auth(h.tokens.owner) })).json();
  expect(agent.state).toBe("AVAILABLE");
  c.send({ type: "message", content: "still there?" });
  await c.next("complete", (f) => f.reason === "done");
  const steps = (
    await h.app.inject({ url: `/api/agents/${id}/react-steps`, headers: h.auth(h.tokens.owner) })
  ).json().steps;
  expect(steps.map((s: ReActStep) => stepKind(s))).toEqual(["user", "system", "user", "agent"]);
}

describe("upstream faults", () => {
  it("500: retried, then an error naming the status", async () => {
    const run = await runWithFault({ error: 500 });
    expect(run.complete.reason).toBe("error");
    expect(run.error).toMatchObject({ code: "LLM_SERVER_ERROR" });
    expect(run.error!.error).toMatch(/HTTP 500.*gave up after 3 tries/);
    expect(h.sim.counters.chatRequests).toBe(3);
    // Texera's words for a failed model call: an agent step "Error: …" that ends the message, sent twice
    expect(run.system[0]).toMatchObject({ error: "LLM_SERVER_ERROR", role: "agent", isEnd: true });
    expect(run.system[0]!.content).toBe(`Error: ${run.error!.error}`);
    expect(run.system).toHaveLength(2);
    await expectUsable(run);
  });

  it("429: honours Retry-After; a wait longer than the cap is not retried early", async () => {
    const t0 = performance.now();
    const run = await runWithFault({ error: 429, retryAfter: 0.1 });
    const took = performance.now() - t0;
    expect(run.error).toMatchObject({ code: "LLM_RATE_LIMITED" });
    expect(run.error!.error).toMatch(/rate-limiting.*HTTP 429/);
    expect(h.sim.counters.chatRequests).toBe(3);
    expect(took).toBeGreaterThanOrEqual(190); // two waits of 100 ms
    expect(took).toBeLessThan(3_000);
    await expectUsable(run);

    h.sim.reset();
    const long = await runWithFault({ error: 429, retryAfter: 60 }); // over retryMaxDelayMs (150 ms)
    expect(long.error!.error).toMatch(/asks to wait 60 s/);
    expect(h.sim.counters.chatRequests).toBe(1);
    await expectUsable(long);
  });

  it("a wrong master key: no retry, a message for the operator", async () => {
    const run = await runWithFault({ error: 401 });
    expect(run.error).toMatchObject({ code: "LLM_KEY_REJECTED" });
    expect(run.error!.error).toMatch(/LITELLM_MASTER_KEY/);
    expect(h.sim.counters.chatRequests).toBe(1);
    await expectUsable(run);
  });

  it("connection reset before any token: retried; after tokens: not", async () => {
    const early = await runWithFault({ resetAfterChunks: 0 });
    expect(early.error).toMatchObject({ code: "LLM_CONNECTION_LOST" });
    expect(h.sim.counters.chatRequests).toBe(3);
    await expectUsable(early);
    h.sim.reset();
    const late = await runWithFault({ resetAfterChunks: 5 });
    expect(late.error).toMatchObject({ code: "LLM_CONNECTION_LOST" });
    expect(late.error!.error).toMatch(/middle of the reply/);
    expect(h.sim.counters.chatRequests).toBe(1);
    await expectUsable(late);
  });

  it("a malformed stream", async () => {
    const run = await runWithFault({ malformedAfterChunks: 3 });
    expect(run.error).toMatchObject({ code: "LLM_MALFORMED_STREAM" });
    expect(run.error!.error).toMatch(/not valid server-sent events/);
    await expectUsable(run);
  });

  it("an error event in the middle of the stream", async () => {
    const run = await runWithFault({ streamErrorAfterChunks: 4, error: 503 });
    expect(run.complete.reason).toBe("error");
    expect(run.error).toMatchObject({ code: "LLM_SERVER_ERROR" });
    expect(run.error!.error).toMatch(/HTTP 503/);
    await expectUsable(run);
  });

  it("a stream that never ends: the idle timeout cancels it", async () => {
    const t0 = performance.now();
    const run = await runWithFault({ hangAfterChunks: 3 });
    expect(run.error).toMatchObject({ code: "LLM_TIMEOUT" });
    expect(run.error!.error).toMatch(/sent nothing for 0\.3 s/);
    expect(performance.now() - t0).toBeLessThan(2_000);
    await eventually(() => h.sim.counters.aborted === 1, 2_000, "upstream abort"); // cancelled, not left open
    await expectUsable(run);
  });

  it("no response at all: the first-chunk timeout covers the wait for headers", async () => {
    const run = await runWithFault({ latencyMs: 5_000 });
    expect(run.error).toMatchObject({ code: "LLM_TIMEOUT" });
    expect(run.error!.error).toMatch(/LLM_FIRST_CHUNK_TIMEOUT_MS/);
    await expectUsable(run);
  });

  it("fail-first-N: the retry succeeds", async () => {
    const run = await runWithFault({ error: 500, failFirst: 2 });
    expect(run.complete.reason).toBe("done");
    expect(run.error).toBeUndefined();
    expect(h.sim.counters.chatRequests).toBe(3);
    const answer = run.c.frames.flatMap((f) =>
      f.type === "step" && stepKind(f.step) === "agent" ? [f.step.content] : [],
    );
    expect(answer[0]!.split(" ")).toHaveLength(20);
  });
});
