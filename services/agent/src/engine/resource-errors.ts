import { EngineError } from "./errors.ts";

/** The DuckDB bounds a resource error names. */
export interface DuckDbBounds {
  memoryLimit: string;
  maxTempDirectorySize: string;
}

const OUT_OF_MEMORY = /Out of Memory Error/i;
const SPILL_FULL = /max_temp_directory_size/i;

/**
 * A DuckDB "Out of Memory" failure (its memory limit, or its spill folder full) as an EngineError that
 * names the bound and its setting and says what to change; undefined for any other error. DuckDB refuses
 * the allocation and the statement fails: the process goes on.
 */
export function resourceError(
  error: unknown,
  bounds: DuckDbBounds,
  running: string,
): EngineError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!OUT_OF_MEMORY.test(message)) return undefined;
  const operatorId = error instanceof EngineError ? error.operatorId : undefined;
  const bound = SPILL_FULL.test(message)
    ? `its spill folder reached the engine's disk limit of ${bounds.maxTempDirectorySize} (DUCKDB_MAX_TEMP_DIRECTORY_SIZE)`
    : `it needed more than the engine's memory limit of ${bounds.memoryLimit} (DUCKDB_MEMORY_LIMIT)`;
  return new EngineError(
    "out_of_memory",
    `${running} was stopped: ${bound}; make the data smaller first (Filter, Projection, Limit), ` +
      "join on a more selective column, or read fewer or smaller values",
    operatorId ? { operatorId } : {},
  );
}
