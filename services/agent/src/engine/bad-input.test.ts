import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileWorkflow } from "./compile-workflow.ts";
import { EngineError } from "./errors.ts";
import { executeWorkflow } from "./execute-workflow.ts";
import { testEngine, workflow } from "./testing.ts";

const USER = 11;
let t: Awaited<ReturnType<typeof testEngine>>;
beforeAll(async () => {
  t = await testEngine();
  await t.upload(USER, "people.csv", "id,name,salary,hired\n1,Ann,100,2020-01-01\n2,Bob,80,2021-06-01\n");
  await t.upload(USER, "weird.csv", '"we""ird",plain\n1,a\n2,b\n');
  const many = Array.from({ length: 20_000 }, (_, i) => `k,${i}`).join("\n");
  await t.upload(USER, "many.csv", `key,n\n${many}\n`);
});
afterAll(() => t.cleanup());

const scan = ["s", "CSVFileScan", { fileName: "people.csv" }] as const;

async function failure(wf: ReturnType<typeof workflow>, target?: string): Promise<EngineError> {
  const error = await executeWorkflow(t.engine, {
    workflow: wf,
    targetOperatorId: target,
    userId: USER,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

describe("structural problems", () => {
  it("refuses a cycle, naming its operators", async () => {
    const wf = workflow(
      [
        ["a", "Distinct", {}],
        ["b", "Distinct", {}],
      ],
      [
        ["a", "b"],
        ["b", "a"],
      ],
    );
    const error = await failure(wf, "b");
    expect(error.code).toBe("cycle");
    expect(error.message).toMatch(/^a \(Distinct\) is on a cycle of links \(a, b\)/);
  });

  it("refuses an operator with an input port that has no link", async () => {
    const wf = workflow(
      [[...scan], ["j", "HashJoin", { buildAttributeName: "id", probeAttributeName: "id" }]],
      [["s", "j", 0]],
    );
    const error = await failure(wf, "j");
    expect(error).toMatchObject({ code: "missing_input", operatorId: "j" });
    expect(error.message).toContain("j (HashJoin) has no link into its input-1 (right)");
  });

  it("refuses invalid properties, an unknown type and an unknown target", async () => {
    expect((await failure(workflow([["l", "Limit", { limit: -1 }]]))).code).toBe("invalid_properties");
    expect((await failure(workflow([["x", "PythonUDF", {}]]))).code).toBe("unknown_operator_type");
    expect((await failure(workflow([[...scan]]), "nope")).code).toBe("unknown_operator");
    expect((await failure(workflow([]))).code).toBe("empty_workflow");
  });
});

describe("columns and types", () => {
  const filter = (conditions: unknown[]) =>
    workflow([[...scan], ["f", "Filter", { predicates: conditions }]], [["s", "f"]]);

  it("names the operator and the unknown column in every operator that takes one", async () => {
    const cases: [ReturnType<typeof workflow>, string, string][] = [
      [filter([{ attribute: "salry", condition: ">", value: "1" }]), "f", "salry"],
      [
        workflow(
          [
            [...scan],
            [
              "p",
              "Projection",
              { isDrop: false, attributes: [{ originalAttribute: "name" }, { originalAttribute: "age" }] },
            ],
          ],
          [["s", "p"]],
        ),
        "p",
        "age",
      ],
      [
        workflow(
          [[...scan], ["o", "Sort", { attributes: [{ attribute: "Name", sortPreference: "ASC" }] }]],
          [["s", "o"]],
        ),
        "o",
        "Name",
      ],
      [
        workflow(
          [
            [...scan],
            [
              "a",
              "Aggregate",
              {
                groupByKeys: ["dept"],
                aggregations: [{ aggFunction: "count(*)", "result attribute": "n" }],
              },
            ],
          ],
          [["s", "a"]],
        ),
        "a",
        "dept",
      ],
      [
        workflow(
          [
            [...scan],
            ["t", "CSVFileScan", { fileName: "weird.csv" }],
            ["j", "HashJoin", { buildAttributeName: "id", probeAttributeName: "id" }],
          ],
          [
            ["s", "j", 0],
            ["t", "j", 1],
          ],
        ),
        "j",
        "id",
      ],
    ];
    for (const [wf, operatorId, column] of cases) {
      const error = await failure(wf);
      expect(error).toMatchObject({ code: "unknown_column", operatorId, column });
      expect(error.message).toContain(`${operatorId} (`);
      expect(error.message).toContain(JSON.stringify(column));
      expect(error.property).toMatch(/[A-Za-z]/);
    }
    expect((await failure(filter([{ attribute: "Salary", condition: ">", value: "1" }]))).message).toContain(
      'did you mean "salary"',
    );
  });

  it("refuses type mismatches, naming operator and column", async () => {
    const sumOfText = workflow(
      [
        [...scan],
        [
          "a",
          "Aggregate",
          { aggregations: [{ aggFunction: "sum", attribute: "name", "result attribute": "x" }] },
        ],
      ],
      [["s", "a"]],
    );
    const e1 = await failure(sumOfText);
    expect(e1).toMatchObject({ code: "type_mismatch", operatorId: "a", column: "name" });
    expect(e1.message).toContain(
      "a (Aggregate): aggregations[0] takes the sum of name, which is VARCHAR; sum needs a number",
    );

    const e2 = await failure(filter([{ attribute: "salary", condition: ">", value: "lots" }]));
    expect(e2).toMatchObject({ code: "type_mismatch", operatorId: "f", column: "salary" });
    expect(e2.property).toBe("predicates[0].value");
    const e3 = await failure(filter([{ attribute: "salary", condition: ">" }]));
    expect(e3).toMatchObject({ code: "type_mismatch", column: "salary", property: "predicates[0].value" });
    const e4 = await failure(
      workflow(
        [
          [...scan],
          ["t", "CSVFileScan", { fileName: "weird.csv" }],
          ["j", "HashJoin", { buildAttributeName: "name", probeAttributeName: 'we"ird' }],
        ],
        [
          ["s", "j", 0],
          ["t", "j", 1],
        ],
      ),
    );
    expect(e4).toMatchObject({ code: "type_mismatch", operatorId: "j" });
    // Caught by DuckDB at run time, still reported as the operator's
    const e5 = await failure(filter([{ attribute: "hired", condition: ">", value: "not a date" }]));
    expect(e5).toMatchObject({ code: "type_mismatch", operatorId: "f" });
    expect(e5.message).toMatch(/^f \(Filter\) failed in DuckDB: Conversion Error/);
  });

  it("refuses a union of inputs with different columns", async () => {
    const wf = workflow(
      [[...scan], ["t", "CSVFileScan", { fileName: "weird.csv" }], ["u", "Union", {}]],
      [
        ["s", "u", 0],
        ["t", "u", 0],
      ],
    );
    const error = await failure(wf);
    expect(error).toMatchObject({ code: "unknown_column", operatorId: "u" });
    expect(error.message).toContain("every input needs the same columns");
  });

  it("refuses an aggregate whose result names collide", async () => {
    const wf = workflow(
      [
        [...scan],
        [
          "a",
          "Aggregate",
          {
            groupByKeys: ["name"],
            aggregations: [{ aggFunction: "max", attribute: "salary", "result attribute": "NAME" }],
          },
        ],
      ],
      [["s", "a"]],
    );
    expect(await failure(wf)).toMatchObject({ code: "duplicate_column", operatorId: "a", column: "NAME" });
  });
});

describe("runaway queries", () => {
  const explosion = workflow(
    [
      ["a", "CSVFileScan", { fileName: "many.csv" }],
      ["b", "CSVFileScan", { fileName: "many.csv" }],
      ["j", "HashJoin", { buildAttributeName: "key", probeAttributeName: "key" }],
      ["n", "Aggregate", { aggregations: [{ aggFunction: "count(*)", "result attribute": "rows" }] }],
    ],
    [
      ["a", "j", 0],
      ["b", "j", 1],
      ["j", "n"],
    ],
  );

  it("cancels a query at its time limit, and the engine goes on", async () => {
    const started = performance.now();
    const error = await executeWorkflow(t.engine, {
      workflow: explosion,
      userId: USER,
      timeoutMs: 200,
    }).catch((e) => e);
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ code: "timeout" });
    // Usually the join; on a loaded machine the limit can strike while a scan still runs.
    expect(error.message).toMatch(
      /at its time limit of 200 ms while (j \(HashJoin\)|[ab] \(CSVFileScan\)|the check of the workflow) was running/,
    );
    expect(elapsed).toBeLessThan(3_000);
    const after = await executeWorkflow(t.engine, { workflow: workflow([[...scan]]), userId: USER });
    expect(after.results[0]?.rowCount).toBe(2);
  });

  it("cancels when the caller's signal aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await executeWorkflow(t.engine, {
      workflow: explosion,
      userId: USER,
      timeoutMs: 20_000,
      signal: controller.signal,
    }).catch((e) => e);
    expect(error).toMatchObject({ code: "cancelled" });
  });
});

