import type { Workflow } from "@texera-agent/protocol";
import { requireOperator } from "./lookup.ts";

/** Removes an operator and every link into or out of it. Returns a new workflow; `wf` is not changed. */
export function deleteOperator(wf: Workflow, input: { operatorId: string }): Workflow {
  const { operatorId } = requireOperator(wf, input.operatorId);
  return {
    operators: wf.operators.filter((op) => op.operatorId !== operatorId),
    links: wf.links.filter((l) => l.source !== operatorId && l.target !== operatorId),
  };
}
