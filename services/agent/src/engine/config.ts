import type { AgentEnvValues } from "../config.schema.ts";
import type { EngineOptions } from "./engine.ts";

/**
 * The engine's settings from the service's environment (DATASET_MAX_BYTES, ENGINE_*, DUCKDB_*, SAMPLES_DIR),
 * checked at start-up by its schema (config.schema.ts, where each is described). DATA_DIR comes from the
 * service's own config.
 */
export function loadEngineConfig(dataDir: string, vars: AgentEnvValues): EngineOptions {
  const samples = vars.SAMPLES_DIR || undefined;
  return {
    dataDir,
    samplesDir: samples === "none" ? false : samples,
    memoryLimit: vars.DUCKDB_MEMORY_LIMIT,
    threads: vars.DUCKDB_THREADS,
    maxTempDirectorySize: vars.DUCKDB_MAX_TEMP_DIRECTORY_SIZE,
    maxDatasetBytes: vars.DATASET_MAX_BYTES,
    timeoutMs: vars.ENGINE_TIMEOUT_MS,
    maxConcurrentRuns: vars.ENGINE_MAX_CONCURRENT_RUNS,
    maxConcurrentRunsPerUser: vars.ENGINE_MAX_CONCURRENT_RUNS_PER_USER,
    maxQueuedRunsPerUser: vars.ENGINE_MAX_QUEUED_RUNS_PER_USER,
    resultRowLimit: vars.ENGINE_RESULT_ROW_LIMIT,
    maxCellBytes: vars.ENGINE_MAX_CELL_BYTES,
    maxRowBytes: vars.ENGINE_MAX_ROW_BYTES,
  };
}
