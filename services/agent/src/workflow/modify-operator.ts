import type { Workflow } from "@texera-agent/protocol";
import { checkSummary } from "./add-operator.ts";
import { ToolInputError } from "./errors.ts";
import { placeNewOperators } from "./layout.ts";
import { type InputOperatorIds, linkInputs } from "./link-inputs.ts";
import { requireOperator } from "./lookup.ts";
import { validateProperties } from "./validate-properties.ts";

/** Texera's modifyOperator parameters (AS/agent/tools/workflow-crud-tools.ts:215-306). */
export interface ModifyOperatorInput {
  operatorId: string;
  /**
   * Merged into the current properties at the top level: each key given replaces that key's whole value
   * (arrays and nested objects are replaced, not merged); a key set to null is removed, so its default
   * comes back. Keys not given keep their values. The result is validated as a whole.
   */
  properties?: Record<string, unknown>;
  /** When given, every link into the operator is replaced by these. */
  inputOperatorIds?: InputOperatorIds;
  /** The new customDisplayName. */
  summary?: string;
}

/**
 * Changes an operator's properties, input links and/or display name. All or nothing: a change that fails
 * leaves the workflow unchanged. Returns a new workflow; `wf` is not changed.
 */
export function modifyOperator(wf: Workflow, input: ModifyOperatorInput): Workflow {
  const current = requireOperator(wf, input.operatorId);
  if (input.properties === undefined && input.summary === undefined && input.inputOperatorIds === undefined) {
    throw new ToolInputError(
      "nothing to change: give properties (merged into the current ones), inputOperatorIds or summary",
    );
  }
  const summary = checkSummary(input.summary);
  let properties = current.operatorProperties;
  if (input.properties !== undefined) {
    // fromEntries defines own keys, so a key like "__proto__" is refused by the schema, never assigned
    const changes = Object.entries(input.properties);
    const merged = Object.fromEntries([
      ...Object.entries(current.operatorProperties).filter(([key]) => !Object.hasOwn(input.properties!, key)),
      ...changes.filter(([, value]) => value !== null),
    ]);
    properties = validateProperties(current.operatorType, merged);
  }
  const updated = {
    ...current,
    operatorProperties: properties,
    ...(summary === undefined ? {} : { customDisplayName: summary }),
  };
  let workflow: Workflow = {
    ...wf,
    operators: wf.operators.map((op) => (op.operatorID === current.operatorID ? updated : op)),
  };
  if (input.inputOperatorIds !== undefined) {
    const id = current.operatorID;
    workflow = { ...workflow, links: workflow.links.filter((l) => l.target.operatorID !== id) };
    workflow = linkInputs(workflow, id, input.inputOperatorIds);
    workflow = { ...workflow, operatorPositions: placeNewOperators(workflow) };
  }
  return workflow;
}
