import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { Value } from "@sinclair/typebox/value";
import type { Database } from "@texera-agent/db";
import { ROOT_STEP_ID, Workflow } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAgentDatabase } from "../db/open-agent-database.ts";
import type { AgentDatabase } from "../db/schema.ts";
import { compileWorkflow } from "../engine/compile-workflow.ts";
import { executeWorkflow } from "../engine/execute-workflow.ts";
import { testEngine } from "../engine/testing.ts";
import { createRepositories } from "../repositories/index.ts";
import { OPERATOR_CATALOG } from "./catalog.ts";
import { FIXTURES, PEOPLE_CSV } from "./fixtures/texera-workflows.ts";
import { expectTexeraWorkflow } from "./texera-frontend.testing.ts";
import { workflowTools } from "./tools.ts";
import { validateWorkflow } from "./validate-workflow.ts";

const USER = 3;
const AGENT = "aaaaaaaa-0000-4000-8000-0000000000aa";
let t: Awaited<ReturnType<typeof testEngine>>;
let database: Database<AgentDatabase>;
let dir: string;

beforeAll(async () => {
  t = await testEngine();
  await t.upload(USER, "people.csv", PEOPLE_CSV);
  const rows = PEOPLE_CSV.trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
  await t.upload(
    USER,
    "people.jsonl",
    rows.map(([id, name]) => JSON.stringify({ id: Number(id), name })).join("\n"),
  );
  dir = mkdtempSync(join(tmpdir(), "round-trip-"));
  database = await openAgentDatabase({ url: undefined, dataDir: dir });
  await database.db
    .insertInto("agents")
    .values({
      id: AGENT,
      owner_id: USER,
      name: "a",
      model_type: "m",
      settings: "{}",
      created_at: "2030-01-01T00:00:00Z",
    })
    .execute();
});
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
  t.cleanup();
});

describe("Texera workflows written by hand round-trip through this service", () => {
  it("has a fixture for every operator of the catalog", () => {
    expect(FIXTURES.map((f) => f.operatorType).sort()).toEqual(
      OPERATOR_CATALOG.map((t) => t.operatorType).sort(),
    );
  });

  for (const fixture of FIXTURES) {
    it(`${fixture.operatorType}: validates, compiles, runs with the right rows, and is written back the same`, async () => {
      if (fixture.operatorType === "ParquetFileScan") await uploadParquet();
      const original = structuredClone(fixture.workflow);
      expect(Value.Check(Workflow, fixture.workflow)).toBe(true);
      expectTexeraWorkflow(fixture.workflow);
      expect(validateWorkflow(fixture.workflow)).toEqual([]);

      const compiled = await compileWorkflow(t.engine, fixture.workflow, USER, fixture.target);
      expect(compiled.sql).toMatch(/^WITH "op_0" AS/);
      const run = await executeWorkflow(t.engine, {
        workflow: fixture.workflow,
        targetOperatorId: fixture.target,
        userId: USER,
      });
      const result = run.results.find((r) => r.operatorId === fixture.target)!;
      expect(result.error).toBeUndefined();
      expect(result.columns.map((c) => c.name)).toEqual(fixture.columns);
      const ordered = fixture.operatorType === "Sort" || fixture.operatorType.endsWith("FileScan");
      const rows = ordered ? result.rows : [...result.rows].sort(byJson);
      expect(rows).toEqual(ordered ? fixture.rows : [...fixture.rows].sort(byJson));

      // stored and read back, and shown to the model by getWorkflow: the same content, nothing dropped
      const repos = createRepositories(database.sql);
      await repos.workflows.put(AGENT, fixture.workflow, "2030-01-01T00:00:00Z");
      expect(await repos.workflows.get(AGENT)).toEqual(original);
      const shown = await workflowTools()
        .find((x) => x.name === "getWorkflow")!
        .execute(
          {},
          {
            workflow: fixture.workflow,
            signal: new AbortController().signal,
            settings: {} as never,
            userId: USER,
            agentId: AGENT,
            headId: ROOT_STEP_ID,
          },
        );
      expect((shown.output as { workflow: unknown }).workflow).toEqual(original);
      expect(fixture.workflow).toEqual(original); // nothing was changed in place
    });
  }
});

let parquetDone = false;
/** A Parquet copy of people.csv, written by DuckDB. */
async function uploadParquet() {
  if (parquetDone) return;
  // a DuckDB of its own: the engine's may not touch files
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  const path = join(dir, "people-out.parquet");
  const csv = join(dir, "people-in.csv");
  writeFileSync(csv, PEOPLE_CSV);
  await conn.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${path}' (FORMAT parquet)`);
  conn.closeSync();
  instance.closeSync();
  await t.upload(USER, "people.parquet", readFileSync(path));
  parquetDone = true;
}

function byJson(a: unknown, b: unknown): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}
