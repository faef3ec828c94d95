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
  /** DuckDB memory limit, e.g. "2GB" (DUCKDB_MEMORY_LIMIT); default DUCKDB_DEFAULTS.memoryLimit. */
  memoryLimit?: string;
  /** DuckDB worker threads (DUCKDB_THREADS); default DUCKDB_DEFAULTS.threads. */
  threads?: number;
  /** Most disk DuckDB may spill to (DUCKDB_MAX_TEMP_DIRECTORY_SIZE); default DUCKDB_DEFAULTS. */
  maxTempDirectorySize?: string;
  /** Executions running at once; later ones wait (their time limit runs while they wait). */
  maxConcurrentRuns?: number;
  /** Of those, at most this many for one user, so another user's execution finds a slot. */
  maxConcurrentRunsPerUser?: number;
  /** Executions of one user waiting for a slot; one more is refused at once ("busy"). */
  maxQueuedRunsPerUser?: number;
  /** Default time limit of one execution. */
  timeoutMs?: number;
  /** Most rows kept per operator result (for the browser's table; the model sees fewer). */
  resultRowLimit?: number;
  /** Most bytes of one cell when it leaves DuckDB; longer cells are cut inside DuckDB, with a marker. */
  maxCellBytes?: number;
  /** Most bytes of one row when it leaves DuckDB; a longer row's long cells are cut to a share each. */
  maxRowBytes?: number;
  /** Most bytes of rows (as JSON) kept per operator result. */
  maxResultBytes?: number;
  /** Most bytes of rows kept for a whole execution (shared by its operators). */
  maxExecutionBytes?: number;
  /** Largest dataset upload (DATASET_MAX_BYTES). */
  maxDatasetBytes?: number;
}

export const ENGINE_DEFAULTS = {
  maxConcurrentRuns: 2,
  maxConcurrentRunsPerUser: 1,
  maxQueuedRunsPerUser: 4,
  timeoutMs: 30_000,
  resultRowLimit: 1_000,
  maxCellBytes: 1_000,
  maxRowBytes: 64 * 1024,
  maxResultBytes: 512 * 1024,
  maxExecutionBytes: 4 * 1024 * 1024,
  maxDatasetBytes: 100 * 1024 * 1024,
} as const;

/** DuckDB's own bounds, per process (DuckDB's defaults would be 80% of RAM, a thread per core, 90% of disk). */
export const DUCKDB_DEFAULTS = {
  memoryLimit: "1GB",
  threads: 2,
  maxTempDirectorySize: "4GB",
} as const;

type Settings = Required<Omit<EngineOptions, "samplesDir">>;

/**
 * The workflow engine of one process: the one DuckDB database (locked to the data and samples folders),
 * the users' datasets, the cache of file schemas and the limit on concurrent executions (in all and per
 * user). Each execution or schema propagation takes a connection of its own and closes it (dropping its
 * temporary tables).
 *
 * DuckDB is opened on first use, not at start-up: ~30 MB of a resting service's 160 (issue 14). The
 * first callers share one opening, and none gets a connection before the lockdown (openDuckDb) is done.
 */
export class Engine {
  /** The opening under way or done; cleared when it failed, so that a later use tries again. */
  private opening: Promise<DuckDBInstance> | undefined;
  private instance: DuckDBInstance | undefined;
  private closed = false;

  private constructor(
    private readonly open: () => Promise<DuckDBInstance>,
    readonly datasets: DatasetStore,
    readonly settings: Settings,
    readonly scanCache: ScanCache,
    readonly runs: Limiter,
  ) {}

  static async create(options: EngineOptions): Promise<Engine> {
    const settings: Settings = {
      ...ENGINE_DEFAULTS,
      dataDir: options.dataDir,
      memoryLimit: options.memoryLimit ?? DUCKDB_DEFAULTS.memoryLimit,
      threads: options.threads ?? DUCKDB_DEFAULTS.threads,
      maxTempDirectorySize: options.maxTempDirectorySize ?? DUCKDB_DEFAULTS.maxTempDirectorySize,
    };
    for (const key of Object.keys(ENGINE_DEFAULTS) as (keyof typeof ENGINE_DEFAULTS)[]) {
      const value = options[key];
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 1)
        throw new TypeError(`engine option ${key} must be a whole number ≥ 1`);
      settings[key] = value;
    }
    const samplesDir = options.samplesDir === false ? undefined : (options.samplesDir ?? DEFAULT_SAMPLES_DIR);
    let engine: Engine | undefined;
    const inspect = async (path: string, format: "csv" | "parquet" | "json") => {
      if (!engine) throw new Error("the engine is not open");
      return inspectFile(await engine.duckDb(), path, format);
    };
    const datasets = new DatasetStore({ root: join(options.dataDir, "datasets"), samplesDir, inspect });
    // The folders now, so that a DATA_DIR that cannot be written stops start-up; DuckDB on first use.
    const allowedDirectories = [await datasets.realRoot(), ...(samplesDir ? [samplesDir] : [])];
    const open = () =>
      openDuckDb({
        allowedDirectories,
        tempDirectory: join(options.dataDir, "duckdb-tmp"),
        memoryLimit: settings.memoryLimit,
        threads: settings.threads,
        maxTempDirectorySize: settings.maxTempDirectorySize,
      });
    const runs = new Limiter(
      settings.maxConcurrentRuns,
      settings.maxConcurrentRunsPerUser,
      settings.maxQueuedRunsPerUser,
    );
    engine = new Engine(open, datasets, settings, new ScanCache(), runs);
    return engine;
  }

  /** Whether DuckDB has been opened (it is on first use). */
  get isOpen(): boolean {
    return this.instance !== undefined;
  }

  /** The locked-down database, opened by the first caller; concurrent first callers wait for that one. */
  private duckDb(): Promise<DuckDBInstance> {
    if (this.closed) return Promise.reject(new Error("the engine is closed"));
    this.opening ??= this.open().then(
      (instance) => {
        if (this.closed) {
          // closed while it was opening: nobody may use it
          instance.closeSync();
          throw new Error("the engine is closed");
        }
        this.instance = instance;
        return instance;
      },
      (error: unknown) => {
        this.opening = undefined;
        throw error;
      },
    );
    return this.opening;
  }

  async connect(): Promise<DuckDBConnection> {
    return (await this.duckDb()).connect();
  }

  /** What the user's file scans can read: their own datasets and the samples, by name. */
  async resolverFor(userId: number): Promise<DatasetResolver> {
    return datasetResolver(await this.datasets.list(userId));
  }

  close(): void {
    this.closed = true;
    this.instance?.closeSync();
    this.instance = undefined;
  }
}
