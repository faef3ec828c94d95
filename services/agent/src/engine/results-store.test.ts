import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateToLatest, openDatabase } from "@texera-agent/db";
import { ROOT_STEP_ID } from "@texera-agent/protocol";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseAgentEnv } from "../config.ts";
import { migrations } from "../db/migrations.ts";
import { openAgentDatabase } from "../db/open-agent-database.ts";
import { loadEngineConfig } from "./config.ts";
import { executeWorkflow } from "./execute-workflow.ts";
import { loadOperatorResults, resultSummaries, saveOperatorResults } from "./results-store.ts";
import { testEngine, workflow } from "./testing.ts";

let t: Awaited<ReturnType<typeof testEngine>>;
beforeAll(async () => {
  t = await testEngine();
  await t.upload(1, "n.csv", "n\n1\n2\n3\n");
});
afterAll(() => t.cleanup());

// Results follow the version tree as Texera keeps them: stored per (operator, step), the visible one is on
// the nearest step of the path to HEAD (apache/texera agent-service/src/agent/workflow-result-state.spec.ts
// at c65cd34ef332c9629fc437db0fdfd8d601a8b83c: "returns the most recent ancestor entry", "getAllVisible
// returns one entry per operator on the current branch", "set on the same step overwrites").
it("stores executions by step and shows, per operator, the nearest on the path to HEAD", async () => {
  const database = await openAgentDatabase({ url: "sqlite::memory:", dataDir: t.dataDir });
  const { db } = database;
  await db
    .insertInto("agents")
    .values({
      id: "agent-1",
      owner_id: 1,
      name: "a",
      model_type: "m",
      settings: "{}",
      created_at: new Date().toISOString(),
      head_id: null,
    })
    .execute();
  expect(await loadOperatorResults(database.sql, "agent-1", [])).toEqual({ results: [] });

  const wf = (limit: number) =>
    workflow(
      [
        ["s", "CSVFileScan", { fileName: "n.csv" }],
        ["l", "Limit", { limit }],
      ],
      [["s", "l"]],
    );
  const rowsOf = async (path: string[]) =>
    Object.fromEntries(
      (await loadOperatorResults(database.sql, "agent-1", path)).results.map((r) => [
        r.operatorId,
        r.rowCount,
      ]),
    );
  // A: both operators (l keeps 1 row); C: both again (l keeps 2); B: only s, run up to it
  await saveOperatorResults(
    database.sql,
    "agent-1",
    "A",
    await executeWorkflow(t.engine, { workflow: wf(1), userId: 1 }),
  );
  await saveOperatorResults(
    database.sql,
    "agent-1",
    "C",
    await executeWorkflow(t.engine, { workflow: wf(2), userId: 1 }),
  );
  const onB = await executeWorkflow(t.engine, { workflow: wf(3), userId: 1, targetOperatorId: "s" });
  await saveOperatorResults(database.sql, "agent-1", "B", onB);

  expect(await rowsOf(["A", "B", "C"])).toEqual({ l: 2, s: 3 });
  // rewound to B: C is no longer an ancestor; s comes from B, l from A
  expect(await rowsOf(["A", "B"])).toEqual({ s: 3, l: 1 });
  expect(await rowsOf(["A"])).toEqual({ s: 3, l: 1 });
  // another branch, or before any execution: nothing
  expect(await rowsOf(["X"])).toEqual({});
  expect(await rowsOf([])).toEqual({});
  // the newest visible execution names itself
  expect(await loadOperatorResults(database.sql, "agent-1", ["A", "B"])).toMatchObject({
    targetOperatorId: "s",
    executedAt: onB.executedAt,
  });

  // a second execution at the same step overwrites per operator and keeps the operators it did not run
  await saveOperatorResults(
    database.sql,
    "agent-1",
    "A",
    await executeWorkflow(t.engine, { workflow: wf(3), userId: 1, targetOperatorId: "s" }),
  );
  expect(await rowsOf(["A"])).toEqual({ s: 3, l: 1 });
  await saveOperatorResults(
    database.sql,
    "agent-1",
    "A",
    await executeWorkflow(t.engine, { workflow: wf(3), userId: 1 }),
  );
  expect(await rowsOf(["A"])).toEqual({ s: 3, l: 3 });
  // executions before any step hang on the root, which every path has
  await saveOperatorResults(
    database.sql,
    "agent-1",
    ROOT_STEP_ID,
    await executeWorkflow(t.engine, { workflow: wf(1), userId: 1 }),
  );
  expect(await rowsOf(["X"])).toEqual({ s: 3, l: 1 });

  const first = await executeWorkflow(t.engine, { workflow: wf(2), userId: 1 });
  expect(resultSummaries(first)).toEqual([
    expect.objectContaining({ operatorId: "s", rowCount: 3, columns: [{ name: "n", type: "BIGINT" }] }),
    expect.objectContaining({ operatorId: "l", rowCount: 2 }),
  ]);
  expect(resultSummaries(first)[0]).not.toHaveProperty("rows");
  await database.close();
});

