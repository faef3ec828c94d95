import type { Operator, Workflow } from "@texera-agent/protocol";
import { lazy, Suspense, useState } from "react";
import { formatJson, plural } from "../format.ts";
import { operatorLabel } from "../operator-label.ts";
import type { ResultsFetch } from "../operator-results.ts";
import { ResultsTab } from "./ResultsTable.tsx";
import { Spinner } from "./ui.tsx";

// The graph (@xyflow/react, dagre and React Flow's styles) is the heaviest part of the app: it loads the
// first time a workflow has operators to draw.
const WorkflowGraph = lazy(() => import("./WorkflowGraph.tsx").then((m) => ({ default: m.WorkflowGraph })));

/** The agent's workflow as a DAG, laid out automatically and redrawn as steps change it. */
export function WorkflowPanel({
  workflow,
  touched,
  selectedId,
  onSelect,
  edgeLabels,
  results,
  onRetryResults,
}: {
  workflow: Workflow;
  touched: string[];
  selectedId: string | null;
  onSelect: (operatorId: string | null) => void;
  /** row counts of the latest execution, by link id (operator-results.ts `edgeRowLabels`) */
  edgeLabels: Map<string, string>;
  results: ResultsFetch;
  onRetryResults: () => void;
}) {
  const selected = workflow.operators.find((op) => op.operatorID === selectedId) ?? null;
  const [detailsTab, setDetailsTab] = useState<"properties" | "results">("properties");
  return (
    <section className="workflow" aria-label="Workflow">
      <div className="panel-head">
        <h2 className="section-title">Workflow</h2>
        <span className="muted small" data-testid="workflow-summary">
          {plural(workflow.operators.length, "operator")} · {plural(workflow.links.length, "link")}
        </span>
      </div>
      <div className="graph" data-testid="workflow-graph" data-operator-count={workflow.operators.length}>
        {workflow.operators.length === 0 ? (
          <div className="graph-empty" data-testid="workflow-empty">
            <p>No operators yet.</p>
            <p className="muted">The workflow appears here, operator by operator, as the agent builds it.</p>
          </div>
        ) : (
          <Suspense fallback={<Spinner label="Loading the graph…" />}>
            <WorkflowGraph
              workflow={workflow}
              touched={touched}
              selectedId={selectedId}
              onSelect={onSelect}
              edgeLabels={edgeLabels}
            />
          </Suspense>
        )}
      </div>
      <div className="details">
        <div className="details-head">
          <div className="details-tabs" role="tablist" aria-label="Operator details">
            <button
              type="button"
              role="tab"
              aria-selected={detailsTab === "properties"}
              className="pane-tab"
              onClick={() => setDetailsTab("properties")}
              data-testid="details-tab-properties"
            >
              Properties
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={detailsTab === "results"}
              className="pane-tab"
              onClick={() => setDetailsTab("results")}
              data-testid="details-tab-results"
            >
              Results
            </button>
          </div>
          {workflow.operators.length > 0 && (
            <label className="operator-select">
              <span className="visually-hidden">Selected operator</span>
              <select
                value={selectedId ?? ""}
                onChange={(event) => onSelect(event.target.value || null)}
                data-testid="select-operator"
              >
                <option value="">Select an operator…</option>
                {workflow.operators.map((op) => (
                  <option key={op.operatorID} value={op.operatorID}>
                    {operatorLabel(op)} ({op.operatorID})
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        <div className="details-body" role="tabpanel">
          {detailsTab === "properties" ? (
            <OperatorProperties operator={selected} />
          ) : (
            <ResultsTab operator={selected} results={results} onRetry={onRetryResults} />
          )}
        </div>
      </div>
    </section>
  );
}

function OperatorProperties({ operator }: { operator: Operator | null }) {
  if (!operator) {
    return (
      <p className="muted details-empty" data-testid="no-operator-selected">
        Select an operator in the graph (click it, or focus it and press Enter) to see its properties.
      </p>
    );
  }
  const entries = Object.entries(operator.operatorProperties);
  return (
    <div
      className="operator-properties"
      data-testid="selected-operator"
      data-operator-id={operator.operatorID}
    >
      <h3>{operatorLabel(operator)}</h3>
      <dl className="props">
        <dt>Type</dt>
        <dd>{operator.operatorType}</dd>
        <dt>Id</dt>
        <dd>
          <code>{operator.operatorID}</code>
        </dd>
        {entries.map(([key, value]) => (
          <PropertyRow key={key} name={key} value={value} />
        ))}
      </dl>
      {entries.length === 0 && <p className="muted small">This operator has no properties set.</p>}
    </div>
  );
}

function PropertyRow({ name, value }: { name: string; value: unknown }) {
  const simple = value === null || ["string", "number", "boolean"].includes(typeof value);
  return (
    <>
      <dt>{name}</dt>
      <dd>{simple ? String(value) : <pre className="code">{formatJson(value)}</pre>}</dd>
    </>
  );
}
