import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseChatRequest, viewTurn } from "./conversation.ts";
import { fillJson, interpolate, PlaceholderError } from "./placeholders.ts";
import { compileScenario, defaultScenario, loadScenarioFile, planReply, ScenarioError } from "./scenario.ts";
import type { LlmSim } from "./server.ts";
import { client, startTestSim, user } from "./test-helpers.ts";

const EXAMPLE = fileURLToPath(new URL("../examples/multi-step-tools.json", import.meta.url));

function plan(scenario: unknown, messages: unknown[], extra: Record<string, unknown> = {}) {
  const req = parseChatRequest({ model: "m", messages, ...extra });
  return planReply(compileScenario(scenario), req, viewTurn(req.messages));
}

const call = (name: string) => ({
  role: "assistant",
  content: null,
  tool_calls: [{ id: `c-${name}`, type: "function", function: { name, arguments: "{}" } }],
});
const result = (content: string) => ({ role: "tool", tool_call_id: "c", content });

describe("scenario rules", () => {
  it("picks the first rule whose conditions all hold", () => {
    const s = {
      rules: [
        {
          name: "after tool, turn 2+",
          match: { afterToolResult: true, assistantTurns: { min: 2 } },
          reply: { content: "late" },
        },
        { name: "after tool", match: { afterToolResult: true }, reply: { content: "tool" } },
        { name: "hello", match: { lastUser: "^hello", flags: "i" }, reply: { content: "hi {{match:0}}" } },
        { name: "with tool", match: { toolOffered: "search" }, reply: { content: "can search" } },
      ],
      fallback: { content: "?" },
    };
    expect(plan(s, [user("HELLO you")]).content).toBe("hi HELLO");
    expect(plan(s, [user("x")]).rule).toBe("fallback");
    const tools = { tools: [{ type: "function", function: { name: "search" } }] };
    expect(plan(s, [user("x")], tools).rule).toBe("with tool");
    expect(plan(s, [user("hello"), call("a"), result("{}")]).rule).toBe("after tool");
    expect(plan(s, [user("hello"), call("a"), result("{}"), call("b"), result("{}")]).rule).toBe(
      "after tool, turn 2+",
    );
    // Turns count from the last user message only.
    expect(plan(s, [user("a"), call("a"), result("{}"), call("b"), result("{}"), user("hello")]).rule).toBe(
      "hello",
    );
  });

  it("the default scenario echoes, and tokens:N answers N tokens", () => {
    expect(plan(defaultScenario, [user("hello {{model}}")]).content).toBe("hello {{model}}");
    expect(plan(defaultScenario, [user(" tokens: 12 ")]).content.split(" ")).toHaveLength(12);
    expect(
      plan(defaultScenario, [{ role: "user", content: [{ type: "text", text: "parts" }] }]).content,
    ).toBe("parts");
  });

  it("refuses a broken scenario with a ScenarioError naming the place", () => {
    expect(() => compileScenario({ rules: [{ reply: {}, match: { lastUser: "(" } }] })).toThrow(
      ScenarioError,
    );
    expect(() => compileScenario({ rules: [{ reply: {}, match: { lastUser: "(" } }] })).toThrow(
      /rules\.0.*lastUser/,
    );
    expect(() => compileScenario({ rules: [{ reply: { text: "x" } }] })).toThrow(/rules\.0\.reply/);
    expect(() => compileScenario({ rules: "x" })).toThrow(ScenarioError);
    expect(() => compileScenario({ rules: [{ reply: {}, fault: { error: 200 } }] })).toThrow(/fault/);
  });
});

