// A conversation of 200 turns against a model with a small context window keeps answering: the history
// sent is trimmed to the window LiteLLM's /model/info states (llm-sim answers a longer prompt with LiteLLM's
// ContextWindowExceededError body), and a ContextWindowExceeded answer is tried once with less history.
import { type ServerFrame, stepKind } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, FrameClient, type Harness, startHarness } from "../testing/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sim: { models: ["tiny-window", "sim-small"] }, modelsCacheSeconds: 3_600 });
  await h.listen();
});
afterAll(() => h.close());

async function turn(c: FrameClient, content: string): Promise<ServerFrame[]> {
  const from = c.frames.length;
  c.send({ type: "message", content });
  await eventually(() => c.frames.slice(from).some((f) => f.type === "complete"), 10_000, "complete");
  return c.frames.slice(from);
}

const WINDOW = 2_000; // llm-sim tokens (words), as /model/info max_input_tokens

describe("a long conversation with a small context window", () => {
  it("answers all 200 turns, says once that older messages are left out, and stays in the window", async () => {
    h.sim.setFault("tiny-window", { contextWindow: WINDOW });
    const id = await h.createAgent(h.tokens.owner, { modelType: "tiny-window" });
    const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
    await c.next("init");
    const notes: string[] = [];
    for (let i = 0; i < 200; i++) {
      const frames = await turn(c, `turn ${i}: ${"please remember this sentence about the data ".repeat(4)}`);
      const complete = frames.find((f) => f.type === "complete");
      expect(complete, `turn ${i}`).toMatchObject({ reason: "done" });
      expect(frames.some((f) => f.type === "error")).toBe(false);
      for (const f of frames)
        if (f.type === "step" && stepKind(f.step) === "system") notes.push(f.step.content);
    }
    expect(h.sim.requests.every((r) => r.status === 200)).toBe(true);
    expect(h.sim.requests).toHaveLength(200);
    // The newest message is always sent; the oldest are not once the window is full.
    const last = h.sim.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    expect(last.messages.at(-1)!.content).toMatch(/^turn 199:/);
    expect(last.messages.some((m) => m.content?.startsWith?.("turn 0:"))).toBe(false);
    expect(last.messages[0]!.content).toMatch(/oldest messages of this conversation were left out/);
    // A note per run that trimmed (the user sees why the model forgot), naming the window.
    expect(notes.length).toBeGreaterThan(100);
    expect(notes[0]).toMatch(/oldest messages are no longer sent to the model.*2,000 tokens/);
    await c.close();
  }, 120_000);

  it("a ContextWindowExceeded answer leads to one retry with a smaller history, not a dead agent", async () => {
    // /model/info was read (and cached for an hour) before the window was set: agent-service does not
    // know it, sends the whole history, and learns from LiteLLM's answer.
    const id = await h.createAgent(h.tokens.owner, { modelType: "sim-small" });
    const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
    await c.next("init");
    for (let i = 0; i < 12; i++) await turn(c, `turn ${i}: ${"some words to fill the history ".repeat(10)}`);
    h.sim.reset();
    h.sim.setFault("sim-small", { contextWindow: 700 });
    const frames = await turn(c, "and now?");
    expect(frames.find((f) => f.type === "complete")).toMatchObject({ reason: "done" });
    expect(h.sim.requests.map((r) => r.status)).toEqual([400, 200]);
    const notes = frames.flatMap((f) =>
      f.type === "step" && stepKind(f.step) === "system" ? [f.step.content] : [],
    );
    expect(notes.join("\n")).toMatch(/did not fit the model's context window, so less is sent now/);
    h.sim.setFault("sim-small", undefined);
    await c.close();
  });
});
