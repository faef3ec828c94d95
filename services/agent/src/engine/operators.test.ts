import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SAMPLES_DIR } from "./engine.ts";
import { executeWorkflow } from "./execute-workflow.ts";
import { testEngine, workflow } from "./testing.ts";

const PEOPLE = `id,name,dept,salary,active
1,Ann,eng,100,true
2,Bob,eng,80,false
3,Cid,ops,60,true
4,Dee,ops,,true
5,Eve,sales,90,false
`;
const DEPTS = "dept,floor\neng,1\nops,2\nhr,3\n";
const USER = 7;

let t: Awaited<ReturnType<typeof testEngine>>;
beforeAll(async () => {
  t = await testEngine();
  await t.upload(USER, "people.csv", PEOPLE);
  await t.upload(USER, "depts.csv", DEPTS);
  await t.upload(USER, "semi.csv", "x;y\n1;a\n2;b\n");
  await t.upload(
    USER,
    "events.json",
    JSON.stringify([
      { id: 1, kind: "click", at: "2024-03-01" },
      { id: 2, kind: "view", at: "2024-03-02" },
    ]),
  );
  await t.upload(USER, "events.jsonl", '{"id":3,"kind":"buy"}\n{"id":4,"kind":"view"}\n');
  await t.upload(USER, "products.parquet", readFileSync(join(DEFAULT_SAMPLES_DIR, "products.parquet")));
});
afterAll(() => t.cleanup());

const scan = (id: string, fileName = "people.csv") => [id, "CSVFileScan", { fileName }] as const;

/** Runs up to `target` and returns its rows as objects, plus its row count and columns. */
async function run(
  ops: Parameters<typeof workflow>[0],
  links: Parameters<typeof workflow>[1],
  target: string,
) {
  const ex = await executeWorkflow(t.engine, {
    workflow: workflow(ops, links),
    targetOperatorId: target,
    userId: USER,
  });
  const result = ex.results.find((r) => r.operatorId === target)!;
  const objects = result.rows.map((row) =>
    Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])),
  );
  return { objects, result, ex };
}

const names = (rows: Record<string, unknown>[]) => rows.map((r) => r.name);

describe("file scans", () => {
  it("reads a CSV with inferred types", async () => {
    const { result, objects } = await run([[...scan("s")]], [], "s");
    expect(result.columns).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "name", type: "VARCHAR" },
      { name: "dept", type: "VARCHAR" },
      { name: "salary", type: "BIGINT" },
      { name: "active", type: "BOOLEAN" },
    ]);
    expect(result.rowCount).toBe(5);
    expect(objects[3]).toEqual({ id: 4, name: "Dee", dept: "ops", salary: null, active: true });
  });

  it("honours customDelimiter (its first character) and hasHeader", async () => {
    const { result } = await run(
      [["s", "CSVFileScan", { fileName: "semi.csv", customDelimiter: ";", hasHeader: false }]],
      [],
      "s",
    );
    expect(result.rowCount).toBe(3); // the header line is a row now
    expect(result.columns.map((c) => c.name)).toEqual(["column0", "column1"]);
    expect(result.rows[0]).toEqual(["x", "y"]);
  });

  it("reads JSON arrays and newline-delimited JSON", async () => {
    const a = await run([["j", "JSONLFileScan", { fileName: "events.json" }]], [], "j");
    expect(a.objects).toEqual([
      { id: 1, kind: "click", at: "2024-03-01" },
      { id: 2, kind: "view", at: "2024-03-02" },
    ]);
    expect(a.result.columns.find((c) => c.name === "at")?.type).toBe("DATE");
    const b = await run([["j", "JSONLFileScan", { fileName: "events.jsonl" }]], [], "j");
    expect(b.objects.map((o) => o.kind)).toEqual(["buy", "view"]);
  });

  it("reads Parquet", async () => {
    const { result, objects } = await run(
      [["p", "ParquetFileScan", { fileName: "products.parquet" }]],
      [],
      "p",
    );
    expect(result.rowCount).toBe(6);
    expect(result.columns).toContainEqual({ name: "unit_price", type: "DECIMAL(5,2)" });
    expect(objects.find((o) => o.product === "Mouse")).toMatchObject({
      unit_price: 19.99,
      launched: "2018-01-10",
    });
  });
});

