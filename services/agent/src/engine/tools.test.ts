import {
  type AgentSettings,
  DEFAULT_AGENT_SETTINGS,
  emptyWorkflow,
  ROOT_STEP_ID,
  type Workflow,
} from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workflowTools } from "../workflow/tools.ts";
import { DEFAULT_SAMPLES_DIR } from "./engine.ts";
import { SchemaCheckError, withSchemaCheck } from "./schema-check.ts";
import { schemaContext } from "./schema-context.ts";
import { testEngine, workflow } from "./testing.ts";
import { executionTimeLimitMs, executionTools } from "./tools.ts";

const USER = 21;
const settings: AgentSettings = { modelType: "m", ...DEFAULT_AGENT_SETTINGS };
const ctx = (wf: Workflow, over: Partial<AgentSettings> = {}) => ({
  workflow: wf,
  signal: new AbortController().signal,
  settings: { ...settings, ...over },
  userId: USER,
  agentId: "00000000-0000-4000-8000-000000000001",
  headId: ROOT_STEP_ID,
});

let t: Awaited<ReturnType<typeof testEngine>>;
let tools: ReturnType<typeof executionTools>;
const tool = (name: string) => tools.find((x) => x.name === name)!;
beforeAll(async () => {
  t = await testEngine({ samplesDir: DEFAULT_SAMPLES_DIR });
  tools = executionTools({ engine: t.engine });
  await t.upload(
    USER,
    "scores.csv",
    `name,score\n${Array.from({ length: 300 }, (_, i) => `p${i},${i}`).join("\n")}\n`,
  );
});
afterAll(() => t.cleanup());

const pipeline = workflow(
  [
    ["s", "CSVFileScan", { fileName: "scores.csv" }],
    ["f", "Filter", { predicates: [{ attribute: "score", condition: ">=", value: "100" }] }],
    ["o", "Sort", { attributes: [{ attribute: "score", sortPreference: "DESC" }] }],
  ],
  [
    ["s", "f"],
    ["f", "o"],
  ],
);

describe("executeWorkflow", () => {
  it("returns a summary for the model and every operator's bounded result for the caller", async () => {
    const outcome = await tool("executeWorkflow").execute({ operatorId: "o" }, ctx(pipeline));
    const out = outcome.output as Record<string, unknown>;
    expect(out).toMatchObject({
      operatorId: "o",
      operatorType: "Sort",
      rowCount: 200,
      columns: ["name VARCHAR", "score BIGINT"],
    });
    expect(out.rowCounts).toEqual({ s: 300, f: 200, o: 200 });
    expect((out.rows as unknown[])[0]).toEqual({ name: "p299", score: 299 });
    expect(out.note).toMatch(/^rows 1 to \d+ of 200 shown/);
    expect(JSON.stringify(out).length).toBeLessThanOrEqual(settings.maxOperatorResultCharLimit);
    expect(outcome.execution?.results.map((r) => [r.operatorId, r.rowCount, r.rows.length])).toEqual([
      ["s", 300, 300],
      ["f", 200, 200],
      ["o", 200, 200],
    ]);
  });

  it("keeps within the agent's character limits", async () => {
    for (const limit of [300, 1_000, 2_500]) {
      const outcome = await tool("executeWorkflow").execute(
        {},
        ctx(pipeline, { maxOperatorResultCharLimit: limit }),
      );
      expect(JSON.stringify(outcome.output).length).toBeLessThanOrEqual(limit);
    }
    const long = workflow([["s", "JSONLFileScan", { fileName: "long.json" }]]);
    await t.upload(USER, "long.json", JSON.stringify([{ text: "x".repeat(5_000) }]));
    const outcome = await tool("executeWorkflow").execute(
      {},
      ctx(long, { maxOperatorResultCellCharLimit: 50 }),
    );
    const rows = (outcome.output as { rows: { text: string }[]; note: string }).rows;
    expect(rows[0]!.text).toHaveLength(50);
    // Cut to the engine's cell bound inside DuckDB (the marker says from what), then to the agent's limit.
    expect(rows[0]!.text).toMatch(/^x+… \[cut at 1000 of 5000 bytes\]$/);
    expect((outcome.output as { note: string }).note).toContain("long cells cut");
  });

  it("pages with getOperatorResult", async () => {
    const outcome = await tool("getOperatorResult").execute({ operatorId: "o", offset: 150 }, ctx(pipeline));
    const out = outcome.output as { rows: { score: number }[]; note: string };
    expect(out.rows[0]).toEqual({ name: "p149", score: 149 });
    expect(out.note).toMatch(/^rows 151 to \d+ of 200 shown/);
    expect(outcome.execution).toBeUndefined();
  });

  it("fails with the engine's message, naming the operator", async () => {
    const bad = structuredClone(pipeline);
    bad.operators[1]!.operatorProperties = {
      predicates: [{ attribute: "scor", condition: ">", value: "1" }],
    };
    await expect(tool("executeWorkflow").execute({}, ctx(bad))).rejects.toThrow(
      /^f \(Filter\): predicates\[0\]\.attribute names the column "scor"/,
    );
    await expect(tool("executeWorkflow").execute({ operatorId: 3 }, ctx(pipeline))).rejects.toThrow(
      /operatorId/,
    );
  });
});

