import type { DuckDBValue } from "@duckdb/node-api";

/**
 * SQL text the engine writes. Identifiers (column names) are always double-quoted with quotes doubled;
 * values from properties travel as named parameters; the only literals are file paths and options the
 * engine itself produced, quoted with `quoteLiteral`.
 */
export function quoteIdent(name: string): string {
  if (name.includes("\u0000")) throw new TypeError("an identifier cannot contain NUL");
  return `"${name.replaceAll('"', '""')}"`;
}

/** A standard SQL string literal (DuckDB treats backslashes in '…' literally). */
export function quoteLiteral(value: string): string {
  if (value.includes("\u0000")) throw new TypeError("a literal cannot contain NUL");
  return `'${value.replaceAll("'", "''")}'`;
}

/** Named parameters of one statement: `add` returns the placeholder, `values` what to bind. */
export class Params {
  readonly values: Record<string, DuckDBValue> = {};
  private next = 0;

  constructor(private readonly prefix: string) {}

  add(value: string | number | boolean): string {
    const name = `${this.prefix}_${this.next++}`;
    this.values[name] = value;
    return `$${name}`;
  }
}