describe("paths and injection", () => {
  it("refuses a fileName that is a path, or not one of the user's datasets", async () => {
    for (const fileName of [
      "/etc/passwd",
      "/a@b.c/../x/people.csv",
      "/alice@example.com/people/v1/nope.csv",
      "../11/people.csv",
      "C:\\x.csv",
      "a/../../b.csv",
      "~/x.csv",
      "file:///etc/passwd",
    ]) {
      const error = await failure(workflow([["s", "CSVFileScan", { fileName }]]));
      expect(["invalid_properties", "invalid_path", "unknown_dataset"]).toContain(error.code);
      expect(error.operatorId).toBe("s");
    }
    const own = await t.engine.datasets.list(USER);
    const relative = `datasets/${USER}/${own[0]!.id}.csv`;
    const error = await failure(workflow([["s", "CSVFileScan", { fileName: relative }]]));
    expect(error.code).toBe("unknown_dataset");
    expect(error.message).toContain("you have no dataset named");
    expect(error.message).not.toContain(t.dataDir);
  });

  it("treats attribute names and values as data, never as SQL", async () => {
    const injectedColumn = workflow(
      [
        [...scan],
        ["f", "Filter", { predicates: [{ attribute: 'salary" > 0 OR "1"="1', condition: ">", value: "1" }] }],
      ],
      [["s", "f"]],
    );
    expect(await failure(injectedColumn)).toMatchObject({ code: "unknown_column" });

    for (const value of ["x' OR '1'='1", "'; DROP TABLE people; --", "Ann' --"]) {
      const wf = workflow(
        [[...scan], ["f", "Filter", { predicates: [{ attribute: "name", condition: "=", value }] }]],
        [["s", "f"]],
      );
      const ex = await executeWorkflow(t.engine, { workflow: wf, userId: USER });
      expect(ex.results.at(-1)?.rowCount).toBe(0);
    }
    const compiled = await compileWorkflow(
      t.engine,
      workflow(
        [
          [...scan],
          ["f", "Filter", { predicates: [{ attribute: "name", condition: "=", value: "x' OR '1'='1" }] }],
        ],
        [["s", "f"]],
      ),
      USER,
    );
    expect(compiled.sql).not.toContain("OR '1'='1");
    expect(Object.values(compiled.params)).toEqual(["x' OR '1'='1"]);
  });

  it("quotes odd column, result and operator names safely", async () => {
    const wf = workflow(
      [
        ['scan"; DROP', "CSVFileScan", { fileName: "weird.csv", customDelimiter: "," }],
        ["p", "Projection", { isDrop: false, attributes: [{ originalAttribute: 'we"ird' }] }],
        [
          "a",
          "Aggregate",
          {
            aggregations: [{ aggFunction: "sum", attribute: 'we"ird', "result attribute": 'x" FROM t; --' }],
          },
        ],
      ],
      [
        ['scan"; DROP', "p"],
        ["p", "a"],
      ],
    );
    const ex = await executeWorkflow(t.engine, { workflow: wf, userId: USER });
    expect(ex.results.at(-1)).toMatchObject({
      columns: [{ name: 'x" FROM t; --', type: "HUGEINT" }],
      rows: [[3]],
    });
  });
});
