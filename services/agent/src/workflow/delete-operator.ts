import type { Workflow } from "@texera-agent/protocol";
import { keptPositions } from "./layout.ts";
import { requireOperator } from "./lookup.ts";

/** Removes an operator, its position and every link into or out of it. Returns a new workflow. */
export function deleteOperator(wf: Workflow, input: { operatorId: string }): Workflow {
  const { operatorID } = requireOperator(wf, input.operatorId);
  const next: Workflow = {
    ...wf,
    operators: wf.operators.filter((op) => op.operatorID !== operatorID),
    links: wf.links.filter((l) => l.source.operatorID !== operatorID && l.target.operatorID !== operatorID),
  };
  return { ...next, operatorPositions: keptPositions(next) };
}
