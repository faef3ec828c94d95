import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeWorkflow } from "./execute-workflow.ts";
import { propagateSchemas } from "./propagate-schemas.ts";
import { testEngine, workflow } from "./testing.ts";

const USER = 3;
let t: Awaited<ReturnType<typeof testEngine>>;
beforeAll(async () => {
  t = await testEngine();
  await t.upload(
    USER,
    "orders.csv",
    "id,region,amount,day\n1,EU,10.5,2024-01-01\n2,US,20,2024-01-02\n3,EU,7.25,2024-01-03\n",
  );
  await t.upload(USER, "regions.csv", "region,manager\nEU,Ann\nUS,Bob\n");
});
afterAll(() => t.cleanup());

const flow = workflow(
  [
    ["scan", "CSVFileScan", { fileName: "orders.csv" }],
    ["regions", "CSVFileScan", { fileName: "regions.csv" }],
    ["big", "Filter", { predicates: [{ attribute: "amount", condition: ">", value: "8" }] }],
    ["join", "HashJoin", { buildAttributeName: "region", probeAttributeName: "region" }],
    [
      "agg",
      "Aggregate",
      {
        groupByKeys: ["manager"],
        aggregations: [
          { aggFunction: "sum", attribute: "amount", "result attribute": "total" },
          { aggFunction: "sum", attribute: "id", "result attribute": "ids" },
          { aggFunction: "max", attribute: "day", "result attribute": "last_day" },
          { aggFunction: "count(*)", "result attribute": "n" },
        ],
      },
    ],
    [
      "cols",
      "Projection",
      { isDrop: false, attributes: [{ originalAttribute: "total" }, { originalAttribute: "manager" }] },
    ],
  ],
  [
    ["scan", "big"],
    ["big", "join", 0],
    ["regions", "join", 1],
    ["join", "agg"],
    ["agg", "cols"],
  ],
);

describe("propagateSchemas", () => {
  it("knows every operator's columns and types before anything runs", async () => {
    const schemas = await propagateSchemas(t.engine, flow, USER);
    expect(schemas.scan).toEqual({
      columns: [
        { name: "id", type: "BIGINT" },
        { name: "region", type: "VARCHAR" },
        { name: "amount", type: "DOUBLE" },
        { name: "day", type: "DATE" },
      ],
    });
    expect(schemas.join).toEqual({
      columns: [
        { name: "id", type: "BIGINT" },
        { name: "region", type: "VARCHAR" },
        { name: "amount", type: "DOUBLE" },
        { name: "day", type: "DATE" },
        { name: "manager", type: "VARCHAR" },
      ],
    });
    expect(schemas.agg).toEqual({
      columns: [
        { name: "manager", type: "VARCHAR" },
        { name: "total", type: "DOUBLE" },
        { name: "ids", type: "HUGEINT" },
        { name: "last_day", type: "DATE" },
        { name: "n", type: "BIGINT" },
      ],
    });
    expect(schemas.cols).toEqual({
      columns: [
        { name: "total", type: "DOUBLE" },
        { name: "manager", type: "VARCHAR" },
      ],
    });
  });

  it("predicts exactly the columns an execution produces", async () => {
    const schemas = await propagateSchemas(t.engine, flow, USER);
    const ran = await executeWorkflow(t.engine, { workflow: flow, userId: USER });
    expect(ran.results).toHaveLength(6);
    for (const result of ran.results) expect(schemas[result.operatorId]).toEqual({ columns: result.columns });
  });

  it("names the operator and the column at fault, and marks what is downstream of it", async () => {
    const broken = structuredClone(flow);
    broken.operators[2]!.operatorProperties = {
      predicates: [{ attribute: "amout", condition: ">", value: "8" }],
    };
    const schemas = await propagateSchemas(t.engine, broken, USER);
    expect(schemas.big).toMatchObject({ code: "unknown_column", column: "amout" });
    const error = (schemas.big as { error: string }).error;
    expect(error).toContain("big (Filter)");
    expect(error).toContain('"amout"');
    expect(error).toContain('did you mean "amount"');
    expect(schemas.join).toMatchObject({ code: "upstream_error" });
    expect((schemas.join as { error: string }).error).toContain("input big");
    expect(schemas.cols).toMatchObject({ code: "upstream_error" });
    expect(schemas.regions).toHaveProperty("columns");
  });

  it("follows a changed column through: a projection that drops a column breaks what reads it", async () => {
    const wf = workflow(
      [
        ["scan", "CSVFileScan", { fileName: "orders.csv" }],
        [
          "keep",
          "Projection",
          { isDrop: false, attributes: [{ originalAttribute: "id" }, { originalAttribute: "region" }] },
        ],
        [
          "sum",
          "Aggregate",
          { aggregations: [{ aggFunction: "sum", attribute: "amount", "result attribute": "s" }] },
        ],
      ],
      [
        ["scan", "keep"],
        ["keep", "sum"],
      ],
    );
    const schemas = await propagateSchemas(t.engine, wf, USER);
    expect(schemas.keep).toEqual({
      columns: [
        { name: "id", type: "BIGINT" },
        { name: "region", type: "VARCHAR" },
      ],
    });
    expect(schemas.sum).toMatchObject({ code: "unknown_column", column: "amount" });
  });

  it("describes a workflow whose operators are not linked yet", async () => {
    const wf = workflow([
      ["scan", "CSVFileScan", { fileName: "orders.csv" }],
      ["f", "Filter", { predicates: [{ attribute: "x", condition: "is null" }] }],
    ]);
    const schemas = await propagateSchemas(t.engine, wf, USER);
    expect(schemas.scan).toHaveProperty("columns");
    expect(schemas.f).toMatchObject({ code: "missing_input" });
  });
});