describe("placeholders", () => {
  const ctx = {
    lastUser: "u",
    model: "m",
    user: "7",
    match: "ab".match(/(?<first>a)(b)/),
    toolResults: ['{"id":"op-1","n":3,"nested":{"list":[{"x":true}]}}', "plain text"],
  };

  it("fills fields of tool results by index, path and from the end", () => {
    expect(interpolate("{{result:0.id}}/{{result:-1}}/{{ match:first }}{{match:2}}/{{user}}", ctx)).toBe(
      "op-1/plain text/ab/7",
    );
    expect(
      fillJson(
        {
          id: "{{result:0.id}}",
          n: "{{result:0.n}}",
          x: "{{result:0.nested.list.0.x}}",
          s: "n={{result:0.n}}",
        },
        ctx,
      ),
    ).toEqual({
      id: "op-1",
      n: 3,
      x: true,
      s: "n=3",
    });
    expect(fillJson("{{result:0.nested}}", ctx)).toEqual({ list: [{ x: true }] });
  });

  it.each([
    ["{{result:2.id}}", /no tool result 2/],
    ["{{result:1.id}}", /not JSON/],
    ["{{result:0.missing}}", /no field "missing"/],
    ["{{match:9}}", /no group "9"/],
    ["{{nope}}", /unknown placeholder/],
  ])("%s fails with a clear PlaceholderError", (template, message) => {
    expect(() => interpolate(template, ctx)).toThrow(PlaceholderError);
    expect(() => interpolate(template, ctx)).toThrow(message);
  });
});

describe("scenario file", () => {
  let sim: LlmSim;
  let ai: OpenAI;
  beforeAll(async () => {
    sim = await startTestSim({ scenario: await loadScenarioFile(EXAMPLE) });
    ai = client(sim);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  const tools = ["createDataset", "runQuery", "describeDataset"].map((name) => ({
    type: "function" as const,
    function: { name, parameters: { type: "object", properties: {} } },
  }));

  it("drives a multi-step tool conversation from the JSON file", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [user("Draw a chart of monthly sales")];
    const results: Record<string, (args: Record<string, unknown>) => unknown> = {
      createDataset: (a) => ({ datasetId: `ds-${String(a.name).replace(/ /g, "-")}-91` }),
      runQuery: (a) => ({ rows: 10, datasetId: a.datasetId }),
      describeDataset: (a) => ({ columns: ["month", "total"], datasetId: a.datasetId }),
    };
    let final = "";
    for (let step = 0; step < 5; step++) {
      const stream = ai.chat.completions.stream({ model: "sim-small", messages, tools });
      const msg = (await stream.finalChatCompletion()).choices[0]!.message;
      messages.push({ role: "assistant", content: msg.content, tool_calls: msg.tool_calls });
      if (!msg.tool_calls?.length) {
        final = msg.content ?? "";
        break;
      }
      for (const c of msg.tool_calls) {
        if (c.type !== "function") continue;
        const out = results[c.function.name]!(JSON.parse(c.function.arguments));
        messages.push({ role: "tool", tool_call_id: c.id, content: JSON.stringify(out) });
      }
    }
    expect(sim.requests.map((r) => r.rule)).toEqual(["create dataset", "query dataset", "answer"]);
    const queried = (sim.requests[2]!.body as { messages: { role: string; content: string }[] }).messages
      .filter((m) => m.role === "tool")
      .map((m) => JSON.parse(m.content).datasetId);
    expect(queried).toEqual(["ds-monthly-sales-91", "ds-monthly-sales-91", "ds-monthly-sales-91"]);
    expect(final).toBe("Dataset ds-monthly-sales-91 has 10 rows; the chart is ready.");
  });

  it("takes tool errors and per-rule faults from the file", async () => {
    const res = await ai.chat.completions.create({
      model: "sim-small",
      messages: [
        user("chart of x"),
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "createDataset", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: '{"error":"quota exceeded"}' },
      ],
      tools,
    });
    expect(res.choices[0]!.message.content).toBe("The tool failed: quota exceeded");
    const t0 = performance.now();
    await ai.chat.completions.create({ model: "sim-small", messages: [user("slow: please")] });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    expect(sim.requests[1]!.fault).toEqual({ firstTokenMs: 50, tokensPerSecond: 100 });
  });

  it("reports a file that is missing, not JSON or not a scenario", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llm-sim-"));
    await writeFile(join(dir, "bad.json"), "{ nope");
    await writeFile(join(dir, "wrong.json"), JSON.stringify({ rules: [{ replies: {} }] }));
    await expect(loadScenarioFile(join(dir, "missing.json"))).rejects.toThrow(/cannot read/);
    await expect(loadScenarioFile(join(dir, "bad.json"))).rejects.toThrow(/not JSON/);
    await expect(loadScenarioFile(join(dir, "wrong.json"))).rejects.toThrow(
      /wrong\.json: scenario\.rules\.0/,
    );
  });
});
