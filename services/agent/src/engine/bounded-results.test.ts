import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DEFAULT_AGENT_SETTINGS, emptyWorkflow, ROOT_STEP_ID, type Workflow } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineError } from "./errors.ts";
import { executeWorkflow } from "./execute-workflow.ts";
import { testEngine, workflow } from "./testing.ts";
import { executionTools } from "./tools.ts";

/** A Parquet file written by a DuckDB of its own (the engine's cannot write outside its folders). */
async function parquet(select: string): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "bounded-parquet-"));
  const path = join(dir, "f.parquet");
  const db = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await db.connect();
  try {
    await conn.run(`COPY (${select}) TO '${path}' (FORMAT parquet, COMPRESSION zstd)`);
    return readFileSync(path);
  } finally {
    conn.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

const USER = 7;
const BIG = 5_000_000;
const scan = (fileName: string): Workflow => workflow([["s", "ParquetFileScan", { fileName }]]);
const marker = (cap: number, of: number) => `… [cut at ${cap} of ${of} bytes]`;

let t: Awaited<ReturnType<typeof testEngine>>;
beforeAll(async () => {
  t = await testEngine({ maxCellBytes: 1_000, maxRowBytes: 64 * 1024 });
  // Big text, a big list, a struct holding big text and a big blob, beside small values of each kind.
  await t.upload(
    USER,
    "wide.parquet",
    await parquet(
      `SELECT i AS id, CASE WHEN i = 0 THEN repeat('x', ${BIG}) ELSE 'small' END AS text,
              CASE WHEN i = 0 THEN range(200000) ELSE [1, 2] END AS list,
              {'name': CASE WHEN i = 0 THEN repeat('y', ${BIG}) ELSE 'n' END} AS struct,
              CASE WHEN i = 0 THEN repeat('\\xAA', 100000)::BLOB ELSE '\\x01'::BLOB END AS blob
       FROM range(2) t(i)`,
    ),
  );
  // One row of 100 columns of 2,000 bytes each: every cell is under the cell bound, the row is not.
  const columns = Array.from({ length: 100 }, (_, i) => `repeat('z', 2000) AS c${i}`).join(", ");
  await t.upload(USER, "row.parquet", await parquet(`SELECT ${columns}`));
});
afterAll(() => t?.cleanup());

describe("result cells and rows are bounded inside DuckDB", () => {
  it("cuts big text, lists, structs and blobs with a marker and a flag; keeps small values as they are", async () => {
    const execution = await executeWorkflow(t.engine, { workflow: scan("wide.parquet"), userId: USER });
    const [result] = execution.results;
    expect(result).toMatchObject({ rowCount: 2, truncated: true, cellsCut: true });
    const [big, small] = result!.rows as unknown[][];
    expect(big![0]).toBe(0);
    // The cell keeps its first maxCellBytes, then the marker says it was cut and from what size.
    expect(big![1]).toBe(`${"x".repeat(1_000)}${marker(1_000, BIG)}`);
    // Nested values too big become their text, cut, with the size of the whole text.
    expect(big![2]).toMatch(/^\[0, 1, 2, .*… \[cut at 1000 of \d{7} bytes\]$/);
    expect(big![3]).toMatch(/^\{'name': y+… \[cut at 1000 of \d{7} bytes\]$/);
    expect(big![4]).toBe(`${"\\xAA".repeat(250)}${marker(1_000, 400_000)}`);
    for (const cell of big!.slice(1)) expect(String(cell).length).toBeLessThan(1_100);
    // (BIGINT inside a list stays text, as DuckDB's JSON form has it.)
    expect(small).toEqual([1, "small", ["1", "2"], { name: "n" }, "\\x01"]);
  });

  it("cuts each long cell of a row over the row bound to an equal share", async () => {
    const t2 = await testEngine({ maxCellBytes: 4_000, maxRowBytes: 8_000 });
    try {
      const columns = Array.from({ length: 100 }, (_, i) => `repeat('z', 2000) AS c${i}`).join(", ");
      await t2.upload(USER, "row.parquet", await parquet(`SELECT ${columns}`));
      const execution = await executeWorkflow(t2.engine, { workflow: scan("row.parquet"), userId: USER });
      const row = execution.results[0]!.rows[0]!;
      expect(execution.results[0]!.cellsCut).toBe(true);
      for (const cell of row) expect(cell).toBe(`${"z".repeat(80)}${marker(80, 2_000)}`);
    } finally {
      t2.cleanup();
    }
  });

  it("describeDataset reads the first rows through the same bound", async () => {
    const describe = executionTools({ engine: t.engine }).find((x) => x.name === "describeDataset")!;
    const outcome = await describe.execute(
      { name: "wide.parquet" },
      {
        workflow: emptyWorkflow(),
        signal: new AbortController().signal,
        settings: { modelType: "m", ...DEFAULT_AGENT_SETTINGS, maxOperatorResultCellCharLimit: 200 },
        userId: USER,
        agentId: "00000000-0000-4000-8000-000000000001",
        headId: ROOT_STEP_ID,
      },
    );
    const output = outcome.output as { firstRows: Record<string, unknown>[]; note?: string };
    expect(output.firstRows[0]!.text).toBe(
      `${"x".repeat(200 - marker(1_000, BIG).length)}${marker(1_000, BIG)}`,
    );
    expect(output.firstRows[1]!.text).toBe("small");
    expect(output.note).toMatch(/long cells cut/);
  });
});

describe("DuckDB's memory and disk bounds", () => {
  it("a value bigger than the memory limit fails with an error naming the limit, and the engine goes on", {
    timeout: 90_000,
  }, async () => {
    const small = await testEngine({ memoryLimit: "128MB" });
    try {
      await small.upload(
        USER,
        "bomb.parquet",
        await parquet(`SELECT repeat('x', 60000000) AS s FROM range(3)`),
      );
      const error = await executeWorkflow(small.engine, {
        workflow: scan("bomb.parquet"),
        userId: USER,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineError);
      expect(error).toMatchObject({ code: "out_of_memory", operatorId: "s" });
      expect((error as Error).message).toMatch(/memory limit of 128MB \(DUCKDB_MEMORY_LIMIT\)/);
      await small.upload(USER, "ok.csv", "a\n1\n");
      const ok = workflow([["s", "CSVFileScan", { fileName: "ok.csv" }]]);
      expect((await executeWorkflow(small.engine, { workflow: ok, userId: USER })).results[0]!.rows).toEqual([
        [1],
      ]);
    } finally {
      small.cleanup();
    }
  });

  it("a join that outgrows memory and the spill limit fails with an error naming the disk limit", async () => {
    const small = await testEngine({ memoryLimit: "128MB", maxTempDirectorySize: "1MB", threads: 1 });
    try {
      const csv = `k,v\n${Array.from({ length: 3_000 }, (_, i) => `${i % 2},${"v".repeat(40)}${i}`).join("\n")}\n`;
      await small.upload(USER, "rows.csv", csv);
      const selfJoin = workflow(
        [
          ["a", "CSVFileScan", { fileName: "rows.csv" }],
          ["b", "CSVFileScan", { fileName: "rows.csv" }],
          ["j", "HashJoin", { buildAttributeName: "k", probeAttributeName: "k" }],
        ],
        [
          ["a", "j", 0],
          ["b", "j", 1],
        ],
      );
      const error = await executeWorkflow(small.engine, { workflow: selfJoin, userId: USER }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: "out_of_memory", operatorId: "j" });
      expect((error as Error).message).toMatch(
        /(disk limit of 1MB \(DUCKDB_MAX_TEMP_DIRECTORY_SIZE\)|memory limit of 128MB \(DUCKDB_MEMORY_LIMIT\))/,
      );
    } finally {
      small.cleanup();
    }
  });
});
