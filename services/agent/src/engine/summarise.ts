import type { OperatorResult } from "./protocol.ts";
import { cutText } from "./result-values.ts";

/** The agent settings that bound what the model sees of a result (named as in Texera). */
export interface SummaryLimits {
  maxOperatorResultCharLimit: number;
  maxOperatorResultCellCharLimit: number;
}

export interface ResultSummary {
  operatorId: string;
  operatorType: string;
  rowCount: number;
  columns: string[];
  /** The first rows, as objects keyed by column name, each cell cut to the cell limit. */
  rows: Record<string, unknown>[];
  note: string;
}

/**
 * What the model reads after an execution: for each shown operator its row count, its columns with
 * types, and as many of its first rows as fit, plus the row count of every operator that ran. The JSON
 * text stays within maxOperatorResultCharLimit (shared by the shown operators); every cell within
 * maxOperatorResultCellCharLimit.
 */
export function summariseResults(
  results: readonly OperatorResult[],
  shownIds: readonly string[],
  limits: SummaryLimits,
  offset = 0,
): { shown: ResultSummary[]; rowCounts?: Record<string, number>; note?: string } {
  const total = limits.maxOperatorResultCharLimit;
  const counts = Object.fromEntries(results.map((r) => [r.operatorId, r.rowCount]));
  const countsChars = JSON.stringify(counts).length + 20;
  const withCounts = countsChars < total / 3;
  const budget = Math.floor((total - (withCounts ? countsChars : 40)) / Math.max(1, shownIds.length)) - 10;
  const shown = shownIds
    .map((id) => results.find((r) => r.operatorId === id))
    .filter((r): r is OperatorResult => r !== undefined)
    .map((r) => summariseOne(r, budget, limits.maxOperatorResultCellCharLimit, offset));
  return withCounts
    ? { shown, rowCounts: counts }
    : { shown, note: "row counts of the other operators left out (too many to show)" };
}

function summariseOne(
  result: OperatorResult,
  budget: number,
  cellLimit: number,
  offset: number,
): ResultSummary {
  const summary: ResultSummary = {
    operatorId: result.operatorId,
    operatorType: result.operatorType,
    rowCount: result.rowCount,
    columns: result.columns.map((c) => `${c.name} ${c.type}`),
    rows: [],
    note: "",
  };
  const size = () => JSON.stringify(summary).length + 120; // + the note, written last
  const all = summary.columns;
  for (let keep = all.length; keep > 0 && size() > budget; keep--) {
    summary.columns = [...all.slice(0, keep - 1), `… ${all.length - keep + 1} more columns`];
  }
  let used = size();
  let cut = result.cellsCut === true;
  for (const row of result.rows) {
    const object: Record<string, unknown> = {};
    result.columns.forEach((column, i) => {
      const cell = row[i];
      if (typeof cell === "string" || (cell !== null && typeof cell === "object")) {
        const text = typeof cell === "string" ? cell : JSON.stringify(cell);
        const { value, cut: cellCut } = cutText(text, cellLimit);
        cut ||= cellCut;
        object[column.name] = cellCut ? value : cell;
      } else {
        object[column.name] = cell;
      }
    });
    const chars = JSON.stringify(object).length + 1;
    if (used + chars > budget) break;
    summary.rows.push(object);
    used += chars;
  }
  const shown = summary.rows.length;
  const first = offset + 1;
  summary.note =
    result.error !== undefined
      ? `failed: ${result.error}`
      : result.rowCount === 0
        ? "no rows"
        : shown === 0
          ? `${result.rowCount} rows; none fit in the result limit of the agent's settings`
          : offset === 0 && shown === result.rowCount
            ? `all ${shown} rows shown${cut ? " (long cells cut)" : ""}`
            : `rows ${first} to ${offset + shown} of ${result.rowCount} shown${cut ? " (long cells cut)" : ""}; ` +
              "getOperatorResult with an offset shows others";
  return summary;
}
