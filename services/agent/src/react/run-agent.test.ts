import { type LlmSim, startLlmSim } from "@texera-agent/llm-sim";
import { DEFAULT_AGENT_SETTINGS, emptyWorkflow } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workflow } from "../engine/testing.ts";
import { createLlmClient } from "./llm-client.ts";
import { type RunAgentDeps, runAgent } from "./run-agent.ts";
import { ToolRegistry } from "./tool-registry.ts";
import type { AgentTool } from "./tool-types.ts";
import type { AgentTurn } from "./turn.ts";

const KEY = "sk-run-agent-test";
let sim: LlmSim;
beforeAll(async () => {
  sim = await startLlmSim({
    masterKey: KEY,
    scenario: {
      rules: [
        {
          match: { lastUser: "slow", assistantTurns: 0 },
          reply: { toolCalls: [{ name: "sleepy" }, { name: "quick" }] },
        },
        { match: { afterToolResult: true }, reply: { content: "after the tools" } },
      ],
      fallback: { content: "plain answer" },
    },
  });
});
afterAll(() => sim.close());

const sleepy: AgentTool = {
  name: "sleepy",
  description: "never finishes in time",
  parameters: { type: "object", properties: {} },
  execute: (_args, ctx) =>
    new Promise((_resolve, reject) =>
      ctx.signal.addEventListener("abort", () => reject(new Error("aborted"))),
    ),
};
const quick: AgentTool = {
  name: "quick",
  description: "answers at once",
  parameters: { type: "object", properties: {} },
  execute: async (_args, ctx) => ({
    output: "quick done",
    workflow: { ...ctx.workflow, operators: workflow([["op-1", "Distinct"]]).operators },
    touchedOperators: ["op-1"],
  }),
};

function deps(): RunAgentDeps {
  return {
    llm: createLlmClient({ baseUrl: sim.url, masterKey: KEY }),
    tools: new ToolRegistry([sleepy, quick]),
    policy: { maxAttempts: 1, retryBaseMs: 1, retryMaxDelayMs: 1, idleTimeoutMs: 5_000 },
    systemPrompt: (wf) => `operators: ${wf.operators.length}`,
    now: () => new Date(),
  };
}

describe("runAgent", () => {
  it("applies the settings: per-tool timeout, temperature, model, user", async () => {
    sim.reset();
    const steps: AgentTurn[] = [];
    const t0 = performance.now();
    const outcome = await runAgent(
      {
        runId: "r1",
        agentId: "a1",
        userId: 42,
        settings: { ...DEFAULT_AGENT_SETTINGS, modelType: "sim-large", toolTimeoutMs: 150, temperature: 1.3 },
        history: [{ role: "user", content: "slow please" }],
        workflow: emptyWorkflow(),
        firstIndex: 1,
        signal: new AbortController().signal,
      },
      deps(),
      { delta: () => {}, notice: async () => {}, step: async (s) => void steps.push(s) },
    );
    expect(outcome.reason).toBe("done");
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(steps).toHaveLength(2);
    expect(steps[0]!.toolResults.map((r) => [r.ok, r.output])).toEqual([
      [false, "error: sleepy timed out after 150 ms"],
      [true, "quick done"],
    ]);
    expect(steps[0]!.touchedPerCall).toEqual([[], ["op-1"]]);
    expect(outcome.workflow.operators).toHaveLength(1);
    for (const r of sim.requests) {
      expect(r.user).toBe("42");
      expect(r.body).toMatchObject({ model: "sim-large", temperature: 1.3 });
    }
    // the second turn's prompt shows the workflow the tool left
    expect((sim.requests[1]!.body as { messages: { content: string }[] }).messages[0]!.content).toBe(
      "operators: 1",
    );
  });

  it("stops before the first request when the signal is already aborted", async () => {
    sim.reset();
    const controller = new AbortController();
    controller.abort();
    const outcome = await runAgent(
      {
        runId: "r2",
        agentId: "a1",
        userId: 1,
        settings: { ...DEFAULT_AGENT_SETTINGS, modelType: "sim-small" },
        history: [{ role: "user", content: "hi" }],
        workflow: emptyWorkflow(),
        firstIndex: 0,
        signal: controller.signal,
      },
      deps(),
      { delta: () => {}, notice: async () => {}, step: async () => {} },
    );
    expect(outcome.reason).toBe("stopped");
    expect(sim.counters.chatRequests).toBe(0);
  });
});
