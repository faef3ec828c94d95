import { randomUUID } from "node:crypto";
import type OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Scenario } from "./scenario-schema.ts";
import type { LlmSim } from "./server.ts";
import { client, post, startTestSim, user } from "./test-helpers.ts";

// A three-step build: add a source, add a filter, link them by the ids the tools generated.
const builder: Scenario = {
  name: "builder",
  rules: [
    {
      name: "add source",
      match: { lastUser: "build a (?<kind>\\w+) workflow", flags: "i", assistantTurns: 0 },
      reply: {
        content: "Adding a source.",
        toolCalls: [
          { name: "addOperator", arguments: { type: "CSVFileScan", label: "{{match:kind}} source" } },
        ],
      },
    },
    {
      name: "add filter",
      match: { afterToolResult: true, assistantTurns: 1 },
      reply: {
        toolCalls: [{ name: "addOperator", arguments: { type: "Filter", after: "{{result:0.operatorId}}" } }],
      },
    },
    {
      name: "link",
      match: { afterToolResult: true, assistantTurns: 2 },
      reply: {
        toolCalls: [
          {
            name: "addLink",
            arguments: {
              from: "{{result:0.operatorId}}",
              to: "{{result:-1.operatorId}}",
              port: "{{result:1.port}}",
            },
          },
        ],
      },
    },
    {
      name: "done",
      match: { afterToolResult: true, lastToolResult: '"ok":true' },
      reply: { content: "Linked {{result:0.operatorId}} to {{result:1.operatorId}}." },
    },
    {
      name: "tool failed",
      match: { afterToolResult: true },
      reply: { content: "The tool failed: {{result:-1}}" },
    },
  ],
};

const twoCalls: Scenario = {
  rules: [
    {
      match: { lastUser: "^two$" },
      reply: {
        toolCalls: [
          { name: "getWeather", arguments: { city: "Irvine", units: "metric", days: [1, 2, 3] } },
          { name: "getTime", arguments: { zone: "America/Los_Angeles" } },
        ],
      },
    },
  ],
};

function workflowTools(log: { name: string; args: Record<string, unknown> }[]) {
  const tool = (name: string, run: (args: Record<string, unknown>) => unknown) => ({
    type: "function" as const,
    function: {
      name,
      description: name,
      parameters: { type: "object", properties: {} },
      parse: JSON.parse,
      function: (args: Record<string, unknown>) => {
        log.push({ name, args });
        return run(args);
      },
    },
  });
  return [
    tool("addOperator", () => ({ operatorId: randomUUID(), port: 1 })),
    tool("addLink", (args) => ({ ok: true, linkId: `${args.from}->${args.to}` })),
  ];
}

let sim: LlmSim;
let ai: OpenAI;
beforeAll(async () => {
  sim = await startTestSim();
  ai = client(sim);
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe("tool calls", () => {
  it("streams tool calls in pieces: index, id and name first, then argument deltas", async () => {
    sim.setScenario(twoCalls);
    const stream = await ai.chat.completions.create({
      model: "sim-small",
      messages: [user("two")],
      stream: true,
    });
    const pieces: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      pieces.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe("tool_calls");
    for (const index of [0, 1]) {
      const mine = pieces.filter((p) => p.index === index);
      expect(mine[0]).toMatchObject({ index, id: expect.stringMatching(/^call_/), type: "function" });
      expect(mine[0]!.function!.name).toBe(index === 0 ? "getWeather" : "getTime");
      expect(mine.length).toBeGreaterThanOrEqual(3);
      expect(mine.slice(1).every((p) => p.id === undefined && p.function?.name === undefined)).toBe(true);
    }
    const args = pieces.filter((p) => p.index === 0).map((p) => p.function?.arguments ?? "");
    expect(JSON.parse(args.join(""))).toEqual({ city: "Irvine", units: "metric", days: [1, 2, 3] });
  });

  it("is reassembled by the SDK's stream helper and matches the non-stream answer", async () => {
    sim.setScenario(twoCalls);
    const final = await ai.chat.completions
      .stream({ model: "sim-small", messages: [user("two")] })
      .finalChatCompletion();
    const streamed = final.choices[0]!.message.tool_calls!;
    const plain = (await ai.chat.completions.create({ model: "sim-small", messages: [user("two")] }))
      .choices[0]!;
    expect(plain.finish_reason).toBe("tool_calls");
    expect(plain.message.content).toBeNull();
    for (const calls of [streamed, plain.message.tool_calls!]) {
      expect(
        calls.map((c) => c.type === "function" && [c.function.name, JSON.parse(c.function.arguments)]),
      ).toEqual([
        ["getWeather", { city: "Irvine", units: "metric", days: [1, 2, 3] }],
        ["getTime", { zone: "America/Los_Angeles" }],
      ]);
      expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    }
  });

  it.each([false, true])("chains calls on ids the tools generated (runTools, stream=%s)", async (stream) => {
    sim.setScenario(builder);
    const log: { name: string; args: Record<string, unknown> }[] = [];
    const runner = ai.chat.completions.runTools({
      model: "sim-large",
      messages: [user("Please build a sales workflow")],
      tools: workflowTools(log),
      stream,
    } as never);
    const content = await runner.finalContent();
    expect(log.map((l) => l.name)).toEqual(["addOperator", "addOperator", "addLink"]);
    expect(log[0]!.args).toEqual({ type: "CSVFileScan", label: "sales source" });
    const results = runner.messages
      .filter((m) => m.role === "tool")
      .map((m) => JSON.parse(m.content as string));
    const [source, filter] = results as { operatorId: string }[];
    expect(log[1]!.args).toEqual({ type: "Filter", after: source!.operatorId });
    // A whole-value placeholder keeps the JSON type: port stays a number.
    expect(log[2]!.args).toEqual({ from: source!.operatorId, to: filter!.operatorId, port: 1 });
    expect(content).toBe(`Linked ${source!.operatorId} to ${filter!.operatorId}.`);
    expect(sim.requests.map((r) => r.rule)).toEqual(["add source", "add filter", "link", "done"]);
  });

  it("answers 400 naming the placeholder when a tool result lacks the field", async () => {
    sim.setScenario(builder);
    const res = await post(sim, "/chat/completions", {
      model: "sim-small",
      messages: [
        user("build a sales workflow"),
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "addOperator", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: '{"id":"x"}' },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c2", type: "function", function: { name: "addOperator", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c2", content: "not json" },
      ],
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.message).toContain("{{result:0.operatorId}}");
    expect(body.error.message).toContain('no field "operatorId"');
    expect(sim.requests[0]!.outcome).toBe("error");
  });
});
