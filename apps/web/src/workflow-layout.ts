import dagre from "@dagrejs/dagre";
import type { Link, Operator, Workflow } from "@texera-agent/protocol";

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 64;

export interface PlacedOperator {
  id: string;
  operator: Operator;
  /** top-left corner, as React Flow positions nodes */
  x: number;
  y: number;
}

export interface PlacedLink {
  id: string;
  link: Link;
}

export type LayoutDirection = "LR" | "TB";

export interface WorkflowLayout {
  direction: LayoutDirection;
  operators: PlacedOperator[];
  links: PlacedLink[];
  /** size of the whole drawing */
  width: number;
  height: number;
}

/**
 * Places a workflow's operators left to right along its links (dagre). Links whose ends are missing are
 * left out rather than drawn to nowhere.
 */
export function layoutWorkflow(workflow: Workflow, direction: LayoutDirection = "LR"): WorkflowLayout {
  const graph = new dagre.graphlib.Graph<object, { width: number; height: number; x?: number; y?: number }>({
    multigraph: true,
  });
  graph.setGraph({ rankdir: direction, nodesep: 32, ranksep: 56, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));

  const ids = new Set<string>();
  for (const operator of workflow.operators) {
    if (ids.has(operator.operatorID)) continue;
    ids.add(operator.operatorID);
    graph.setNode(operator.operatorID, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  const links = workflow.links.filter(
    (link) =>
      ids.has(link.source.operatorID) &&
      ids.has(link.target.operatorID) &&
      link.source.operatorID !== link.target.operatorID,
  );
  for (const link of links) graph.setEdge(link.source.operatorID, link.target.operatorID, {}, link.linkID);

  dagre.layout(graph);

  const seen = new Set<string>();
  const operators: PlacedOperator[] = [];
  for (const operator of workflow.operators) {
    if (seen.has(operator.operatorID)) continue;
    seen.add(operator.operatorID);
    const node = graph.node(operator.operatorID);
    operators.push({
      id: operator.operatorID,
      operator,
      x: (node?.x ?? 0) - NODE_WIDTH / 2,
      y: (node?.y ?? 0) - NODE_HEIGHT / 2,
    });
  }
  const size = graph.graph() as { width?: number; height?: number };
  return {
    direction,
    operators,
    links: links.map((link) => ({ id: link.linkID, link })),
    width: operators.length > 0 ? (size.width ?? 0) : 0,
    height: operators.length > 0 ? (size.height ?? 0) : 0,
  };
}

/**
 * Left to right reads like a pipeline, but a long one in a narrow panel shrinks to nothing: this picks the
 * direction that can be drawn larger in a box of the given size (left to right when it is a tie).
 */
export function layoutForBox(
  workflow: Workflow,
  box: { width: number; height: number } | null,
): WorkflowLayout {
  const across = layoutWorkflow(workflow, "LR");
  if (!box || box.width <= 0 || box.height <= 0 || across.operators.length < 2) return across;
  const down = layoutWorkflow(workflow, "TB");
  const scale = (layout: WorkflowLayout) =>
    Math.min(box.width / Math.max(1, layout.width), box.height / Math.max(1, layout.height));
  return scale(down) > scale(across) * 1.15 ? down : across;
}

export { operatorLabel } from "./operator-label.ts";
