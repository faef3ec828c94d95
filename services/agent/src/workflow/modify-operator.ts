import type { Workflow } from "@texera-agent/protocol";
import { checkDisplayName } from "./add-operator.ts";
import { ToolInputError } from "./errors.ts";
import { requireOperator } from "./lookup.ts";
import { validateProperties } from "./validate-properties.ts";

export interface ModifyOperatorInput {
  operatorId: string;
  /**
   * Merged into the current properties at the top level: each key given replaces that key's whole value
   * (arrays and nested objects are replaced, not merged); a key set to null is removed, so its default
   * comes back. Keys not given keep their values. The result is validated as a whole.
   */
  properties?: Record<string, unknown>;
  displayName?: string;
}

/** Changes an operator's properties and/or display name. Returns a new workflow; `wf` is not changed. */
export function modifyOperator(wf: Workflow, input: ModifyOperatorInput): Workflow {
  const current = requireOperator(wf, input.operatorId);
  if (input.properties === undefined && input.displayName === undefined) {
    throw new ToolInputError(
      "nothing to change: give properties (merged into the current ones) or displayName",
    );
  }
  const displayName = checkDisplayName(input.displayName) ?? current.displayName;
  let properties = current.properties;
  if (input.properties !== undefined) {
    // fromEntries defines own keys, so a key like "__proto__" is refused by the schema, never assigned
    const changes = Object.entries(input.properties);
    const merged = Object.fromEntries([
      ...Object.entries(current.properties).filter(([key]) => !Object.hasOwn(input.properties!, key)),
      ...changes.filter(([, value]) => value !== null),
    ]);
    properties = validateProperties(current.operatorType, merged);
  }
  const updated = { ...current, properties, ...(displayName === undefined ? {} : { displayName }) };
  return {
    operators: wf.operators.map((op) => (op.operatorId === current.operatorId ? updated : op)),
    links: wf.links,
  };
}