it("migration 009 keeps each agent's latest results, on its HEAD of the moment (the root without one)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "migrate-009-"));
  try {
    const old = openDatabase<unknown>({ url: undefined, dataDir: dir, fileName: "agent.sqlite" });
    const db = old.db as Kysely<Record<string, Record<string, unknown>>>;
    await migrateToLatest(
      old.db,
      "agent",
      Object.fromEntries(Object.entries(migrations).filter(([n]) => n < "009")),
    );
    const list = (rowCount: number) =>
      JSON.stringify({
        executedAt: "2030-01-01T00:00:00.000Z",
        results: [
          {
            operatorId: "s",
            operatorType: "CSVFileScan",
            columns: [],
            rows: [],
            rowCount,
            truncated: false,
            elapsedMs: 1,
          },
        ],
      });
    for (const [id, head, rows] of [
      ["a-with-head", "step-7", 5],
      ["a-fresh", null, 2],
    ] as const) {
      await db
        .insertInto("agents")
        .values({
          id,
          owner_id: 1,
          name: "a",
          model_type: "m",
          settings: "{}",
          created_at: "2030-01-01T00:00:00Z",
          head_id: head,
        })
        .execute();
      await db
        .insertInto("operator_results")
        .values({ agent_id: id, json: list(rows), updated_at: "2030-01-01T00:00:00Z" })
        .execute();
    }
    await old.close();
    const database = await openAgentDatabase({ url: undefined, dataDir: dir });
    try {
      const counts = async (id: string, path: string[]) =>
        (await loadOperatorResults(database.sql, id, path)).results.map((r) => r.rowCount);
      expect(await counts("a-with-head", ["step-1", "step-7"])).toEqual([5]);
      expect(await counts("a-with-head", ["step-1"])).toEqual([]);
      expect(await counts("a-fresh", [])).toEqual([2]);
    } finally {
      await database.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("reads its settings from the environment, refusing bad values by name", () => {
  expect(loadEngineConfig("/d", parseAgentEnv({}))).toMatchObject({
    dataDir: "/d",
    maxDatasetBytes: 100 * 1024 * 1024,
  });
  expect(
    loadEngineConfig("/d", parseAgentEnv({ DATASET_MAX_BYTES: "1000", SAMPLES_DIR: "none" })),
  ).toMatchObject({
    maxDatasetBytes: 1000,
    samplesDir: false,
  });
  expect(() => loadEngineConfig("/d", parseAgentEnv({ DATASET_MAX_BYTES: "lots" }))).toThrow(
    /DATASET_MAX_BYTES/,
  );
  expect(() => loadEngineConfig("/d", parseAgentEnv({ DUCKDB_MEMORY_LIMIT: "1GB'; SET x" }))).toThrow(
    /DUCKDB_MEMORY_LIMIT/,
  );
});
