import type { ColumnSchema } from "./protocol.ts";

const BIG_NUMBER = /^(BIGINT|HUGEINT|UBIGINT|UHUGEINT|DECIMAL\(\d+,\d+\))$/;

export interface RowLimits {
  maxCellChars: number;
  /** Most bytes of the rows as JSON; rows past it are left out. */
  maxBytes: number;
}

/**
 * DuckDB's JSON rows (getRowsJson) made plain for a browser and a model: 64-bit and decimal numbers
 * that fit a JavaScript number become numbers (others stay text), long text and nested values are cut
 * to maxCellChars, and rows stop at maxBytes. `cut` tells whether anything was cut or left out.
 */
export function plainRows(
  raw: readonly (readonly unknown[])[],
  columns: readonly ColumnSchema[],
  limits: RowLimits,
): { rows: unknown[][]; cut: boolean } {
  const numeric = columns.map((c) => BIG_NUMBER.test(c.type));
  const rows: unknown[][] = [];
  let bytes = 0;
  let cut = false;
  for (const row of raw) {
    const out = row.map((value, i) => {
      const { value: plain, cut: cellCut } = plainCell(value, numeric[i] ?? false, limits.maxCellChars);
      cut ||= cellCut;
      return plain;
    });
    bytes += JSON.stringify(out).length + 1;
    if (bytes > limits.maxBytes && rows.length > 0) return { rows, cut: true };
    rows.push(out);
  }
  return { rows, cut };
}

export function plainCell(
  value: unknown,
  bigNumber: boolean,
  maxChars: number,
): { value: unknown; cut: boolean } {
  if (typeof value === "string") {
    if (bigNumber) {
      const n = Number(value);
      if (Number.isFinite(n) && (value.includes(".") || Number.isSafeInteger(n)))
        return { value: n, cut: false };
    }
    return cutText(value, maxChars);
  }
  if (value !== null && typeof value === "object") {
    const text = JSON.stringify(value);
    return text.length > maxChars ? cutText(text, maxChars) : { value, cut: false };
  }
  return { value, cut: false };
}

export function cutText(text: string, maxChars: number): { value: string; cut: boolean } {
  if (text.length <= maxChars) return { value: text, cut: false };
  return { value: `${text.slice(0, Math.max(0, maxChars - 1))}…`, cut: true };
}
