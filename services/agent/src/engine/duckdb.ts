import { mkdirSync, realpathSync } from "node:fs";
import type { DuckDBInstance } from "@duckdb/node-api";
import { quoteLiteral } from "./sql.ts";

/**
 * DuckDB's Node package, loaded on first use: its native library and an open database take ~30 MB (more
 * once queries ran), which a service at rest (or one whose agents never execute a workflow) need not hold.
 */
let duckDbModule: Promise<typeof import("@duckdb/node-api")> | undefined;
export function loadDuckDbModule(): Promise<typeof import("@duckdb/node-api")> {
  duckDbModule ??= import("@duckdb/node-api");
  return duckDbModule;
}

export interface DuckDbOptions {
  /** Folders DuckDB may read and write; everything else on the file system is closed to it. */
  allowedDirectories: string[];
  /** Where DuckDB spills what does not fit in memory (created if missing; must be allowed too). */
  tempDirectory: string;
  /** e.g. "2GB"; DuckDB's default (80% of RAM) when unset. */
  memoryLimit?: string;
  threads?: number;
  /** Most disk the spill folder may take, e.g. "4GB"; DuckDB's default (90% of the free disk) when unset. */
  maxTempDirectorySize?: string;
}

/**
 * The process's one DuckDB database, in memory, locked down before anyone else gets a connection:
 * external access off (no extension downloads, no HTTP, no files but the allowed folders), and the
 * configuration locked so that no later statement can widen it.
 */
export async function openDuckDb(options: DuckDbOptions): Promise<DuckDBInstance> {
  mkdirSync(options.tempDirectory, { recursive: true });
  const dirs = [...options.allowedDirectories, options.tempDirectory].map((d) => {
    mkdirSync(d, { recursive: true });
    return realpathSync(d);
  });
  const { DuckDBInstance } = await loadDuckDbModule();
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    ...(options.threads ? { threads: String(options.threads) } : {}),
  });
  const setup = await instance.connect();
  try {
    await setup.run(`SET temp_directory = ${quoteLiteral(realpathSync(options.tempDirectory))}`);
    if (options.memoryLimit) await setup.run(`SET memory_limit = ${quoteLiteral(options.memoryLimit)}`);
    if (options.maxTempDirectorySize)
      await setup.run(`SET max_temp_directory_size = ${quoteLiteral(options.maxTempDirectorySize)}`);
    // Late materialization turns `… LIMIT n` over a Parquet file into a join on row numbers that holds
    // whole values (a 50 MB string per row) in memory before any cut: 66 s and out of memory instead of
    // 1.5 s for 12 such rows. The engine's reads are plain LIMITs, which gain nothing from it.
    await setup.run("SET disabled_optimizers = 'late_materialization'");
    await setup.run(`SET allowed_directories = [${dirs.map(quoteLiteral).join(", ")}]`);
    await setup.run("SET enable_external_access = false");
    await setup.run("SET lock_configuration = true");
  } catch (error) {
    // Not locked down: nobody may use it.
    setup.closeSync();
    instance.closeSync();
    throw error;
  }
  setup.closeSync();
  return instance;
}
