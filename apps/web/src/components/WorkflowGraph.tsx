import type { Workflow } from "@texera-agent/protocol";
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
import { layoutForBox, NODE_HEIGHT, NODE_WIDTH, operatorLabel } from "../workflow-layout.ts";
import { type OperatorFlowNode, OperatorNode } from "./OperatorNode.tsx";

const nodeTypes: NodeTypes = { operator: OperatorNode };
const FIT = { padding: 0.2, duration: 200, maxZoom: 1.2 };

/** The workflow's DAG (loaded on demand by WorkflowPanel). */
export function WorkflowGraph(props: GraphProps) {
  return (
    <ReactFlowProvider>
      <Graph {...props} />
    </ReactFlowProvider>
  );
}

interface GraphProps {
  workflow: Workflow;
  touched: string[];
  selectedId: string | null;
  onSelect: (operatorId: string | null) => void;
  edgeLabels: Map<string, string>;
}

function Graph({ workflow, touched, selectedId, onSelect, edgeLabels }: GraphProps) {
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

/** The name of the port a link enters, when its target has several ports ("left", "right"), else none. */
function portName(workflow: Workflow, link: Workflow["links"][number]): string | null {
  const target = workflow.operators.find((op) => op.operatorID === link.target.operatorID);
  if (!target || target.inputPorts.length < 2) return null;
  const port = target.inputPorts.find((p) => p.portID === link.target.portID);
  return port?.displayName || link.target.portID;
}
