import { type Link, type Operator, portIndex, type Workflow } from "@texera-agent/protocol";
import { ToolInputError } from "./errors.ts";

/** Most operators and links a workflow may hold: a runaway model loop stops here, not at the database. */
export const MAX_OPERATORS = 100;
export const MAX_LINKS = 200;

const MAX_LISTED = 40;

function listed(ids: string[]): string {
  if (ids.length === 0) return "none";
  const shown = ids.slice(0, MAX_LISTED).join(", ");
  return ids.length > MAX_LISTED ? `${shown}, … (${ids.length} in all)` : shown;
}

/** The operator with this id, or a ToolInputError that lists the ids that exist. */
export function requireOperator(wf: Workflow, operatorID: string, role = "operator"): Operator {
  const op = wf.operators.find((o) => o.operatorID === operatorID);
  if (op) return op;
  throw new ToolInputError(
    `no ${role} ${JSON.stringify(operatorID)} in the workflow; its operator ids are: ${listed(wf.operators.map((o) => o.operatorID))}`,
    "unknown_operator",
  );
}

/** The link with this id, or a ToolInputError that lists the links that exist. */
export function requireLink(wf: Workflow, linkID: string): Link {
  const link = wf.links.find((l) => l.linkID === linkID);
  if (link) return link;
  throw new ToolInputError(
    `no link ${JSON.stringify(linkID)} in the workflow; its links are: ${listed(wf.links.map(describeLink))}`,
    "unknown_link",
  );
}

/** "link-1 (op1 output-0 → op2 input-0)" */
export function describeLink(link: Link): string {
  return `${link.linkID} (${link.source.operatorID} ${link.source.portID} → ${link.target.operatorID} ${link.target.portID})`;
}

/** The links into an operator. */
export function linksInto(wf: Workflow, operatorID: string): Link[] {
  return wf.links.filter((l) => l.target.operatorID === operatorID);
}

/** The index of the input port a link goes to, in its target's port list (-1: no such port). */
export function targetPortIndex(wf: Workflow, link: Link): number {
  const target = wf.operators.find((o) => o.operatorID === link.target.operatorID);
  return target ? portIndex(target.inputPorts, link.target.portID) : -1;
}
