import type { OperatorResult, OperatorResultSummary } from "@texera-agent/protocol";
import { describe, expect, it } from "vitest";
import {
  edgeRowLabels,
  formatCell,
  formatRows,
  isNumericType,
  latestSummaries,
  resultPage,
  resultsVersion,
  resultView,
  rowsCaption,
} from "./operator-results.ts";
import { makeStep, makeWorkflow } from "./test-fixtures.ts";

function result(
  operatorId: string,
  rowCount: number,
  overrides: Partial<OperatorResult> = {},
): OperatorResult {
  return {
    operatorId,
    operatorType: "Filter",
    columns: [{ name: "n", type: "BIGINT" }],
    rows: Array.from({ length: Math.min(rowCount, 200) }, (_, i) => [i]),
    rowCount,
    truncated: rowCount > 200,
    elapsedMs: 3,
    ...overrides,
  };
}
const summary = (operatorId: string, rowCount: number, error?: string): OperatorResultSummary => {
  const { rows: _rows, ...rest } = result(operatorId, rowCount, error ? { error } : {});
  return rest;
};

describe("resultPage", () => {
  it("pages 60 rows by 25: 1–25, 26–50, 51–60", () => {
    expect(resultPage(60, 0)).toEqual({ page: 0, pageCount: 3, start: 0, end: 25 });
    expect(resultPage(60, 1)).toEqual({ page: 1, pageCount: 3, start: 25, end: 50 });
    expect(resultPage(60, 2)).toEqual({ page: 2, pageCount: 3, start: 50, end: 60 });
  });

  it("clamps a page past either end and has one empty page for no rows", () => {
    expect(resultPage(60, 9)).toMatchObject({ page: 2, start: 50, end: 60 });
    expect(resultPage(60, -1)).toMatchObject({ page: 0, start: 0 });
    expect(resultPage(0, 3)).toEqual({ page: 0, pageCount: 1, start: 0, end: 0 });
    expect(resultPage(25, 1)).toEqual({ page: 0, pageCount: 1, start: 0, end: 25 });
  });
});

describe("rowsCaption", () => {
  it("names the rows shown, the total and the truncation", () => {
    const big = result("a", 1234);
    expect(rowsCaption(big, resultPage(200, 1))).toBe(
      "rows 26–50 of 1,234 (truncated: showing the first 200)",
    );
    const small = result("b", 30);
    expect(rowsCaption(small, resultPage(30, 1))).toBe("rows 26–30 of 30");
    expect(rowsCaption(result("c", 0), resultPage(0, 0))).toBe("no rows");
    const cut = result("d", 3, { truncated: true });
    expect(rowsCaption(cut, resultPage(3, 0))).toBe("rows 1–3 of 3 (long values were cut)");
  });
});

describe("formatters", () => {
  it("formats counts and cells", () => {
    expect(formatRows(1)).toBe("1 row");
    expect(formatRows(0)).toBe("0 rows");
    expect(formatRows(1234567)).toBe("1,234,567 rows");
    expect(formatCell(null)).toBe("null");
    expect(formatCell(2.5)).toBe("2.5");
    expect(formatCell("x")).toBe("x");
    expect(formatCell({ a: [1] })).toBe('{"a":[1]}');
    expect(["BIGINT", "DOUBLE", "DECIMAL(18,3)", "UINTEGER", "INTEGER", "HUGEINT"].every(isNumericType)).toBe(
      true,
    );
    expect(["VARCHAR", "DATE", "BOOLEAN", "INTERVAL", "TIMESTAMP"].some(isNumericType)).toBe(false);
  });
});

describe("edge labels", () => {
  it("labels each link with its source's row count, 'failed' for a failed source, nothing without a result", () => {
    const workflow = makeWorkflow("scan", "filter", "sort"); // links l0: scan→filter, l1: filter→sort
    const labels = edgeRowLabels(workflow, [summary("scan", 1234), summary("sort", 10)]);
    expect([...labels]).toEqual([["l0", "1,234 rows"]]);
    const failed = edgeRowLabels(workflow, [summary("scan", 5), summary("filter", 0, "column x not found")]);
    expect(failed.get("l1")).toBe("failed");
    expect(edgeRowLabels(workflow, []).size).toBe(0);
  });

  it("take the latest step that executed the workflow, else the fetched results", () => {
    const steps = [
      makeStep(1, { operatorResults: [summary("scan", 1)] }),
      makeStep(2, { operatorResults: [summary("scan", 2)] }),
      makeStep(3),
    ];
    expect(latestSummaries(steps, null).map((s) => s.rowCount)).toEqual([2]);
    const fetched = { results: [result("scan", 7)] };
    expect(latestSummaries([makeStep(1)], fetched).map((s) => s.rowCount)).toEqual([7]);
    expect(latestSummaries([], null)).toEqual([]);
  });
});

describe("result refresh", () => {
  it("changes the version only when a new step executed the workflow", () => {
    const before = [makeStep(0, { kind: "user" }), makeStep(1)];
    expect(resultsVersion(before)).toBe("none");
    const executed = [...before, makeStep(2, { operatorResults: [summary("scan", 3)] })];
    const v1 = resultsVersion(executed);
    expect(v1).not.toBe("none");
    // A later step that did not execute keeps the version: no refetch.
    expect(resultsVersion([...executed, makeStep(3)])).toBe(v1);
    // A step of another run that executed again changes it.
    const again = [...executed, makeStep(4, { runId: "run-2", operatorResults: [summary("scan", 4)] })];
    expect(resultsVersion(again)).not.toBe(v1);
    // An execution that reported no operators (empty list) is not a result.
    expect(resultsVersion([makeStep(5, { operatorResults: [] })])).toBe("none");
  });
});

describe("resultView", () => {
  const list = { results: [result("scan", 3), result("bad", 0, { error: "no file orders.csv", rows: [] })] };
  it("tells selection, loading, error, not run, failed and table apart", () => {
    expect(resultView(null, { list, loading: false, error: null }).kind).toBe("no-selection");
    expect(resultView("scan", { list: null, loading: true, error: null }).kind).toBe("loading");
    expect(resultView("scan", { list: null, loading: false, error: "down" })).toEqual({
      kind: "error",
      message: "down",
    });
    expect(resultView("other", { list, loading: false, error: null }).kind).toBe("not-run");
    expect(resultView("bad", { list, loading: false, error: null })).toMatchObject({
      kind: "failed",
      result: { error: "no file orders.csv" },
    });
    // Rows already shown stay while a refresh loads.
    expect(resultView("scan", { list, loading: true, error: null }).kind).toBe("table");
  });
});
