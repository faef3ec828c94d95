import type { Operator } from "@texera-agent/protocol";
import { useEffect, useState } from "react";
import { formatDuration } from "../format.ts";
import { operatorLabel } from "../operator-label.ts";
import {
  formatCell,
  formatRows,
  isNumericType,
  type ResultsFetch,
  resultPage,
  resultView,
  rowsCaption,
} from "../operator-results.ts";

/** The Results tab: the selected operator's rows from the latest execution, paged, with column types. */
export function ResultsTab({
  operator,
  results,
  onRetry,
}: {
  operator: Operator | null;
  results: ResultsFetch;
  onRetry: () => void;
}) {
  const view = resultView(operator?.operatorID ?? null, results);
  const [page, setPage] = useState(0);
  const resultKey = view.kind === "table" ? `${view.result.operatorId}:${results.list?.executedAt}` : "";
  // Another operator or a new execution starts on the first page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: resultKey is a trigger
  useEffect(() => setPage(0), [resultKey]);

  switch (view.kind) {
    case "no-selection":
      return (
        <p className="muted details-empty" data-testid="results-empty">
          {results.list && results.list.results.length > 0
            ? "Select an operator to see its rows from the latest run."
            : "Run the workflow (ask the agent) to see results. Then select an operator to see its rows."}
        </p>
      );
    case "loading":
      return <p className="muted details-empty">Loading the results…</p>;
    case "error":
      return (
        <div className="notice notice-error" role="alert" data-testid="results-error">
          <p>{view.message}</p>
          <button type="button" className="button button-small" onClick={onRetry}>
            Try again
          </button>
        </div>
      );
    case "not-run":
      return (
        <p className="muted details-empty" data-testid="results-empty">
          Run the workflow (ask the agent) to see results.
          {results.list && results.list.results.length > 0 && operator
            ? ` ${operatorLabel(operator)} was not part of the latest run.`
            : ""}
        </p>
      );
    case "failed":
      return (
        <div className="notice notice-error" role="alert" data-testid="results-failed">
          <p>
            <strong>{operatorLabel(operator as Operator)} failed in the latest run.</strong>
          </p>
          <p>{view.result.error}</p>
        </div>
      );
    case "table": {
      const { result } = view;
      const at = resultPage(result.rows.length, page);
      return (
        <div className="results" data-testid="results-view" data-operator-id={result.operatorId}>
          <div className="results-head">
            <span data-testid="results-caption">{rowsCaption(result, at)}</span>
            <span className="muted small">
              {formatRows(result.rowCount)} · {formatDuration(result.elapsedMs)}
            </span>
          </div>
          <div className="results-scroll">
            <table
              className="results-table"
              data-testid="results-table"
              data-row-count={result.rowCount}
              aria-label={`Rows of ${operatorLabel(operator as Operator)}`}
            >
              <thead>
                <tr>
                  <th scope="col" className="row-number">
                    #
                  </th>
                  {result.columns.map((column) => (
                    <th
                      key={column.name}
                      scope="col"
                      className={isNumericType(column.type) ? "is-number" : undefined}
                      data-testid="results-column"
                      data-type={column.type}
                    >
                      <span className="column-name">{column.name}</span>
                      <span className="column-type">{column.type}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {result.rows.slice(at.start, at.end).map((row, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
                  <tr key={at.start + i}>
                    <td className="row-number">{at.start + i + 1}</td>
                    {result.columns.map((column, c) => {
                      const value = row[c];
                      return (
                        <td
                          key={column.name}
                          className={
                            [value === null ? "is-null" : "", isNumericType(column.type) ? "is-number" : ""]
                              .join(" ")
                              .trim() || undefined
                          }
                        >
                          {formatCell(value)}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {at.pageCount > 1 && (
            <nav className="results-pager" aria-label="Result pages">
              <button
                type="button"
                className="button button-small"
                onClick={() => setPage(at.page - 1)}
                disabled={at.page === 0}
                data-testid="results-prev-page"
              >
                ← Previous
              </button>
              <span className="muted small" data-testid="results-page">
                page {at.page + 1} of {at.pageCount}
              </span>
              <button
                type="button"
                className="button button-small"
                onClick={() => setPage(at.page + 1)}
                disabled={at.page >= at.pageCount - 1}
                data-testid="results-next-page"
              >
                Next →
              </button>
            </nav>
          )}
        </div>
      );
    }
  }
}