describe("Filter", () => {
  const filter = async (predicates: unknown[]) =>
    names((await run([[...scan("s")], ["f", "Filter", { predicates }]], [["s", "f"]], "f")).objects);

  it("compares numbers, text and booleans", async () => {
    expect(await filter([{ attribute: "salary", condition: ">", value: "70" }])).toEqual([
      "Ann",
      "Bob",
      "Eve",
    ]);
    expect(await filter([{ attribute: "salary", condition: "<=", value: "80" }])).toEqual(["Bob", "Cid"]);
    expect(await filter([{ attribute: "dept", condition: "!=", value: "eng" }])).toEqual([
      "Cid",
      "Dee",
      "Eve",
    ]);
    expect(await filter([{ attribute: "dept", condition: "=", value: "ops" }])).toEqual(["Cid", "Dee"]);
    expect(await filter([{ attribute: "active", condition: "=", value: "TRUE" }])).toEqual([
      "Ann",
      "Cid",
      "Dee",
    ]);
    expect(await filter([{ attribute: "active", condition: "=", value: "false" }])).toEqual(["Bob", "Eve"]);
  });

  it("tests for null and ORs the predicates, as Texera's Filter does", async () => {
    expect(await filter([{ attribute: "salary", condition: "is null" }])).toEqual(["Dee"]);
    expect(await filter([{ attribute: "salary", condition: "is not null" }])).toHaveLength(4);
    const both = [
      { attribute: "dept", condition: "=", value: "eng" },
      { attribute: "salary", condition: ">=", value: "90" },
    ];
    expect(await filter(both)).toEqual(["Ann", "Bob", "Eve"]);
  });
});

describe("SubstringSearch", () => {
  it("keeps rows containing the substring, case-insensitive unless asked", async () => {
    const search = async (substring: string, isCaseSensitive: boolean) =>
      names(
        (
          await run(
            [[...scan("s")], ["f", "SubstringSearch", { attribute: "name", substring, isCaseSensitive }]],
            [["s", "f"]],
            "f",
          )
        ).objects,
      );
    expect(await search("e", true)).toEqual(["Dee", "Eve"]);
    expect(await search("e", false)).toEqual(["Dee", "Eve"]);
    expect(await search("E", false)).toEqual(["Dee", "Eve"]);
    expect(await search("E", true)).toEqual(["Eve"]);
  });
});

