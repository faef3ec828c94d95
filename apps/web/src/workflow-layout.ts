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

export interface WorkflowLayout {
  operators: PlacedOperator[];
  links: PlacedLink[];
}

/**
 * Places a workflow's operators left to right along its links (dagre). Links whose ends are missing are
 * left out rather than drawn to nowhere.
 */
export function layoutWorkflow(workflow: Workflow, direction: "LR" | "TB" = "LR"): WorkflowLayout {
  const graph = new dagre.graphlib.Graph<object, { width: number; height: number; x?: number; y?: number }>({
    multigraph: true,
  });
  graph.setGraph({ rankdir: direction, nodesep: 36, ranksep: 72, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));

  const ids = new Set<string>();
  for (const operator of workflow.operators) {
    if (ids.has(operator.operatorId)) continue;
    ids.add(operator.operatorId);
    graph.setNode(operator.operatorId, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  const links = workflow.links.filter(
    (link) => ids.has(link.source) && ids.has(link.target) && link.source !== link.target,
  );
  for (const link of links) graph.setEdge(link.source, link.target, {}, link.linkId);

  dagre.layout(graph);

  const seen = new Set<string>();
  const operators: PlacedOperator[] = [];
  for (const operator of workflow.operators) {
    if (seen.has(operator.operatorId)) continue;
    seen.add(operator.operatorId);
    const node = graph.node(operator.operatorId);
    operators.push({
      id: operator.operatorId,
      operator,
      x: (node?.x ?? 0) - NODE_WIDTH / 2,
      y: (node?.y ?? 0) - NODE_HEIGHT / 2,
    });
  }
  return { operators, links: links.map((link) => ({ id: link.linkId, link })) };
}

/** A short name for an operator: its display name, else its type. */
export function operatorLabel(operator: Operator): string {
  return operator.displayName?.trim() || operator.operatorType;
}
