import type { DatasetFormat } from "./protocol.ts";

/** A dataset a file scan may read: its name for messages, and the absolute path the engine generated. */
export interface ResolvedDataset {
  id: string;
  name: string;
  format: DatasetFormat;
  /** Absolute path under the data folder or the samples folder; never taken from a property. */
  path: string;
  sizeBytes: number;
  modifiedMs: number;
  /** Rows a scan with default options reads (counted by DuckDB when the dataset was stored). */
  rowCount: number;
}

/**
 * One user's datasets, as a file scan's `fileName` property names them. `resolve` throws an EngineError
 * ("unknown_dataset", "invalid_path") for a name that is not one of this user's datasets or samples.
 */
export interface DatasetResolver {
  resolve(fileName: string, at: { operatorId: string; label: string }): ResolvedDataset;
  /** Every path this resolver can hand out (so error messages can hide them). */
  knownPaths(): { path: string; name: string }[];
}
