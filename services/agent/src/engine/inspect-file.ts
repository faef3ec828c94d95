import type { DuckDBInstance } from "@duckdb/node-api";
import { scanSql } from "./compile-operator.ts";
import { interruptOnAbort } from "./interrupt.ts";
import type { ColumnSchema, DatasetFormat } from "./protocol.ts";

const INSPECT_TIMEOUT_MS = 120_000;

/**
 * The columns and row count of a dataset file, read the way a file scan with default options reads it
 * (CSV: a header line, comma-separated, types detected by DuckDB).
 */
export async function inspectFile(
  instance: DuckDBInstance,
  path: string,
  format: DatasetFormat,
): Promise<{ columns: ColumnSchema[]; rowCount: number }> {
  const conn = await instance.connect();
  const dispose = interruptOnAbort(conn, AbortSignal.timeout(INSPECT_TIMEOUT_MS));
  try {
    const select = scanSql({ path, format });
    const described = await conn.runAndReadAll(`DESCRIBE ${select}`);
    const columns = described.getRows().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
    const counted = await conn.runAndReadAll(`SELECT count(*) FROM (${select})`);
    return { columns, rowCount: Number(counted.getRows()[0]?.[0] ?? 0) };
  } finally {
    dispose();
    conn.closeSync();
  }
}