describe("Projection, Sort, Limit, Distinct", () => {
  it("keeps the listed columns in the listed order, renamed by alias; isDrop drops them", async () => {
    const attributes = [
      { originalAttribute: "name", alias: "who" },
      { originalAttribute: "id", alias: "" },
    ];
    const { result } = await run(
      [[...scan("s")], ["p", "Projection", { isDrop: false, attributes }]],
      [["s", "p"]],
      "p",
    );
    expect(result.columns.map((c) => c.name)).toEqual(["who", "id"]);
    expect(result.rows[0]).toEqual(["Ann", 1]);
    const dropped = await run(
      [[...scan("s")], ["p", "Projection", { isDrop: true, attributes }]],
      [["s", "p"]],
      "p",
    );
    expect(dropped.result.columns.map((c) => c.name)).toEqual(["dept", "salary", "active"]);
  });

  it("sorts by several keys, nulls last", async () => {
    const one = await run(
      [[...scan("s")], ["o", "Sort", { attributes: [{ attribute: "salary", sortPreference: "DESC" }] }]],
      [["s", "o"]],
      "o",
    );
    expect(names(one.objects)).toEqual(["Ann", "Eve", "Bob", "Cid", "Dee"]);
    const two = await run(
      [
        [...scan("s")],
        [
          "o",
          "Sort",
          {
            attributes: [
              { attribute: "dept", sortPreference: "ASC" },
              { attribute: "salary", sortPreference: "DESC" },
            ],
          },
        ],
      ],
      [["s", "o"]],
      "o",
    );
    expect(names(two.objects)).toEqual(["Ann", "Bob", "Cid", "Dee", "Eve"]);
  });

  it("limits, keeping the sorted order", async () => {
    const { objects, result } = await run(
      [
        [...scan("s")],
        ["o", "Sort", { attributes: [{ attribute: "salary", sortPreference: "DESC" }] }],
        ["l", "Limit", { limit: 2 }],
      ],
      [
        ["s", "o"],
        ["o", "l"],
      ],
      "l",
    );
    expect(names(objects)).toEqual(["Ann", "Eve"]);
    expect(result.rowCount).toBe(2);
  });

  it("drops duplicate rows", async () => {
    const { objects } = await run(
      [
        [...scan("s")],
        ["p", "Projection", { isDrop: false, attributes: [{ originalAttribute: "dept" }] }],
        ["d", "Distinct", {}],
      ],
      [
        ["s", "p"],
        ["p", "d"],
      ],
      "d",
    );
    expect(objects.map((o) => o.dept).sort()).toEqual(["eng", "ops", "sales"]);
  });
});

describe("Aggregate", () => {
  it("groups and computes every function, groups in key order", async () => {
    const { objects, result } = await run(
      [
        [...scan("s")],
        [
          "a",
          "Aggregate",
          {
            groupByKeys: ["dept"],
            aggregations: [
              { aggFunction: "sum", attribute: "salary", "result attribute": "total" },
              { aggFunction: "count(*)", "result attribute": "n" },
              { aggFunction: "count", attribute: "salary", "result attribute": "paid" },
              { aggFunction: "average", attribute: "salary", "result attribute": "mean" },
              { aggFunction: "min", attribute: "salary", "result attribute": "low" },
              { aggFunction: "max", attribute: "id", "result attribute": "last_id" },
              { aggFunction: "concat", attribute: "name", "result attribute": "names" },
            ],
          },
        ],
      ],
      [["s", "a"]],
      "a",
    );
    expect(objects).toEqual([
      { dept: "eng", total: 180, n: 2, paid: 2, mean: 90, low: 80, last_id: 2, names: expect.any(String) },
      { dept: "ops", total: 60, n: 2, paid: 1, mean: 60, low: 60, last_id: 4, names: expect.any(String) },
      { dept: "sales", total: 90, n: 1, paid: 1, mean: 90, low: 90, last_id: 5, names: "Eve" },
    ]);
    expect(result.columns.map((c) => c.type)).toEqual([
      "VARCHAR",
      "HUGEINT",
      "BIGINT",
      "BIGINT",
      "DOUBLE",
      "BIGINT",
      "BIGINT",
      "VARCHAR",
    ]);
    expect(String(objects[0]!.names).split(",").sort()).toEqual(["Ann", "Bob"]);
  });

  it("treats the whole input as one group without keys", async () => {
    const { objects } = await run(
      [
        [...scan("s")],
        [
          "a",
          "Aggregate",
          {
            aggregations: [
              { aggFunction: "count(*)", "result attribute": "rows" },
              { aggFunction: "sum", attribute: "salary", "result attribute": "payroll" },
            ],
          },
        ],
      ],
      [["s", "a"]],
      "a",
    );
    expect(objects).toEqual([{ rows: 5, payroll: 330 }]);
  });
});

