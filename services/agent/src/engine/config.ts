import { intFromEnv } from "@texera-agent/service-kit";
import { DUCKDB_DEFAULTS, ENGINE_DEFAULTS, type EngineOptions } from "./engine.ts";

/**
 * The engine's settings from the environment, checked at start-up (a bad value stops the service with a
 * message naming the variable). DATA_DIR comes from the service's own config.
 *
 * | name | meaning | default |
 * |---|---|---|
 * | DATASET_MAX_BYTES | largest dataset upload | 104857600 (100 MiB) |
 * | ENGINE_TIMEOUT_MS | time limit of one workflow execution | 30000 |
 * | ENGINE_MAX_CONCURRENT_RUNS | executions at once (the rest wait) | 2 |
 * | ENGINE_MAX_CONCURRENT_RUNS_PER_USER | of those, executions of one user | 1 |
 * | ENGINE_MAX_QUEUED_RUNS_PER_USER | executions of one user waiting; more are refused | 4 |
 * | ENGINE_RESULT_ROW_LIMIT | rows kept per operator result | 1000 |
 * | ENGINE_MAX_CELL_BYTES | bytes of one result cell leaving DuckDB; longer ones are cut in DuckDB | 1000 |
 * | ENGINE_MAX_ROW_BYTES | bytes of one result row leaving DuckDB | 65536 |
 * | DUCKDB_MEMORY_LIMIT | DuckDB memory limit | 1GB |
 * | DUCKDB_THREADS | DuckDB worker threads | 2 |
 * | DUCKDB_MAX_TEMP_DIRECTORY_SIZE | disk DuckDB may spill to (DATA_DIR/duckdb-tmp) | 4GB |
 * | SAMPLES_DIR | folder of the read-only sample datasets; `none` for none | services/agent/samples |
 */
export function loadEngineConfig(
  dataDir: string,
  env: Record<string, string | undefined> = process.env,
): EngineOptions {
  const samples = env.SAMPLES_DIR || undefined;
  const int = (name: string, key: keyof typeof ENGINE_DEFAULTS, min: number, max: number) =>
    intFromEnv(env, name, ENGINE_DEFAULTS[key], { min, max });
  return {
    dataDir,
    samplesDir: samples === "none" ? false : samples,
    memoryLimit: sizeFromEnv(env, "DUCKDB_MEMORY_LIMIT", DUCKDB_DEFAULTS.memoryLimit),
    threads: intFromEnv(env, "DUCKDB_THREADS", DUCKDB_DEFAULTS.threads, { min: 1, max: 256 }),
    maxTempDirectorySize: sizeFromEnv(
      env,
      "DUCKDB_MAX_TEMP_DIRECTORY_SIZE",
      DUCKDB_DEFAULTS.maxTempDirectorySize,
    ),
    maxDatasetBytes: int("DATASET_MAX_BYTES", "maxDatasetBytes", 1, 1024 ** 4),
    timeoutMs: int("ENGINE_TIMEOUT_MS", "timeoutMs", 100, 3_600_000),
    maxConcurrentRuns: int("ENGINE_MAX_CONCURRENT_RUNS", "maxConcurrentRuns", 1, 64),
    maxConcurrentRunsPerUser: int("ENGINE_MAX_CONCURRENT_RUNS_PER_USER", "maxConcurrentRunsPerUser", 1, 64),
    maxQueuedRunsPerUser: int("ENGINE_MAX_QUEUED_RUNS_PER_USER", "maxQueuedRunsPerUser", 1, 1_000),
    resultRowLimit: int("ENGINE_RESULT_ROW_LIMIT", "resultRowLimit", 1, 100_000),
    maxCellBytes: int("ENGINE_MAX_CELL_BYTES", "maxCellBytes", 16, 1024 * 1024),
    maxRowBytes: int("ENGINE_MAX_ROW_BYTES", "maxRowBytes", 256, 16 * 1024 * 1024),
  };
}

/** A DuckDB size such as 2GB or 512MiB, checked here so a typo stops start-up with the variable named. */
function sizeFromEnv(env: Record<string, string | undefined>, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(value)) {
    throw new TypeError(`${name} must be a size such as 2GB or 512MB, got "${value}"`);
  }
  return value;
}
