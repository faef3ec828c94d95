import type { Link, Operator, Workflow } from "@texera-agent/protocol";
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
export function requireOperator(wf: Workflow, operatorId: string, role = "operator"): Operator {
  const op = wf.operators.find((o) => o.operatorId === operatorId);
  if (op) return op;
  throw new ToolInputError(
    `no ${role} ${JSON.stringify(operatorId)} in the workflow; its operator ids are: ${listed(wf.operators.map((o) => o.operatorId))}`,
    "unknown_operator",
  );
}

/** The link with this id, or a ToolInputError that lists the links that exist. */
export function requireLink(wf: Workflow, linkId: string): Link {
  const link = wf.links.find((l) => l.linkId === linkId);
  if (link) return link;
  throw new ToolInputError(
    `no link ${JSON.stringify(linkId)} in the workflow; its links are: ${listed(wf.links.map(describeLink))}`,
    "unknown_link",
  );
}

/** "link-1 (csv-file-scan-1 → filter-1 port 0)" */
export function describeLink(link: Link): string {
  return `${link.linkId} (${link.source} → ${link.target} port ${link.targetPort})`;
}
