import { DEFAULT_AGENT_SETTINGS, emptyWorkflow, ROOT_STEP_ID } from "@texera-agent/protocol";
import { describe, expect, it } from "vitest";
import { RunAborted } from "./errors.ts";
import { ToolRegistry } from "./tool-registry.ts";
import type { AgentTool, ToolContext } from "./tool-types.ts";

const tool = (name: string, execute: AgentTool["execute"]): AgentTool => ({
  name,
  description: `the ${name} tool`,
  parameters: { type: "object", properties: {} },
  execute,
});

const registry = new ToolRegistry([
  tool("echo", async (args) => ({ output: { got: args } })),
  tool(
    "slow",
    (_args, ctx) =>
      new Promise((r) => setTimeout(() => r({ output: ctx.signal.aborted ? "late" : "ok" }), 5_000)),
  ),
  tool("throws", async () => {
    throw new Error("the column does not exist");
  }),
  tool("big", async () => ({ output: "x".repeat(60_000) })),
]);

const ctx = (over: Partial<ToolContext> = {}): ToolContext => ({
  workflow: emptyWorkflow(),
  signal: new AbortController().signal,
  settings: { ...DEFAULT_AGENT_SETTINGS, modelType: "m" },
  userId: 1,
  agentId: "a",
  headId: ROOT_STEP_ID,
  ...over,
});
const call = (name: string, args = "{}") => ({ id: "c1", name, arguments: args });

describe("ToolRegistry", () => {
  it("refuses two tools of one name at construction", () => {
    expect(
      () =>
        new ToolRegistry([tool("a", async () => ({ output: 1 })), tool("a", async () => ({ output: 2 }))]),
    ).toThrow(TypeError);
  });

  it("offers only enabled tools in OpenAI's shape", () => {
    const offered = registry.offered(["slow", "big"]);
    expect(offered.map((t) => t.type === "function" && t.function.name)).toEqual(["echo", "throws"]);
  });

  it("runs a tool and sends JSON output", async () => {
    const { result } = await registry.execute(call("echo", '{"a":1}'), ctx(), 1_000);
    expect(result).toMatchObject({ ok: true, output: '{"got":{"a":1}}', toolCallId: "c1", name: "echo" });
  });

  it("turns every failure into a tool error", async () => {
    const disabled = ctx({
      settings: { ...DEFAULT_AGENT_SETTINGS, modelType: "m", disabledTools: ["echo"] },
    });
    const cases: [ReturnType<typeof call>, ToolContext, RegExp][] = [
      [call("nope"), ctx(), /no tool "nope".*echo, slow, throws, big/],
      [call("echo"), disabled, /disabled/],
      [call("echo", "{bad"), ctx(), /not valid JSON/],
      [call("throws"), ctx(), /^error: the column does not exist$/],
    ];
    for (const [c, context, message] of cases) {
      const { result } = await registry.execute(c, context, 1_000);
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(message);
    }
  });

  it("applies the per-tool timeout, even to a tool that ignores its signal", async () => {
    const t0 = performance.now();
    const { result } = await registry.execute(call("slow"), ctx(), 100);
    expect(result).toMatchObject({ ok: false, output: "error: slow timed out after 100 ms" });
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it("ends with RunAborted when the run stops", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(
      registry.execute(call("slow"), ctx({ signal: controller.signal }), 10_000),
    ).rejects.toBeInstanceOf(RunAborted);
  });

  it("cuts very long output", async () => {
    const { result } = await registry.execute(call("big"), ctx(), 1_000);
    expect(result.output.length).toBeLessThan(51_000);
    expect(result.output).toMatch(/cut: 60000 characters/);
  });
});
