import type { DuckDBConnection } from "@duckdb/node-api";
import { categoryOf } from "./columns.ts";
import { loadDuckDbModule } from "./duckdb.ts";
import type { ColumnSchema } from "./protocol.ts";
import { BIG_NUMBER, plainCell } from "./result-values.ts";
import { quoteIdent } from "./sql.ts";

export interface ReadLimits {
  /** Rows asked for (LIMIT) and skipped first (OFFSET). */
  limit: number;
  offset?: number;
  /** Most bytes any cell may take when it leaves DuckDB; longer ones are cut inside DuckDB. */
  maxCellBytes: number;
  /** Most bytes a row may take when it leaves DuckDB; a longer row has its long cells cut to a share each. */
  maxRowBytes: number;
  /** Longest text kept per cell once in JavaScript (nested values as JSON; a DuckDB cut keeps its marker). */
  maxCellChars: number;
  /** Most bytes of the rows as JSON; rows past it are left out. */
  maxBytes: number;
}

export interface BoundedRows {
  rows: unknown[][];
  /** Some cell was cut inside DuckDB (it ends with a "… [cut …]" marker) or in JavaScript ("…"). */
  cellsCut: boolean;
  /** Rows were left out to keep within maxBytes. */
  rowsLeftOut: boolean;
}

/** Room for the "… [cut at N of M bytes]" marker after the kept bytes of a cut cell. */
export const MARKER_ROOM = 64;
/** The smallest share of a row's bytes a cut cell keeps, so a very wide row still shows a start of each. */
const MIN_CELL_BYTES = 16;
/** What a fixed-width value (number, date, boolean, uuid) may take as JSON. */
const FIXED_BYTES = 40;
const FIXED = new Set(["numeric", "boolean", "temporal"]);

type Kind = "fixed" | "text" | "blob" | "other";

function kindOf(type: string): Kind {
  if (FIXED.has(categoryOf(type)) || type === "UUID") return "fixed";
  if (type === "VARCHAR") return "text";
  if (type === "BLOB") return "blob";
  return "other";
}

/**
 * The SELECT that reads a page of `relation` with every cell bounded INSIDE DuckDB, so no value reaches
 * JavaScript larger than the caps: text is cut with left() (bytes checked with strlen), a BLOB with a byte
 * slice, and any other variable-size value (lists, structs, maps, enums, …) is measured as its VARCHAR
 * text and, when too long, replaced by that text cut. A row whose cells add up to more than maxRowBytes
 * has each long cell cut to an equal share. Each cut cell ends with "… [cut at N of M bytes]".
 *
 * Output columns, by position: per input column one value column, plus for "other" columns a second one
 * (the cut text, NULL when the value was kept), then one boolean: whether anything in the row was cut.
 */
