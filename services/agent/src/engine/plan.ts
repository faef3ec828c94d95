import type { Operator, Workflow } from "@texera-agent/protocol";
import { findOperatorType, type OperatorType, portLabel } from "../workflow/catalog.ts";
import { ToolInputError } from "../workflow/errors.ts";
import { validateProperties } from "../workflow/validate-properties.ts";
import { EngineError } from "./errors.ts";

/** One operator as the engine runs it: its checked properties (defaults filled in) and its inputs by port. */
export interface PlanNode {
  id: string;
  op: Operator;
  type: OperatorType | undefined;
  properties: Record<string, unknown>;
  /** operatorId feeding each input port (undefined: nothing linked). */
  inputs: (string | undefined)[];
  /** What keeps this operator from running by itself (its inputs aside). */
  error?: EngineError;
}

export interface Plan {
  /** Operators every one of whose inputs comes earlier; operators on a cycle come last. */
  nodes: PlanNode[];
  target: string | undefined;
}

/** How an operator is named in every message: `filter-1 (Filter "Large orders")`. */
export function operatorLabel(op: Operator): string {
  const name =
    op.displayName && op.displayName !== op.operatorType ? ` ${JSON.stringify(op.displayName)}` : "";
  return `${op.operatorId} (${op.operatorType}${name})`;
}

/**
 * The operators a run needs (the target and everything upstream of it, or the whole workflow), in run
 * order, each with the structural problems that would stop it: unknown type, invalid properties, links
 * that do not fit its ports, inputs without links, cycles. Problems are recorded per node, not thrown,
 * so that schema propagation can still describe the rest of the workflow.
 */
export function planWorkflow(workflow: Workflow, targetOperatorId?: string): Plan {
  if (workflow.operators.length === 0) {
    throw new EngineError(
      "empty_workflow",
      "the workflow has no operators; add a source such as CSVFileScan",
    );
  }
  const byId = new Map<string, Operator>();
  for (const op of workflow.operators) if (!byId.has(op.operatorId)) byId.set(op.operatorId, op);
  if (targetOperatorId !== undefined && !byId.has(targetOperatorId)) {
    throw new EngineError(
      "unknown_operator",
      `no operator ${JSON.stringify(targetOperatorId)} in the workflow; its operator ids are: ${[...byId.keys()].join(", ")}`,
    );
  }
  const needed =
    targetOperatorId === undefined ? new Set(byId.keys()) : upstreamOf(workflow, targetOperatorId);
  const nodes = new Map<string, PlanNode>();
  for (const [id, op] of byId) if (needed.has(id)) nodes.set(id, describeNode(op));

  for (const link of workflow.links) {
    const node = nodes.get(link.target);
    if (!node) continue;
    const fail = (message: string) => {
      node.error ??= new EngineError("bad_link", `${operatorLabel(node.op)}: ${message}`, {
        operatorId: node.id,
      });
    };
    if (!byId.has(link.source)) {
      fail(`link ${link.linkId} comes from ${link.source}, which is not in the workflow; delete the link`);
    } else if (!node.type) {
      // the unknown type is the error already
    } else if (link.targetPort < 0 || link.targetPort >= node.type.inputPorts) {
      fail(
        `link ${link.linkId} goes to port ${link.targetPort}, but ${node.op.operatorType} has ` +
          (node.type.inputPorts === 0
            ? "no input ports (it is a source)"
            : `ports 0 to ${node.type.inputPorts - 1}`),
      );
    } else if (node.inputs[link.targetPort] !== undefined) {
      fail(`${portLabel(node.type, link.targetPort)} has two links; a port takes one, delete one of them`);
    } else {
      node.inputs[link.targetPort] = link.source;
    }
  }
  for (const node of nodes.values()) {
    if (node.error || !node.type) continue;
    for (let port = 0; port < node.type.inputPorts; port++) {
      if (node.inputs[port] === undefined) {
        node.error = new EngineError(
          "missing_input",
          `${operatorLabel(node.op)} has no link into its input ${portLabel(node.type, port)}; add a link with addLink`,
          { operatorId: node.id },
        );
        break;
      }
    }
  }
  return { nodes: order(nodes), target: targetOperatorId };
}

function describeNode(op: Operator): PlanNode {
  const type = findOperatorType(op.operatorType);
  const node: PlanNode = { id: op.operatorId, op, type, properties: {}, inputs: [] };
  if (!type) {
    node.error = new EngineError(
      "unknown_operator_type",
      `${op.operatorId} has the unknown operator type ${JSON.stringify(op.operatorType)}`,
      { operatorId: op.operatorId },
    );
    return node;
  }
  try {
    node.properties = validateProperties(op.operatorType, op.properties);
  } catch (error) {
    if (!(error instanceof ToolInputError)) throw error;
    node.error = new EngineError("invalid_properties", `${operatorLabel(op)}: ${error.message}`, {
      operatorId: op.operatorId,
    });
  }
  return node;
}

/** The operator and every operator with a path of links into it. */
function upstreamOf(workflow: Workflow, target: string): Set<string> {
  const into = new Map<string, string[]>();
  for (const l of workflow.links) into.set(l.target, [...(into.get(l.target) ?? []), l.source]);
  const known = new Set(workflow.operators.map((o) => o.operatorId));
  const seen = new Set([target]);
  const stack = [target];
  while (stack.length > 0) {
    for (const source of into.get(stack.pop()!) ?? []) {
      if (known.has(source) && !seen.has(source)) {
        seen.add(source);
        stack.push(source);
      }
    }
  }
  return seen;
}

/** Kahn's order over the nodes' inputs, stable in workflow order; nodes on a cycle get a cycle error. */
function order(nodes: Map<string, PlanNode>): PlanNode[] {
  const placed = new Set<string>();
  const out: PlanNode[] = [];
  let progress = true;
  while (progress) {
    progress = false;
    for (const node of nodes.values()) {
      if (placed.has(node.id)) continue;
      if (node.inputs.every((id) => id === undefined || placed.has(id) || !nodes.has(id))) {
        placed.add(node.id);
        out.push(node);
        progress = true;
      }
    }
  }
  const cyclic = [...nodes.values()].filter((n) => !placed.has(n.id));
  for (const node of cyclic) {
    node.error = new EngineError(
      "cycle",
      `${operatorLabel(node.op)} is on a cycle of links (${cyclic.map((n) => n.id).join(", ")}), so it can never run; delete a link of the cycle`,
      { operatorId: node.id },
    );
    out.push(node);
  }
  return out;
}
