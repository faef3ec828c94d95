import { afterAll, beforeAll, expect, it } from "vitest";
import { parseAgentEnv } from "../config.ts";
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

it("stores the latest execution per agent and gives summaries without rows", async () => {
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
  expect(await loadOperatorResults(database.sql, "agent-1")).toEqual({ results: [] });

  const wf = workflow(
    [
      ["s", "CSVFileScan", { fileName: "n.csv" }],
      ["l", "Limit", { limit: 2 }],
    ],
    [["s", "l"]],
  );
  const first = await executeWorkflow(t.engine, { workflow: wf, userId: 1 });
  await saveOperatorResults(database.sql, "agent-1", first);
  const second = await executeWorkflow(t.engine, { workflow: wf, userId: 1, targetOperatorId: "s" });
  await saveOperatorResults(database.sql, "agent-1", second);
  const loaded = await loadOperatorResults(database.sql, "agent-1");
  expect(loaded).toMatchObject({ targetOperatorId: "s", executedAt: second.executedAt });
  expect(loaded.results.map((r) => [r.operatorId, r.rows])).toEqual([["s", [[1], [2], [3]]]]);
  expect(resultSummaries(first)).toEqual([
    expect.objectContaining({ operatorId: "s", rowCount: 3, columns: [{ name: "n", type: "BIGINT" }] }),
    expect.objectContaining({ operatorId: "l", rowCount: 2 }),
  ]);
  expect(resultSummaries(first)[0]).not.toHaveProperty("rows");
  await database.close();
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
