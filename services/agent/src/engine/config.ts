import { intFromEnv } from "@texera-agent/service-kit";
import { ENGINE_DEFAULTS, type EngineOptions } from "./engine.ts";

/**
 * The engine's settings from the environment, checked at start-up (a bad value stops the service with a
 * message naming the variable). DATA_DIR comes from the service's own config.
 *
 * | name | meaning | default |
 * |---|---|---|
 * | DATASET_MAX_BYTES | largest dataset upload | 104857600 (100 MiB) |
 * | ENGINE_TIMEOUT_MS | time limit of one workflow execution | 30000 |
 * | ENGINE_MAX_CONCURRENT_RUNS | executions at once (the rest wait) | 2 |
 * | ENGINE_RESULT_ROW_LIMIT | rows kept per operator result | 1000 |
 * | DUCKDB_MEMORY_LIMIT | DuckDB memory limit, e.g. 2GB | DuckDB's (80% of RAM) |
 * | DUCKDB_THREADS | DuckDB worker threads | one per core |
 * | SAMPLES_DIR | folder of the read-only sample datasets; `none` for none | services/agent/samples |
 */
export function loadEngineConfig(
  dataDir: string,
  env: Record<string, string | undefined> = process.env,
): EngineOptions {
  const memoryLimit = env.DUCKDB_MEMORY_LIMIT || undefined;
  if (memoryLimit !== undefined && !/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit)) {
    throw new TypeError(`DUCKDB_MEMORY_LIMIT must be a size such as 2GB or 512MB, got "${memoryLimit}"`);
  }
  const threads = intFromEnv(env, "DUCKDB_THREADS", 0, { min: 0, max: 256 });
  const samples = env.SAMPLES_DIR || undefined;
  return {
    dataDir,
    samplesDir: samples === "none" ? false : samples,
    memoryLimit,
    threads: threads === 0 ? undefined : threads,
    maxDatasetBytes: intFromEnv(env, "DATASET_MAX_BYTES", ENGINE_DEFAULTS.maxDatasetBytes, {
      min: 1,
      max: 1024 ** 4,
    }),
    timeoutMs: intFromEnv(env, "ENGINE_TIMEOUT_MS", ENGINE_DEFAULTS.timeoutMs, { min: 100, max: 3_600_000 }),
    maxConcurrentRuns: intFromEnv(env, "ENGINE_MAX_CONCURRENT_RUNS", ENGINE_DEFAULTS.maxConcurrentRuns, {
      min: 1,
      max: 64,
    }),
    resultRowLimit: intFromEnv(env, "ENGINE_RESULT_ROW_LIMIT", ENGINE_DEFAULTS.resultRowLimit, {
      min: 1,
      max: 100_000,
    }),
  };
}