export function boundedSelect(
  relation: string,
  columns: readonly ColumnSchema[],
  limits: Pick<ReadLimits, "limit" | "offset" | "maxCellBytes" | "maxRowBytes">,
): string {
  const kinds = columns.map((c) => kindOf(c.type));
  const variable = kinds.flatMap((k, i) => (k === "fixed" ? [] : [i]));
  const cell = Math.max(MIN_CELL_BYTES, Math.floor(limits.maxCellBytes));
  const fixedBytes = (columns.length - variable.length) * FIXED_BYTES;
  const share = Math.max(
    MIN_CELL_BYTES,
    Math.floor((limits.maxRowBytes - fixedBytes) / Math.max(1, variable.length)),
  );
  const page = columns.map((c, i) => `${quoteIdent(c.name)} AS c${i}`).join(", ") || "1 AS c_none";
  const sizes = variable.map((i) => {
    const kind = kinds[i];
    if (kind === "text") return `strlen(c${i}) AS s${i}`;
    // A BLOB leaves as escaped text: up to 4 characters per byte.
    if (kind === "blob") return `octet_length(c${i}) * 4 AS s${i}`;
    return `CAST(c${i} AS VARCHAR) AS t${i}, strlen(t${i}) AS s${i}`;
  });
  const total = variable.map((i) => `least(coalesce(s${i}, 0), ${cell})`).join(" + ") || "0";
  const cap = `CASE WHEN ${total} <= ${Math.max(0, limits.maxRowBytes - fixedBytes)} THEN ${cell} ELSE ${Math.min(cell, share)} END AS cap`;
  const marker = (i: number) => `'… [cut at ' || cap || ' of ' || s${i} || ' bytes]'`;
  const cutText = (x: string) =>
    `CASE WHEN strlen(left(${x}, cap)) <= cap THEN left(${x}, cap) ELSE left(${x}, cap // 4) END`;
  const tooBig = (i: number) => `coalesce(s${i}, 0) > cap`;
  const outputs = kinds.flatMap((kind, i) => {
    if (kind === "fixed") return [`c${i}`];
    if (kind === "text")
      return [`CASE WHEN ${tooBig(i)} THEN ${cutText(`c${i}`)} || ${marker(i)} ELSE c${i} END`];
    if (kind === "blob")
      return [
        `CASE WHEN ${tooBig(i)} THEN CAST(c${i}[1:cap // 4] AS VARCHAR) || ${marker(i)} ELSE CAST(c${i} AS VARCHAR) END`,
      ];
    return [
      `CASE WHEN ${tooBig(i)} THEN NULL ELSE c${i} END`,
      `CASE WHEN ${tooBig(i)} THEN ${cutText(`t${i}`)} || ${marker(i)} END`,
    ];
  });
  const anyCut = variable.map(tooBig).join(" OR ") || "false";
  const offset = Math.max(0, Math.floor(limits.offset ?? 0));
  return (
    `WITH page AS (SELECT ${page} FROM ${relation} LIMIT ${Math.floor(limits.limit)} OFFSET ${offset}), ` +
    `sized AS (SELECT *${sizes.map((s) => `, ${s}`).join("")} FROM page), ` +
    `capped AS (SELECT *, ${cap} FROM sized) ` +
    `SELECT ${[...outputs, `(${anyCut}) AS cut`].join(", ")} FROM capped`
  );
}

/**
 * Reads a page of `relation` (a table, a view or a parenthesised SELECT) into plain JSON rows without
 * ever turning a value larger than the caps into a JavaScript value: cells are cut inside DuckDB (see
 * boundedSelect), rows are converted one at a time from DuckDB's chunks, and converting stops once the
 * rows reach maxBytes. 64-bit and decimal numbers that fit become numbers (plainCell).
 */
export async function readBoundedRows(
  conn: DuckDBConnection,
  relation: string,
  columns: readonly ColumnSchema[],
  limits: ReadLimits,
): Promise<BoundedRows> {
  const kinds = columns.map((c) => kindOf(c.type));
  const bigNumber = columns.map((c) => BIG_NUMBER.test(c.type));
  // Already loaded: the connection came from it.
  const { JsonDuckDBValueConverter } = await loadDuckDbModule();
  const result = await conn.stream(boundedSelect(relation, columns, limits));
  const rows: unknown[][] = [];
  let bytes = 0;
  let cellsCut = false;
  for (
    let chunk = await result.fetchChunk();
    chunk && chunk.rowCount > 0;
    chunk = await result.fetchChunk()
  ) {
    for (let r = 0; r < chunk.rowCount; r++) {
      const raw = chunk.convertRowValues(r, JsonDuckDBValueConverter);
      cellsCut ||= raw[raw.length - 1] === true;
      const row: unknown[] = [];
      let at = 0;
      kinds.forEach((kind, i) => {
        let value = raw[at++];
        if (kind === "other") value = raw[at++] ?? value;
        const plain = plainCell(value, bigNumber[i] ?? false, limits.maxCellChars);
        cellsCut ||= plain.cut;
        row.push(plain.value);
      });
      bytes += JSON.stringify(row).length + 1;
      if (bytes > limits.maxBytes && rows.length > 0) return { rows, cellsCut, rowsLeftOut: true };
      rows.push(row);
    }
  }
  return { rows, cellsCut, rowsLeftOut: false };
}
