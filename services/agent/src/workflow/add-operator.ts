import type { Workflow } from "@texera-agent/protocol";
import { ToolInputError } from "./errors.ts";
import { AGENT_OPERATOR_ID, nextId } from "./ids.ts";
import { placeNewOperators } from "./layout.ts";
import { type InputOperatorIds, linkInputs } from "./link-inputs.ts";
import { MAX_OPERATORS } from "./lookup.ts";
import { newOperator } from "./new-operator.ts";
import { requireOperatorType, validateProperties } from "./validate-properties.ts";

/** Texera's addOperator parameters (AS/agent/tools/workflow-crud-tools.ts:76-91). */
export interface AddOperatorInput {
  /** `op<n>`, not yet used; when omitted, the next free `op<n>`. */
  operatorId?: string;
  operatorType: string;
  properties?: Record<string, unknown>;
  /** Input port index → the operators feeding it, e.g. `{"0": ["op1"], "1": ["op2"]}`. */
  inputOperatorIds?: InputOperatorIds;
  /** Becomes the operator's customDisplayName; default: the type's name. */
  summary?: string;
}

/**
 * Adds one operator built from the catalog (Texera's ports and defaults), its properties validated
 * against the type's JSON Schema and stored with the defaults filled in, linked from `inputOperatorIds`
 * and placed on the canvas. All or nothing: a bad link leaves the workflow unchanged. Returns a new
 * workflow; `wf` is not changed.
 */
export function addOperator(
  wf: Workflow,
  input: AddOperatorInput,
): { workflow: Workflow; operatorId: string } {
  const type = requireOperatorType(input.operatorType);
  const properties = validateProperties(type.operatorType, input.properties ?? {});
  const ids = wf.operators.map((o) => o.operatorID);
  const operatorId = input.operatorId ?? nextId("op", ids);
  if (!AGENT_OPERATOR_ID.test(operatorId)) {
    throw new ToolInputError(
      `operatorId ${JSON.stringify(operatorId)} is not of the form op<number>, e.g. "op1"`,
      "invalid_arguments",
    );
  }
  if (ids.includes(operatorId)) {
    throw new ToolInputError(
      `operator ${operatorId} already exists; choose a new id such as ${nextId("op", ids)}, or use modifyOperator`,
      "duplicate_operator",
    );
  }
  if (wf.operators.length >= MAX_OPERATORS) {
    throw new ToolInputError(
      `the workflow already has ${wf.operators.length} operators, the most allowed; delete some before adding more`,
      "too_large",
    );
  }
  const operator = newOperator(
    type,
    operatorId,
    properties,
    checkSummary(input.summary) ?? type.userFriendlyName,
  );
  let workflow: Workflow = { ...wf, operators: [...wf.operators, operator] };
  if (input.inputOperatorIds) workflow = linkInputs(workflow, operatorId, input.inputOperatorIds);
  return { workflow: { ...workflow, operatorPositions: placeNewOperators(workflow) }, operatorId };
}

export const MAX_SUMMARY = 120;

/** A summary trimmed, or undefined when not given; refuses empty or overlong text. */
export function checkSummary(summary: string | undefined): string | undefined {
  if (summary === undefined) return undefined;
  const trimmed = summary.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_SUMMARY) {
    throw new ToolInputError(`summary must be 1 to ${MAX_SUMMARY} characters of text`);
  }
  return trimmed;
}
