import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startLlmSim } from "@texera-agent/llm-sim";
import { DEFAULT_AGENT_SETTINGS, emptyWorkflow } from "@texera-agent/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_LLM_POLICY } from "../config.ts";
import { createLlmClient } from "../react/llm-client.ts";
import { runAgent } from "../react/run-agent.ts";
import { ToolRegistry } from "../react/tool-registry.ts";
import type { AgentTurn } from "../react/turn.ts";
import { expectTexeraWorkflow } from "../workflow/texera-frontend.testing.ts";
import { workflowTools } from "../workflow/tools.ts";
import { DEFAULT_SAMPLES_DIR } from "./engine.ts";
import type { Execution } from "./execute-workflow.ts";
import { withSchemaCheck } from "./schema-check.ts";
import { testEngine } from "./testing.ts";
import { executionTools } from "./tools.ts";

const KEY = "sk-demo-test";
let sim: Awaited<ReturnType<typeof startLlmSim>>;
let t: Awaited<ReturnType<typeof testEngine>>;
beforeAll(async () => {
  const scenario = JSON.parse(readFileSync(join(DEFAULT_SAMPLES_DIR, "demo-scenario.json"), "utf8"));
  sim = await startLlmSim({ masterKey: KEY, models: ["sim-small"], scenario });
  t = await testEngine({ samplesDir: DEFAULT_SAMPLES_DIR });
});
afterAll(async () => {
  await sim.close();
  t.cleanup();
});

/** The expected answer, computed here from the sample file itself (not through DuckDB). */
function expectedTotals(): [string, number][] {
  const [header, ...lines] = readFileSync(join(DEFAULT_SAMPLES_DIR, "orders.csv"), "utf8").trim().split("\n");
  const cols = header!.split(",");
  const totals = new Map<string, number>();
  for (const line of lines) {
    const row = Object.fromEntries(line.split(",").map((v, i) => [cols[i], v]));
    const amount = Number(row.amount);
    if (amount > 100) totals.set(row.region!, (totals.get(row.region!) ?? 0) + amount);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

it("the offline demo builds the workflow, runs it on the sample and reports the right totals", async () => {
  const executions: Execution[] = [];
  const tools = new ToolRegistry([
    ...withSchemaCheck(workflowTools(), { engine: t.engine }),
    ...executionTools({ engine: t.engine }).map((tool) => ({
      ...tool,
      execute: async (args: unknown, ctx: Parameters<typeof tool.execute>[1]) => {
        const outcome = await tool.execute(args, ctx);
        if (outcome.execution) executions.push(outcome.execution);
        return outcome;
      },
    })),
  ]);
  const steps: AgentTurn[] = [];
  const outcome = await runAgent(
    {
      runId: "run-1",
      agentId: "agent-1",
      userId: 5,
      settings: { modelType: "sim-small", ...DEFAULT_AGENT_SETTINGS },
      history: [{ role: "user", content: "Which regions have the most large orders?" }],
      workflow: emptyWorkflow(),
      firstIndex: 0,
      signal: new AbortController().signal,
    },
    {
      llm: createLlmClient({ baseUrl: sim.url, masterKey: KEY }),
      tools,
      policy: DEFAULT_LLM_POLICY,
      systemPrompt: () => "You build and run dataflow workflows.",
      now: () => new Date(),
    },
    { delta() {}, notice: async () => {}, step: async (s) => void steps.push(s) },
  );

  expect(outcome.reason).toBe("done");
  expect(outcome.workflow.operators.map((o) => o.operatorType)).toEqual([
    "CSVFileScan",
    "Filter",
    "Aggregate",
    "Sort",
  ]);
  for (const step of steps) for (const r of step.toolResults) expect(r.ok, r.output).toBe(true);
  // What the demo built is Texera's WorkflowContent, every operator valid against the catalog's schemas
  expectTexeraWorkflow(outcome.workflow);
  expect(outcome.workflow.operators.map((o) => o.operatorID)).toEqual(["op1", "op2", "op3", "op4"]);
  expect(
    outcome.workflow.links.map((l) => [l.source.operatorID, l.target.operatorID, l.target.portID]),
  ).toEqual([
    ["op1", "op2", "input-0"],
    ["op2", "op3", "input-0"],
    ["op3", "op4", "input-0"],
  ]);
  expect(outcome.workflow.operators.map((o) => o.customDisplayName)).toEqual([
    "Orders",
    "Large orders",
    "Total by region",
    "Largest first",
  ]);

  const expected = expectedTotals();
  expect(executions).toHaveLength(1);
  const results = executions[0]!.results;
  expect(results.map((r) => r.rowCount)).toEqual([
    40,
    results[1]!.rowCount,
    expected.length,
    expected.length,
  ]);
  expect(results[3]!.rows).toEqual(expected);

  const answer = steps.at(-1)!.content;
  const listed = expected.map(([region, total]) => `${region} ${total}`).join(", ");
  expect(answer).toContain(`largest first: ${listed} (${expected.length} regions)`);
});
