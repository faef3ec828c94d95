/**
 * The workflow engine against DuckDB itself, in the same run: a 10-million-row CSV aggregated by a
 * workflow (CSVFileScan → Aggregate → Sort) through executeWorkflow, beside the SQL that workflow compiles
 * to, run directly on a connection of the same DuckDB database. Target: engine ≤ 1.5 × direct.
 *
 * The CSV (about 170 MB) is generated once with DuckDB's COPY into the OS temp folder and reused.
 */
import { createReadStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { compileWorkflow } from "../services/agent/src/engine/compile-workflow.ts";
import { Engine } from "../services/agent/src/engine/engine.ts";
import { executeWorkflow } from "../services/agent/src/engine/execute-workflow.ts";
import { workflow } from "../services/agent/src/engine/testing.ts";

const ROWS = 10_000_000;
const REPETITIONS = 5;
const TARGET_RATIO = 1.5;
const USER = 1;

async function generateCsv(): Promise<string> {
  const dir = join(tmpdir(), "texera-agent-bench");
  const file = join(dir, `orders-${ROWS}.csv`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const partial = `${file}.part`;
  await conn.run(
    `COPY (SELECT ['north','south','east','west','central'][1 + (i % 5)::INT] AS region,
                  'p' || (i % 100) AS product,
                  (i % 17)::INT AS quantity,
                  round((i % 1000) / 10.0, 2) AS price
           FROM range(${ROWS}) t(i)) TO '${partial.replaceAll("'", "''")}' (HEADER)`,
  );
  conn.closeSync();
  db.closeSync();
  renameSync(partial, file);
  console.log(`generated ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return file;
}

/** Equal rows; numbers within 1e-9 relative (parallel float sums differ in the last digits). */
function sameRows(a: readonly (readonly unknown[])[], b: readonly (readonly unknown[])[]): boolean {
  return (
    a.length === b.length &&
    a.every((row, i) =>
      row.every((x, j) => {
        const y = b[i]![j];
        const [nx, ny] = [Number(x), Number(y)];
        return (
          String(x) === String(y) ||
          (Number.isFinite(nx) && Math.abs(nx - ny) <= 1e-9 * Math.max(1, Math.abs(nx)))
        );
      }),
    )
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function bench(): Promise<void> {
  const csv = await generateCsv();
  const dataDir = mkdtempSync(join(tmpdir(), "engine-bench-"));
  const engine = await Engine.create({ dataDir, samplesDir: false });
  try {
    await engine.datasets.create(USER, {
      name: "orders.csv",
      body: createReadStream(csv),
      maxBytes: 1024 * 1024 * 1024,
    });
    const wf = workflow(
      [
        ["scan", "CSVFileScan", { fileName: "orders.csv" }],
        [
          "agg",
          "Aggregate",
          {
            groupByKeys: ["region"],
            aggregations: [
              { aggFunction: "sum", attribute: "quantity", "result attribute": "units" },
              { aggFunction: "average", attribute: "price", "result attribute": "avg_price" },
              { aggFunction: "count(*)", "result attribute": "orders" },
            ],
          },
        ],
        ["sort", "Sort", { attributes: [{ attribute: "units", sortPreference: "DESC" }] }],
      ],
      [
        ["scan", "agg"],
        ["agg", "sort"],
      ],
    );
    const compiled = await compileWorkflow(engine, wf, USER, "sort");
    console.log(`SQL:\n${compiled.sql.replace(/read_csv\('[^']*'/, "read_csv('<orders.csv>'")}`);

    const direct = async () => {
      const conn = await engine.connect();
      try {
        const started = performance.now();
        const rows = (await conn.runAndReadAll(compiled.sql, compiled.params)).getRowsJson();
        return { ms: performance.now() - started, rows };
      } finally {
        conn.closeSync();
      }
    };
    const throughEngine = async () => {
      const started = performance.now();
      const ex = await executeWorkflow(engine, {
        workflow: wf,
        targetOperatorId: "sort",
        userId: USER,
        timeoutMs: 600_000,
      });
      return { ms: performance.now() - started, rows: ex.results.at(-1)!.rows };
    };

    // warm-up (file cache, DuckDB's first-use costs), and a check that both give the same answer
    const a = await direct();
    const b = await throughEngine();
    if (!sameRows(a.rows, b.rows)) {
      console.log("direct:", a.rows, "engine:", b.rows);
      throw new Error("the engine and DuckDB disagree");
    }
    const directMs: number[] = [];
    const engineMs: number[] = [];
    for (let i = 0; i < REPETITIONS; i++) {
      directMs.push((await direct()).ms);
      engineMs.push((await throughEngine()).ms);
    }
    const ratio = median(engineMs) / median(directMs);
    const bestRatio = Math.min(...engineMs) / Math.min(...directMs);
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
    console.log(`rows: ${ROWS.toLocaleString("en")} CSV, ${REPETITIONS} repetitions each, alternating`);
    console.log(
      `DuckDB direct   : median ${median(directMs).toFixed(0)} ms, best ${Math.min(...directMs).toFixed(0)} ms  (${fmt(directMs)})`,
    );
    console.log(
      `engine workflow : median ${median(engineMs).toFixed(0)} ms, best ${Math.min(...engineMs).toFixed(0)} ms  (${fmt(engineMs)})`,
    );
    console.log(
      `ratio engine/direct: median ${ratio.toFixed(2)}, best ${bestRatio.toFixed(2)} (target ≤ ${TARGET_RATIO}) ` +
        (ratio <= TARGET_RATIO ? "OK" : "OVER TARGET"),
    );
    console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
