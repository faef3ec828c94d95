import type { ColumnSchema } from "./protocol.ts";

const MAX_ENTRIES = 500;
/** Types DuckDB prints for CSV, JSON and Parquet scalars; only these are rebuilt from their names. */
const PLAIN_TYPE = /^[A-Z][A-Z0-9_ ]*(\(\d+(,\d+)?\))?$/;

/**
 * The columns of file scans DuckDB has already read, keyed by file, its size and time, and the scan's
 * options, so that describing a workflow does not re-read every file on every call.
 */
export class ScanCache {
  private readonly entries = new Map<string, ColumnSchema[]>();

  static key(path: string, sizeBytes: number, modifiedMs: number, sql: string): string {
    return `${path}\u0000${sizeBytes}\u0000${modifiedMs}\u0000${sql}`;
  }

  /** The cached columns, only when every type is plain enough to rebuild as `CAST(NULL AS type)`. */
  get(key: string): ColumnSchema[] | undefined {
    const columns = this.entries.get(key);
    if (!columns) return undefined;
    this.entries.delete(key);
    this.entries.set(key, columns);
    return columns.every((c) => PLAIN_TYPE.test(c.type)) ? columns : undefined;
  }

  set(key: string, columns: ColumnSchema[]): void {
    this.entries.delete(key);
    this.entries.set(key, columns);
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
}
