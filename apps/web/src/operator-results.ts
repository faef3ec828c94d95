import type {
  OperatorResult,
  OperatorResultList,
  OperatorResultSummary,
  ReActStep,
  Workflow,
} from "@texera-agent/protocol";

/** Rows of a result table shown per page (client-side: the service already bounds the rows). */
export const RESULT_PAGE_SIZE = 25;

export interface ResultPage {
  /** 0-based page, clamped to the pages there are */
  page: number;
  pageCount: number;
  /** first row of the page (0-based) and one past its last */
  start: number;
  end: number;
}

/** Which rows of `rowsShown` the page shows; a page past the end shows the last page. */
export function resultPage(rowsShown: number, page: number, pageSize = RESULT_PAGE_SIZE): ResultPage {
  const size = Math.max(1, Math.floor(pageSize));
  const pageCount = Math.max(1, Math.ceil(Math.max(0, rowsShown) / size));
  const clamped = Math.min(Math.max(0, Math.floor(page) || 0), pageCount - 1);
  const start = clamped * size;
  return { page: clamped, pageCount, start, end: Math.min(start + size, Math.max(0, rowsShown)) };
}

export function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}

/** "1,234 rows", "1 row". */
export function formatRows(count: number): string {
  return `${formatCount(count)} ${count === 1 ? "row" : "rows"}`;
}

/**
 * The line above a result table: "rows 1–25 of 1,234 (truncated: showing the first 200)". When the
 * service cut long cells but kept every row, it says so instead.
 */
export function rowsCaption(
  result: Pick<OperatorResult, "rows" | "rowCount" | "truncated">,
  at: ResultPage,
): string {
  if (result.rowCount === 0) return "no rows";
  const shown = result.rows.length;
  const range =
    shown === 0
      ? `0 of ${formatCount(result.rowCount)}`
      : `${formatCount(at.start + 1)}–${formatCount(at.end)} of ${formatCount(result.rowCount)}`;
  if (!result.truncated) return `rows ${range}`;
  if (shown < result.rowCount) return `rows ${range} (truncated: showing the first ${formatCount(shown)})`;
  return `rows ${range} (long values were cut)`;
}

/** DuckDB number types (BIGINT, DOUBLE, DECIMAL(18,3), HUGEINT, …): their cells align right. */
export function isNumericType(type: string): boolean {
  return /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC)\b/i.test(type.trim());
}

/** A cell as text: null reads "null", objects and arrays as JSON. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The last saved step that executed the workflow (null when none did). */
export function lastExecutionStep(steps: readonly ReActStep[]): ReActStep | null {
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i];
    if (step?.operatorResults && step.operatorResults.length > 0) return step;
  }
  return null;
}

/**
 * A key that changes whenever a new execution's step arrives: the operator-results are fetched again when
 * it changes (and once when an agent opens, whatever it is).
 */
export function resultsVersion(steps: readonly ReActStep[]): string {
  const step = lastExecutionStep(steps);
  return step ? `${step.runId}:${step.index}` : "none";
}

/**
 * The row counts to draw on the DAG: from the latest step that executed the workflow, or (a cleared chat,
 * an execution outside the chat) from the fetched operator-results.
 */
export function latestSummaries(
  steps: readonly ReActStep[],
  fetched: OperatorResultList | null,
): OperatorResultSummary[] {
  const step = lastExecutionStep(steps);
  if (step?.operatorResults) return step.operatorResults;
  return fetched?.results ?? [];
}

/**
 * Labels of the DAG's edges, by link id: the source operator's row count ("1,234 rows"), or "failed"
 * when it failed. Links whose source has no result in the latest execution get no label.
 */
export function edgeRowLabels(
  workflow: Workflow,
  summaries: readonly OperatorResultSummary[],
): Map<string, string> {
  const byOperator = new Map(summaries.map((summary) => [summary.operatorId, summary]));
  const labels = new Map<string, string>();
  for (const link of workflow.links) {
    const summary = byOperator.get(link.source.operatorID);
    if (!summary) continue;
    labels.set(link.linkID, summary.error !== undefined ? "failed" : formatRows(summary.rowCount));
  }
  return labels;
}

/** The fetched operator-results of one agent: the list kept while a newer one loads. */
export interface ResultsFetch {
  list: OperatorResultList | null;
  loading: boolean;
  error: string | null;
}

/** What the Results tab shows for the selected operator. */
export type ResultView =
  | { kind: "no-selection" }
  | { kind: "loading" }
  | { kind: "error"; message: string }
  | { kind: "not-run" }
  | { kind: "failed"; result: OperatorResult }
  | { kind: "table"; result: OperatorResult };

export function resultView(selectedId: string | null, fetched: ResultsFetch): ResultView {
  if (selectedId === null) return { kind: "no-selection" };
  const result = fetched.list?.results.find((r) => r.operatorId === selectedId);
  if (!result) {
    if (fetched.error !== null) return { kind: "error", message: fetched.error };
    if (fetched.loading) return { kind: "loading" };
    return { kind: "not-run" };
  }
  return result.error !== undefined ? { kind: "failed", result } : { kind: "table", result };
}
