import { expect, it } from "vitest";
import { parseAgentEnv } from "../config.ts";
import { loadEngineConfig } from "./config.ts";
import { testEngine } from "./testing.ts";

it("bounds DuckDB by default (memory, threads, spill disk) and per user, each settable", () => {
  expect(loadEngineConfig("/d", parseAgentEnv({}))).toMatchObject({
    memoryLimit: "1GB",
    threads: 2,
    maxTempDirectorySize: "4GB",
    maxConcurrentRuns: 2,
    maxConcurrentRunsPerUser: 1,
    maxQueuedRunsPerUser: 4,
    maxCellBytes: 1000,
    maxRowBytes: 65536,
  });
  expect(
    loadEngineConfig(
      "/d",
      parseAgentEnv({
        DUCKDB_MEMORY_LIMIT: "512MiB",
        DUCKDB_THREADS: "1",
        DUCKDB_MAX_TEMP_DIRECTORY_SIZE: "10GB",
        ENGINE_MAX_CONCURRENT_RUNS_PER_USER: "2",
        ENGINE_MAX_QUEUED_RUNS_PER_USER: "8",
        ENGINE_MAX_CELL_BYTES: "4096",
        ENGINE_MAX_ROW_BYTES: "100000",
      }),
    ),
  ).toMatchObject({
    memoryLimit: "512MiB",
    threads: 1,
    maxTempDirectorySize: "10GB",
    maxConcurrentRunsPerUser: 2,
    maxQueuedRunsPerUser: 8,
    maxCellBytes: 4096,
    maxRowBytes: 100000,
  });
  expect(() => loadEngineConfig("/d", parseAgentEnv({ DUCKDB_MAX_TEMP_DIRECTORY_SIZE: "lots" }))).toThrow(
    /DUCKDB_MAX_TEMP_DIRECTORY_SIZE/,
  );
  expect(() => loadEngineConfig("/d", parseAgentEnv({ ENGINE_MAX_CELL_BYTES: "0" }))).toThrow(
    /ENGINE_MAX_CELL_BYTES/,
  );
});

it("DuckDB runs with the bounds it was given", async () => {
  const t = await testEngine({ memoryLimit: "300MB", threads: 1, maxTempDirectorySize: "123MB" });
  try {
    const conn = await t.engine.connect();
    const read = await conn.runAndReadAll(
      "SELECT current_setting('memory_limit'), current_setting('threads'), current_setting('max_temp_directory_size')",
    );
    conn.closeSync();
    const [memory, threads, temp] = read.getRows()[0]!;
    expect(String(memory)).toMatch(/^(286\.1 MiB|300\.0 MB)$/);
    expect(Number(threads)).toBe(1);
    expect(String(temp)).toMatch(/^(117\.3 MiB|123\.0 MB)$/);
  } finally {
    t.cleanup();
  }
});
