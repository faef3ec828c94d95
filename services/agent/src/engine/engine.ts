import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { datasetResolver } from "../datasets/dataset-resolver.ts";
import { DatasetStore } from "../datasets/dataset-store.ts";
import { openDuckDb } from "./duckdb.ts";
import { inspectFile } from "./inspect-file.ts";
import { Limiter } from "./limiter.ts";
import type { DatasetResolver } from "./resolver.ts";
import { ScanCache } from "./scan-cache.ts";

/**
 * The sample datasets that ship with agent-service (services/agent/samples), seen from this file
 * (src/engine/) or from the built bundle (dist/main.js, scripts/build.mjs), which sits one level higher.
 */
const SAMPLES_CANDIDATES = ["../../samples/", "../samples/"].map((path) =>
  fileURLToPath(new URL(path, import.meta.url)),
);
export const DEFAULT_SAMPLES_DIR =
  SAMPLES_CANDIDATES.find((dir) => existsSync(join(dir, "orders.csv"))) ?? SAMPLES_CANDIDATES[0]!;

export interface EngineOptions {
  /** DATA_DIR: datasets live under `<dataDir>/datasets`, DuckDB spills under `<dataDir>/duckdb-tmp`. */
  dataDir: string;
  /** Read-only samples every user sees; default DEFAULT_SAMPLES_DIR, false for none. */
  samplesDir?: string | false;
  /** DuckDB memory limit, e.g. "2GB" (DUCKDB_MEMORY_LIMIT); DuckDB's default when unset. */
  memoryLimit?: string;
  /** DuckDB worker threads (DUCKDB_THREADS); one per core when unset. */
  threads?: number;
  /** Executions running at once; later ones wait (their time limit runs while they wait). */
  maxConcurrentRuns?: number;
  /** Default time limit of one execution. */
  timeoutMs?: number;
  /** Most rows kept per operator result (for the browser's table; the model sees fewer). */
  resultRowLimit?: number;
  /** Longest text kept per cell of a stored result. */
  maxCellChars?: number;
  /** Most bytes of rows (as JSON) kept per operator result. */
  maxResultBytes?: number;
  /** Most bytes of rows kept for a whole execution (shared by its operators). */
  maxExecutionBytes?: number;
  /** Largest dataset upload (DATASET_MAX_BYTES). */
  maxDatasetBytes?: number;
}

export const ENGINE_DEFAULTS = {
  maxConcurrentRuns: 2,
  timeoutMs: 30_000,
  resultRowLimit: 1_000,
  maxCellChars: 1_000,
  maxResultBytes: 512 * 1024,
  maxExecutionBytes: 4 * 1024 * 1024,
  maxDatasetBytes: 100 * 1024 * 1024,
} as const;

type Settings = Required<Omit<EngineOptions, "samplesDir" | "memoryLimit" | "threads">>;

/**
 * The workflow engine of one process: the one DuckDB database (locked to the data and samples folders),
 * the users' datasets, the cache of file schemas and the limit on concurrent executions. Each execution
 * or schema propagation takes a connection of its own and closes it (dropping its temporary tables).
 */
export class Engine {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly datasets: DatasetStore,
    readonly settings: Settings,
    readonly scanCache: ScanCache,
    readonly runs: Limiter,
  ) {}

  static async create(options: EngineOptions): Promise<Engine> {
    const settings: Settings = { ...ENGINE_DEFAULTS, dataDir: options.dataDir };
    for (const key of Object.keys(ENGINE_DEFAULTS) as (keyof typeof ENGINE_DEFAULTS)[]) {
      const value = options[key];
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 1)
        throw new TypeError(`engine option ${key} must be a whole number ≥ 1`);
      settings[key] = value;
    }
    const samplesDir = options.samplesDir === false ? undefined : (options.samplesDir ?? DEFAULT_SAMPLES_DIR);
    let instance: DuckDBInstance | undefined;
    const inspect = (path: string, format: "csv" | "parquet" | "json") => {
      if (!instance) throw new Error("the engine is not open");
      return inspectFile(instance, path, format);
    };
    const datasets = new DatasetStore({ root: join(options.dataDir, "datasets"), samplesDir, inspect });
    instance = await openDuckDb({
      allowedDirectories: [await datasets.realRoot(), ...(samplesDir ? [samplesDir] : [])],
      tempDirectory: join(options.dataDir, "duckdb-tmp"),
      memoryLimit: options.memoryLimit,
      threads: options.threads,
    });
    return new Engine(instance, datasets, settings, new ScanCache(), new Limiter(settings.maxConcurrentRuns));
  }

  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** What the user's file scans can read: their own datasets and the samples, by name. */
  async resolverFor(userId: number): Promise<DatasetResolver> {
    return datasetResolver(await this.datasets.list(userId));
  }

  close(): void {
    this.instance.closeSync();
  }
}
