// The LiteLLM behaviours llm-sim reproduces, on the wire (the agent-service side is tested in
// services/agent/src/react/litellm-replay.test.ts).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseFaultSpec } from "./fault.ts";
import type { LlmSim } from "./server.ts";
import { KEY, post, startTestSim, user } from "./test-helpers.ts";

let sim: LlmSim;
beforeAll(async () => {
  sim = await startTestSim({ models: ["sim-small", "anthropic/*"] });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  sim.setFault("sim-small", undefined);
});

const chat = (extra: object = {}, headers: Record<string, string> = {}) =>
  post(sim, "/chat/completions", { model: "sim-small", messages: [user("hello there")], ...extra }, headers);

/** The `data:` payloads of a stream, [DONE] left out. */
async function events(res: Response): Promise<Record<string, unknown>[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((e) => e.startsWith("data: ") && !e.startsWith("data: [DONE]"))
    .map((e) => JSON.parse(e.slice(6)));
}

describe("LiteLLM behaviours", () => {
  it("wildcard routes: listed as is, answer any name they match, refuse others", async () => {
    const list = await (
      await fetch(`${sim.url}/models`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json();
    expect(list.data.map((m: { id: string }) => m.id)).toEqual(["sim-small", "anthropic/*"]);
    const ok = await post(sim, "/chat/completions", { model: "anthropic/claude-x", messages: [user("hi")] });
    expect(ok.status).toBe(200);
    expect((await ok.json()).model).toBe("anthropic/claude-x");
    expect(
      (await post(sim, "/chat/completions", { model: "anthropic/*", messages: [user("hi")] })).status,
    ).toBe(400);
    expect((await post(sim, "/chat/completions", { model: "openai/x", messages: [user("hi")] })).status).toBe(
      400,
    );
  });

  it("/model/info states the contextWindow fault as max_input_tokens, and a longer prompt is refused", async () => {
    sim.setFault("sim-small", { contextWindow: 3 });
    const info = await (
      await fetch(`${sim.url}/model/info`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json();
    expect(info.data).toContainEqual(
      expect.objectContaining({
        model_name: "sim-small",
        model_info: expect.objectContaining({ max_input_tokens: 3 }),
      }),
    );
    expect(
      info.data.find((r: { model_name: string }) => r.model_name === "anthropic/*").model_info
        .max_input_tokens,
    ).toBeNull();
    const res = await chat();
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(
      /^litellm\.ContextWindowExceededError: .*maximum context length is 3 tokens\. However, you requested \d+ tokens/,
    );
  });

  it.each([
    ["retry-after", "retry-after", "2"],
    ["retry-after-ms", "retry-after-ms", "2000"],
    ["llm_provider-retry-after", "llm_provider-retry-after", "2"],
  ])("429 with %s", async (signal, header, value) => {
    const res = await chat({}, { "x-sim-fault": `error=429,retryAfter=2,retrySignal=${signal}` });
    expect(res.status).toBe(429);
    expect(res.headers.get(header)).toBe(value);
    expect((await res.json()).error.message).not.toMatch(/Try again/);
  });

  it("429 with only the router's cooldown words", async () => {
    const res = await chat({}, { "x-sim-fault": "error=429,retryAfter=60,retrySignal=body" });
    expect(res.headers.get("retry-after")).toBeNull();
    expect((await res.json()).error.message).toMatch(
      /^No deployments available for selected model, Try again in 60 seconds/,
    );
  });

  it("rejectSampling, budgetExceeded and firstChunkError answer LiteLLM's bodies", async () => {
    sim.setFault("sim-small", { rejectSampling: 1 });
    expect((await chat()).status).toBe(200);
    const refused = await chat({ temperature: 0.2 });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toMatch(/UnsupportedParamsError: .*temperature=0\.2/);

    sim.setFault("sim-small", { budgetExceeded: 429 });
    const budget = await chat();
    expect(budget.status).toBe(429);
    expect((await budget.json()).error).toMatchObject({ type: "budget_exceeded" });

    sim.setFault("sim-small", { firstChunkError: 403 });
    const first = await chat({ stream: true });
    expect(first.status).toBe(403);
    expect((await first.json()).error.code).toBe(403);
  });

  it("litellmChunks, reasoning, thinking blocks and the tool-call variants shape the stream", async () => {
    const fault = "litellmChunks=1,usageChunkWithChoice=1,reasoningChunks=2,thinkingBlocks=1";
    const evs = await events(
      await chat({ stream: true, stream_options: { include_usage: true } }, { "x-sim-fault": fault }),
    );
    const deltas = evs.flatMap((e) =>
      (e.choices as { delta: Record<string, unknown> }[]).map((c) => c.delta),
    );
    expect(deltas[0]).toMatchObject({ role: "assistant", reasoning_content: "Let me think" });
    expect(JSON.stringify(evs)).not.toContain("null,"); // no null fields but the pieces' signature
    expect(
      deltas.some((d) => (d.thinking_blocks as { signature?: string }[] | undefined)?.[0]?.signature),
    ).toBe(true);
    expect(evs.at(-1)).toMatchObject({ choices: [{ index: 0, delta: {} }], usage: expect.any(Object) });
    expect(parseFaultSpec("retrySignal=body,toolSummaryChunk=1")).toEqual({
      retrySignal: "body",
      toolSummaryChunk: 1,
    });
    expect(() => parseFaultSpec("retrySignal=later")).toThrow(/retrySignal/);
  });

  it("holdHeaders sends the headers with the first chunk", async () => {
    const t0 = performance.now();
    const res = await chat({ stream: true }, { "x-sim-fault": "holdHeaders=1,firstTokenMs=1000" });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(980);
    expect(res.status).toBe(200);
    await res.text();
    const t1 = performance.now();
    const open = await chat({ stream: true }, { "x-sim-fault": "firstTokenMs=1000" });
    expect(performance.now() - t1).toBeLessThan(900);
    await open.text();
  });
});
