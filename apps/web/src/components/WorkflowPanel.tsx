import type { Operator, Workflow } from "@texera-agent/protocol";
import {
  applyNodeChanges,
  Background,
  Controls,
  type Edge,
  MarkerType,
  type NodeChange,
  type NodeTypes,
  ReactFlow,
  ReactFlowProvider,
  useNodesInitialized,
  useReactFlow,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { formatJson, plural } from "../format.ts";
import type { ResultsFetch } from "../operator-results.ts";
import { layoutForBox, NODE_HEIGHT, NODE_WIDTH, operatorLabel } from "../workflow-layout.ts";
import { type OperatorFlowNode, OperatorNode } from "./OperatorNode.tsx";
import { ResultsTab } from "./ResultsTable.tsx";

const nodeTypes: NodeTypes = { operator: OperatorNode };
const FIT = { padding: 0.2, duration: 200, maxZoom: 1.2 };

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
          <ReactFlowProvider>
            <Graph
              workflow={workflow}
              touched={touched}
              selectedId={selectedId}
              onSelect={onSelect}
              edgeLabels={edgeLabels}
            />
          </ReactFlowProvider>
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

function Graph({
  workflow,
  touched,
  selectedId,
  onSelect,
  edgeLabels,
}: {
  workflow: Workflow;
  touched: string[];
  selectedId: string | null;
  onSelect: (operatorId: string | null) => void;
  edgeLabels: Map<string, string>;
}) {
  const boxRef = useRef<HTMLDivElement>(null);
  const [box, setBox] = useState<{ width: number; height: number } | null>(null);
  const layout = useMemo(() => layoutForBox(workflow, box), [workflow, box]);
  const touchedSet = useMemo(() => new Set(touched), [touched]);
  const [nodes, setNodes] = useState<OperatorFlowNode[]>([]);
  const { fitView } = useReactFlow();

  useEffect(() => {
    setNodes((previous) => {
      const before = new Map(previous.map((node) => [node.id, node]));
      return layout.operators.map(({ id, operator, x, y }) => ({
        id,
        type: "operator" as const,
        position: { x, y },
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        ...(before.get(id)?.measured ? { measured: before.get(id)?.measured } : {}),
        selected: id === selectedId,
        draggable: false,
        connectable: false,
        ariaLabel: `Operator ${operatorLabel(operator)}, ${operator.operatorType}`,
        data: { operator, touched: touchedSet.has(id), direction: layout.direction },
      }));
    });
  }, [layout, touchedSet, selectedId]);

  const edges = useMemo<Edge[]>(() => {
    return layout.links.map(({ id, link }) => {
      const source = link.source.operatorID;
      const target = link.target.operatorID;
      const port = portName(workflow, link);
      const rows = edgeLabels.get(link.linkID) ?? null;
      const text = [port, rows].filter((part) => part !== null).join(" · ");
      return {
        id,
        source,
        target,
        selectable: false,
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
        className: touchedSet.has(target) || touchedSet.has(source) ? "is-touched" : undefined,
        ...(text
          ? {
              label: (
                <tspan data-testid={`edge-label-${link.linkID}`} data-rows={rows ?? undefined}>
                  {text}
                </tspan>
              ),
              labelBgPadding: [4, 2] as [number, number],
              labelBgBorderRadius: 4,
              labelStyle: { fontSize: 11 },
            }
          : {}),
      };
    });
  }, [layout, touchedSet, edgeLabels, workflow]);

  // Keep the whole graph in view as it grows (once new nodes are measured), and when the panel is resized
  // or shown again (a hidden tab has no size). A new link moves operators as much as a new operator does,
  // so the key is the whole shape.
  const shape = useMemo(
    () =>
      `${layout.direction}|${layout.operators.map((o) => o.id).join(",")}|${layout.links.map((l) => l.id).join(",")}`,
    [layout],
  );
  const initialized = useNodesInitialized();
  // biome-ignore lint/correctness/useExhaustiveDependencies: box is a trigger: refit after a resize
  useEffect(() => {
    if (!initialized || layout.operators.length === 0) return;
    const frame = requestAnimationFrame(() => void fitView(FIT));
    return () => cancelAnimationFrame(frame);
  }, [initialized, shape, box, fitView]);
  useEffect(() => {
    const element = boxRef.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => {
      const width = Math.round(entry?.contentRect.width ?? 0);
      const height = Math.round(entry?.contentRect.height ?? 0);
      if (width === 0 || height === 0) return;
      setBox((previous) =>
        previous && previous.width === width && previous.height === height ? previous : { width, height },
      );
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const onNodesChange = useCallback(
    (changes: NodeChange<OperatorFlowNode>[]) => {
      setNodes((current) => applyNodeChanges(changes, current));
      for (const change of changes) {
        if (change.type === "select" && change.selected) onSelect(change.id);
      }
    },
    [onSelect],
  );

  return (
    <div ref={boxRef} className="graph-canvas">
      <ReactFlow<OperatorFlowNode, Edge>
        // handles move when the direction flips; a fresh instance measures them again
        key={layout.direction}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onPaneClick={() => onSelect(null)}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
        minZoom={0.2}
        maxZoom={2}
        proOptions={{ hideAttribution: false }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
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

/** The name of the port a link enters, when its target has several ports ("left", "right"), else none. */
function portName(workflow: Workflow, link: Workflow["links"][number]): string | null {
  const target = workflow.operators.find((op) => op.operatorID === link.target.operatorID);
  if (!target || target.inputPorts.length < 2) return null;
  const port = target.inputPorts.find((p) => p.portID === link.target.portID);
  return port?.displayName || link.target.portID;
}