describe("HashJoin", () => {
  const join = async (joinType: string) =>
    run(
      [
        [...scan("p")],
        [...scan("d", "depts.csv")],
        ["j", "HashJoin", { buildAttributeName: "dept", probeAttributeName: "dept", joinType }],
      ],
      [
        ["p", "j", 0],
        ["d", "j", 1],
      ],
      "j",
    );

  it("inner, left/right/full outer joins with Texera's output columns (probe key dropped)", async () => {
    const inner = await join("inner");
    expect(inner.result.columns.map((c) => c.name)).toEqual([
      "id",
      "name",
      "dept",
      "salary",
      "active",
      "floor",
    ]);
    expect(names(inner.objects).sort()).toEqual(["Ann", "Bob", "Cid", "Dee"]);
    expect(inner.objects.find((o) => o.name === "Cid")).toMatchObject({ dept: "ops", floor: 2 });
    const left = await join("left outer");
    expect(left.result.rowCount).toBe(5);
    expect(left.objects.find((o) => o.name === "Eve")).toMatchObject({ floor: null });
    const right = await join("right outer");
    expect(right.result.rowCount).toBe(5);
    // the unmatched right row shows its key in the (same-named) build key column, as Texera's probe does
    expect(right.objects.find((o) => o.dept === "hr")).toMatchObject({ name: null, floor: 3 });
    expect((await join("full outer")).result.rowCount).toBe(6);
  });

  it('suffixes a right column whose name is taken with "#@1"', async () => {
    const { result } = await run(
      [
        [...scan("p")],
        [...scan("q")],
        ["j", "HashJoin", { buildAttributeName: "id", probeAttributeName: "id", joinType: "inner" }],
      ],
      [
        ["p", "j", 0],
        ["q", "j", 1],
      ],
      "j",
    );
    expect(result.columns.map((c) => c.name)).toEqual([
      "id",
      "name",
      "dept",
      "salary",
      "active",
      "name#@1",
      "dept#@1",
      "salary#@1",
      "active#@1",
    ]);
  });
});

describe("Union", () => {
  it("appends the rows of every link into its one port, matching columns by name", async () => {
    const { result, ex } = await run(
      [
        [...scan("a")],
        [...scan("b")],
        [
          "pa",
          "Projection",
          { isDrop: false, attributes: [{ originalAttribute: "name" }, { originalAttribute: "dept" }] },
        ],
        [
          "pb",
          "Projection",
          { isDrop: false, attributes: [{ originalAttribute: "dept" }, { originalAttribute: "name" }] },
        ],
        ["u", "Union", {}],
        ["d", "Distinct", {}],
      ],
      [
        ["a", "pa"],
        ["b", "pb"],
        ["pa", "u", 0],
        ["pb", "u", 0],
        ["u", "d"],
      ],
      "d",
    );
    expect(ex.results.find((r) => r.operatorId === "u")?.rowCount).toBe(10);
    expect(result.rowCount).toBe(5);
    expect(result.columns.map((c) => c.name)).toEqual(["name", "dept"]);
  });
});

describe("results", () => {
  it("keeps every operator's row count, bounds the rows, and runs only what the target needs", async () => {
    const ops: Parameters<typeof workflow>[0] = [
      [...scan("s")],
      ["f", "Filter", { predicates: [{ attribute: "salary", condition: ">", value: "0" }] }],
      ["x", "Projection", { isDrop: false, attributes: [{ originalAttribute: "id" }] }],
    ];
    const ex = await executeWorkflow(t.engine, {
      workflow: workflow(ops, [
        ["s", "f"],
        ["s", "x"],
      ]),
      targetOperatorId: "f",
      userId: USER,
      rowLimit: 2,
    });
    expect(ex.results.map((r) => [r.operatorId, r.rowCount, r.rows.length, r.truncated])).toEqual([
      ["s", 5, 2, true],
      ["f", 4, 2, true],
    ]);
    const page = await executeWorkflow(t.engine, {
      workflow: workflow(ops, [["s", "f"]]),
      targetOperatorId: "f",
      userId: USER,
      targetOffset: 3,
    });
    expect(page.results.at(-1)?.rows).toEqual([[5, "Eve", "sales", 90, false]]);
  });
});
