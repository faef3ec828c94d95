/** DuckDB types whose JSON form is text even when the value fits a JavaScript number. */
export const BIG_NUMBER = /^(BIGINT|HUGEINT|UBIGINT|UHUGEINT|DECIMAL\(\d+,\d+\))$/;

/**
 * One cell of DuckDB's JSON rows made plain for a browser and a model: 64-bit and decimal numbers that
 * fit a JavaScript number become numbers (others stay text), long text and nested values are cut to
 * maxChars.
 */
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

/**
 * The end of a cell cut inside DuckDB (bounded-rows.ts): what was cut and how big the value was. Written
 * \u2026 ("…"): esbuild leaves a regex literal's characters as they are, and one non-ASCII character makes
 * V8 hold the whole built file at two bytes per character (scripts/build.mjs).
 */
export const CUT_MARKER = /\u2026 \[cut at \d+ of \d+ bytes\]$/;

/** `text` within maxChars, ending in "…"; a cell already cut in DuckDB keeps its marker. */
export function cutText(text: string, maxChars: number): { value: string; cut: boolean } {
  if (text.length <= maxChars) return { value: text, cut: false };
  const marker = CUT_MARKER.exec(text)?.[0];
  if (marker) {
    const head = text.slice(0, text.length - marker.length);
    return { value: `${head.slice(0, Math.max(0, maxChars - marker.length))}${marker}`, cut: true };
  }
  return { value: `${text.slice(0, Math.max(0, maxChars - 1))}…`, cut: true };
}
