import type { Operator, Workflow } from "@texera-agent/protocol";
import { ToolInputError } from "./errors.ts";
import { kebabCase, nextId } from "./ids.ts";
import { MAX_OPERATORS } from "./lookup.ts";
import { requireOperatorType, validateProperties } from "./validate-properties.ts";

export interface AddOperatorInput {
  operatorType: string;
  properties?: Record<string, unknown>;
  displayName?: string;
}

/**
 * Adds one operator, unconnected. Its properties are validated against the type's schema and stored with
 * the defaults filled in; its id is `<kebab-type>-<n>` (e.g. `filter-2`), unique within the workflow; its
 * display name defaults to the type's. Returns a new workflow; `wf` is not changed.
 */
export function addOperator(
  wf: Workflow,
  input: AddOperatorInput,
): { workflow: Workflow; operatorId: string } {
  const type = requireOperatorType(input.operatorType);
  const properties = validateProperties(type.operatorType, input.properties ?? {});
  if (wf.operators.length >= MAX_OPERATORS) {
    throw new ToolInputError(
      `the workflow already has ${wf.operators.length} operators, the most allowed; delete some before adding more`,
      "too_large",
    );
  }
  const operatorId = nextId(
    kebabCase(type.operatorType),
    wf.operators.map((o) => o.operatorId),
  );
  const operator: Operator = {
    operatorId,
    operatorType: type.operatorType,
    properties,
    displayName: checkDisplayName(input.displayName) ?? type.displayName,
  };
  return { workflow: { operators: [...wf.operators, operator], links: wf.links }, operatorId };
}

export const MAX_DISPLAY_NAME = 120;

/** A display name trimmed, or undefined when not given; refuses empty or overlong names. */
export function checkDisplayName(displayName: string | undefined): string | undefined {
  if (displayName === undefined) return undefined;
  const trimmed = displayName.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_DISPLAY_NAME) {
    throw new ToolInputError(`displayName must be 1 to ${MAX_DISPLAY_NAME} characters of text`);
  }
  return trimmed;
}
