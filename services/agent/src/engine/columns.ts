import { closest } from "../workflow/suggest.ts";
import { EngineError } from "./errors.ts";
import type { ColumnSchema } from "./protocol.ts";

export type TypeCategory = "numeric" | "text" | "boolean" | "temporal" | "other";

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$/;
const TEMPORAL = /^(DATE|TIME|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE|TIME WITH TIME ZONE|INTERVAL)$/;

/** What a DuckDB type can do in a filter, an aggregate or a join. */
export function categoryOf(type: string): TypeCategory {
  if (NUMERIC.test(type)) return "numeric";
  if (type === "VARCHAR" || type.startsWith("ENUM(")) return "text";
  if (type === "BOOLEAN") return "boolean";
  if (TEMPORAL.test(type)) return "temporal";
  return "other";
}

/** Whether `=` between the two types means what a user expects (no silent cast from text to number). */
export function comparable(a: string, b: string): boolean {
  const ca = categoryOf(a);
  return a === b || (ca !== "other" && ca === categoryOf(b));
}

/** "region VARCHAR, amount DOUBLE" */
export function describeColumns(columns: readonly ColumnSchema[]): string {
  return columns.map((c) => `${c.name} ${c.type}`).join(", ");
}

/**
 * The column named exactly `name`, or an error naming the operator, the column, the columns that exist,
 * and the likely intended one. `where` says which input (e.g. "the left input").
 */
export function requireColumn(
  columns: readonly ColumnSchema[],
  name: string,
  at: { operatorId: string; label: string; where?: string; property: string },
): ColumnSchema {
  const found = columns.find((c) => c.name === name);
  if (found) return found;
  const names = columns.map((c) => c.name);
  const sameLetters = names.find((n) => n.toLowerCase() === name.toLowerCase());
  const guess = sameLetters ?? closest(name, names);
  throw new EngineError(
    "unknown_column",
    `${at.label}: ${at.property} names the column ${JSON.stringify(name)}, which does not exist in ${at.where ?? "its input"}` +
      `${guess ? `; did you mean ${JSON.stringify(guess)}?` : ""} The columns are: ${names.join(", ") || "(none)"}`,
    { operatorId: at.operatorId, column: name, property: at.property },
  );
}

/** Column names are case-insensitive in DuckDB: two output names that differ only in case collide. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
