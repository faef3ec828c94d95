import type { Operator, Workflow } from "@texera-agent/protocol";
import { findOperatorType } from "./catalog.ts";
import { bestEffortOrder } from "./graph.ts";
import { targetPortIndex } from "./lookup.ts";
import { validateWorkflow } from "./validate-workflow.ts";

const MAX_PROPERTIES_CHARS = 600;

/**
 * A compact text form of the workflow for the model's context: one line per operator, inputs first, with
 * its type, display name (when it differs from the type's), inputs with their link ids, and properties as
 * JSON; then the problems a run would hit.
 *
 *   2 operators, 1 link (each operator after its inputs):
 *   - op1 CSVFileScan {"fileName":"orders.csv",…}
 *   - op2 Filter "Big orders" ← op1 (link-1) {"predicates":[…]}
 */
export function workflowSummary(wf: Workflow): string {
  if (wf.operators.length === 0 && wf.links.length === 0) {
    return "The workflow is empty: no operators, no links. Add a source such as CSVFileScan first.";
  }
  const lines = [
    `${count(wf.operators.length, "operator")}, ${count(wf.links.length, "link")} (each operator after its inputs):`,
  ];
  for (const op of runOrder(wf)) lines.push(`- ${operatorLine(wf, op)}`);
  const problems = validateWorkflow(wf);
  if (problems.length > 0) {
    lines.push("Problems a run would hit:");
    for (const problem of problems) lines.push(`- ${problem}`);
  }
  return lines.join("\n");
}

function operatorLine(wf: Workflow, op: Operator): string {
  const type = findOperatorType(op.operatorType);
  const parts = [op.operatorID, op.operatorType];
  if (op.isDisabled) parts.push("(disabled)");
  if (op.customDisplayName && op.customDisplayName !== type?.userFriendlyName) {
    parts.push(JSON.stringify(op.customDisplayName));
  }
  const inputs = wf.links
    .filter((l) => l.target.operatorID === op.operatorID)
    .map((l) => ({ l, port: targetPortIndex(wf, l) }))
    .sort((a, b) => a.port - b.port)
    .map(({ l, port }) => {
      const name = type?.inputPorts[port]?.displayName;
      const label = name ? `${name}: ` : op.inputPorts.length > 1 || port !== 0 ? `${l.target.portID}: ` : "";
      return `${label}${l.source.operatorID} (${l.linkID})`;
    });
  if (inputs.length > 0) parts.push(`← ${inputs.join(", ")}`);
  let properties = JSON.stringify(op.operatorProperties) ?? "{}";
  if (properties.length > MAX_PROPERTIES_CHARS) properties = `${properties.slice(0, MAX_PROPERTIES_CHARS)}…`;
  parts.push(properties);
  return parts.join(" ");
}

/** Inputs first when the links allow it; operators on or after a cycle come last, in workflow order. */
function runOrder(wf: Workflow): Operator[] {
  return bestEffortOrder(wf).flatMap((id) => wf.operators.filter((op) => op.operatorID === id));
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