describe("datasets tools", () => {
  it("lists the user's datasets and the samples", async () => {
    const out = (await tool("listDatasets").execute({}, ctx(emptyWorkflow()))).output as {
      datasets: { name: string; sample?: boolean; columns: string }[];
    };
    expect(out.datasets.find((d) => d.name === "scores.csv")).toMatchObject({
      columns: "name VARCHAR, score BIGINT",
    });
    expect(out.datasets.find((d) => d.name === "orders.csv")?.sample).toBe(true);
  });

  it("describes one dataset with its first rows, and refuses paths", async () => {
    const out = (await tool("describeDataset").execute({ name: "customers.json" }, ctx(emptyWorkflow())))
      .output as Record<string, unknown>;
    expect(out).toMatchObject({ format: "json", readWith: "JSONLFileScan", rowCount: 10, sample: true });
    expect((out.firstRows as unknown[]).length).toBe(5);
    await expect(
      tool("describeDataset").execute({ name: "../../etc/passwd" }, ctx(emptyWorkflow())),
    ).rejects.toThrow(/is a path/);
    await expect(tool("describeDataset").execute({ name: "nope.csv" }, ctx(emptyWorkflow()))).rejects.toThrow(
      /no dataset named "nope.csv"/,
    );
  });
});

describe("withSchemaCheck", () => {
  it("refuses an edit that makes a touched operator name a missing column, and shows columns otherwise", async () => {
    const edit = withSchemaCheck(workflowTools(), { engine: t.engine });
    const run = (name: string, args: unknown, wf: Workflow) =>
      edit.find((x) => x.name === name)!.execute(args, ctx(wf));
    let wf = emptyWorkflow();
    const scan = await run(
      "addOperator",
      {
        operatorId: "op1",
        operatorType: "CSVFileScan",
        properties: { fileName: "scores.csv" },
        summary: "scores",
      },
      wf,
    );
    wf = scan.workflow!;
    const scanId = (scan.output as { operatorId: string }).operatorId;
    expect((scan.output as { outputColumns: Record<string, string> }).outputColumns[scanId]).toBe(
      "name VARCHAR, score BIGINT",
    );

    const filter = await run(
      "addOperator",
      {
        operatorId: "op2",
        operatorType: "Filter",
        properties: { predicates: [{ attribute: "points", condition: ">", value: "1" }] },
        summary: "points over 1",
      },
      wf,
    );
    wf = filter.workflow!; // not linked yet: nothing to check against
    const filterId = (filter.output as { operatorId: string }).operatorId;
    const refused = await run("addLink", { source: scanId, target: filterId }, wf).catch((e) => e);
    expect(refused).toBeInstanceOf(SchemaCheckError);
    expect(refused).toMatchObject({ operatorId: filterId, column: "points" });
    expect(refused.message).toContain(
      `${filterId} (Filter "points over 1"): predicates[0].attribute names the column "points"`,
    );
    expect(refused.message).toContain("(the change was not applied)");

    wf = (
      await run(
        "modifyOperator",
        {
          operatorId: filterId,
          properties: { predicates: [{ attribute: "score", condition: ">", value: "1" }] },
          summary: "score over 1",
        },
        wf,
      )
    ).workflow!;
    const linked = await run("addLink", { source: scanId, target: filterId }, wf);
    expect((linked.output as { outputColumns: Record<string, string> }).outputColumns[filterId]).toBe(
      "name VARCHAR, score BIGINT",
    );
    wf = linked.workflow!;

    await expect(
      run(
        "modifyOperator",
        { operatorId: scanId, properties: { fileName: "missing.csv" }, summary: "x" },
        wf,
      ),
    ).rejects.toThrow(/no dataset named "missing.csv"/);
    const whole = await run("getWorkflow", {}, wf);
    expect(Object.keys((whole.output as { outputColumns: object }).outputColumns)).toEqual([
      scanId,
      filterId,
    ]);
    const context = await schemaContext(t.engine, wf, USER);
    expect(context).toContain("- scores.csv (csv, 300 rows): name VARCHAR, score BIGINT");
    expect(context).toContain(`- ${filterId} (Filter "score over 1"): name VARCHAR, score BIGINT`);
  });
});

describe("an execution's time limit", () => {
  it("is the agent's executionTimeoutMinutes (Texera's setting) when the engine and the tool allow more", () => {
    const s = { toolTimeoutMs: 600_000, executionTimeoutMinutes: 2 };
    expect(executionTimeLimitMs(3_600_000, s)).toBe(120_000);
  });
  it("never goes past the engine's own limit, nor reaches the tool's timeout", () => {
    expect(executionTimeLimitMs(30_000, { toolTimeoutMs: 600_000, executionTimeoutMinutes: 4 })).toBe(30_000);
    expect(executionTimeLimitMs(3_600_000, { toolTimeoutMs: 60_000, executionTimeoutMinutes: 4 })).toBe(
      59_750,
    );
  });
});
