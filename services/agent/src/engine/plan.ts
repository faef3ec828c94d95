import { type Operator, portIndex, type Workflow } from "@texera-agent/protocol";
import { findOperatorType, type OperatorType, portLabel } from "../workflow/catalog.ts";
import { ToolInputError } from "../workflow/errors.ts";
import { validateProperties } from "../workflow/validate-properties.ts";
import { EngineError } from "./errors.ts";

/** One operator as the engine runs it: its checked properties (defaults filled in) and its inputs. */
export interface PlanNode {
  id: string;
  op: Operator;
  type: OperatorType | undefined;
  properties: Record<string, unknown>;
  /** operatorIDs feeding it, in port order (a Union's one port may hold several, in link order). */
  inputs: string[];
  /** What keeps this operator from running by itself (its inputs aside). */
  error?: EngineError;
}

export interface Plan {
  /** Operators every one of whose inputs comes earlier; operators on a cycle come last. */
  nodes: PlanNode[];
  target: string | undefined;
}

/** How an operator is named in every message: `op2 (Filter "Large orders")`. */
export function operatorLabel(op: Operator): string {
  const type = findOperatorType(op.operatorType);
  const name = op.customDisplayName;
  const shown =
    name && name !== op.operatorType && name !== type?.userFriendlyName ? ` ${JSON.stringify(name)}` : "";
  return `${op.operatorID} (${op.operatorType}${shown})`;
}

/**
 * The operators a run needs (the target and everything upstream of it, or the whole workflow, disabled
 * operators left out as Texera leaves them out), in run order, each with the structural problems that
 * would stop it: unknown type, invalid properties, links that do not fit its ports, inputs without
 * links, a disabled input, cycles. Problems are recorded per node, not thrown, so that schema propagation
 * can still describe the rest of the workflow.
 */
export function planWorkflow(workflow: Workflow, targetOperatorId?: string): Plan {
  if (workflow.operators.length === 0) {
    throw new EngineError(
      "empty_workflow",
      "the workflow has no operators; add a source such as CSVFileScan",
    );
  }
  const byId = new Map<string, Operator>();
  for (const op of workflow.operators) if (!byId.has(op.operatorID)) byId.set(op.operatorID, op);
  if (targetOperatorId !== undefined && !byId.has(targetOperatorId)) {
    throw new EngineError(
      "unknown_operator",
      `no operator ${JSON.stringify(targetOperatorId)} in the workflow; its operator ids are: ${[...byId.keys()].join(", ")}`,
    );
  }
  const target = targetOperatorId === undefined ? undefined : byId.get(targetOperatorId)!;
  if (target?.isDisabled) {
    throw new EngineError(
      "disabled",
      `${operatorLabel(target)} is disabled, so it does not run; enable it on the canvas first`,
      { operatorId: target.operatorID },
    );
  }
  const needed =
    targetOperatorId === undefined ? new Set(byId.keys()) : upstreamOf(workflow, targetOperatorId);
  const nodes = new Map<string, PlanNode>();
  for (const [id, op] of byId) if (needed.has(id) && !op.isDisabled) nodes.set(id, describeNode(op));

  const byPort = new Map<string, string[][]>(); // node id → sources per input port
  for (const link of workflow.links) {
    const node = nodes.get(link.target.operatorID);
    if (!node) continue;
    const fail = (message: string) => {
      node.error ??= new EngineError("bad_link", `${operatorLabel(node.op)}: ${message}`, {
        operatorId: node.id,
      });
    };
    const sourceId = link.source.operatorID;
    const source = byId.get(sourceId);
    const port = portIndex(node.op.inputPorts, link.target.portID);
    if (!source) {
      fail(`link ${link.linkID} comes from ${sourceId}, which is not in the workflow; delete the link`);
    } else if (source.isDisabled) {
      node.error ??= new EngineError(
        "disabled",
        `${operatorLabel(node.op)} reads from ${sourceId}, which is disabled; enable it or link another input`,
        { operatorId: node.id },
      );
    } else if (!node.type) {
      // the unknown type is the error already
    } else if (port < 0 || port >= node.type.inputPorts.length) {
      fail(
        `link ${link.linkID} goes to port ${JSON.stringify(link.target.portID)}, but ${node.op.operatorType} has ` +
          (node.type.inputPorts.length === 0
            ? "no input ports (it is a source)"
            : `input ports ${node.type.inputPorts.map((_, i) => `input-${i}`).join(", ")}`),
      );
    } else {
      const ports = byPort.get(node.id) ?? node.type.inputPorts.map(() => []);
      byPort.set(node.id, ports);
      if (ports[port]!.length > 0 && node.type.inputPorts[port]!.disallowMultiLinks) {
        fail(`${portLabel(node.type, port)} has two links; it takes one, delete one of them`);
      } else {
        ports[port]!.push(sourceId);
      }
    }
  }
  for (const node of nodes.values()) {
    if (node.error || !node.type) continue;
    const ports = byPort.get(node.id) ?? node.type.inputPorts.map(() => []);
    const empty = ports.findIndex((sources) => sources.length === 0);
    if (empty >= 0) {
      node.error = new EngineError(
        "missing_input",
        `${operatorLabel(node.op)} has no link into its ${portLabel(node.type, empty)}; link an operator into it`,
        { operatorId: node.id },
      );
      continue;
    }
    node.inputs = ports.flat();
  }
  return { nodes: order(nodes), target: targetOperatorId };
}

function describeNode(op: Operator): PlanNode {
  const type = findOperatorType(op.operatorType);
  const node: PlanNode = { id: op.operatorID, op, type, properties: {}, inputs: [] };
  if (!type) {
    node.error = new EngineError(
      "unknown_operator_type",
      `${op.operatorID} has the operator type ${JSON.stringify(op.operatorType)}, which this service cannot run`,
      { operatorId: op.operatorID },
    );
    return node;
  }
  if (op.inputPorts.length !== type.inputPorts.length) {
    node.error = new EngineError(
      "bad_link",
      `${operatorLabel(op)} has ${op.inputPorts.length} input ports; ${op.operatorType} has ${type.inputPorts.length}`,
      { operatorId: op.operatorID },
    );
    return node;
  }
  try {
    node.properties = validateProperties(op.operatorType, op.operatorProperties);
  } catch (error) {
    if (!(error instanceof ToolInputError)) throw error;
    node.error = new EngineError("invalid_properties", `${operatorLabel(op)}: ${error.message}`, {
      operatorId: op.operatorID,
    });
  }
  return node;
}

/** The operator and every operator with a path of links into it. */
function upstreamOf(workflow: Workflow, target: string): Set<string> {
  const into = new Map<string, string[]>();
  for (const l of workflow.links) {
    into.set(l.target.operatorID, [...(into.get(l.target.operatorID) ?? []), l.source.operatorID]);
  }
  const known = new Set(workflow.operators.map((o) => o.operatorID));
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
      if (node.inputs.every((id) => placed.has(id) || !nodes.has(id))) {
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
