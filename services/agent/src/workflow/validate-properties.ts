import type { ValidateFunction } from "ajv";
import { findOperatorType, OPERATOR_CATALOG, type OperatorType } from "./catalog.ts";
import { ToolInputError } from "./errors.ts";
import { ajv, describeErrors } from "./schema-errors.ts";
import { closest } from "./suggest.ts";

// Compiled once, when the module loads: a broken catalog schema fails at start-up, not mid-run.
const validators = new Map<string, ValidateFunction>(
  OPERATOR_CATALOG.map((t) => [t.operatorType, ajv.compile(t.jsonSchema)]),
);

/** The catalog entry of `operatorType`, or a ToolInputError listing the known types. */
export function requireOperatorType(operatorType: string): OperatorType {
  const type = findOperatorType(operatorType);
  if (type) return type;
  const known = OPERATOR_CATALOG.map((t) => t.operatorType);
  const guess = closest(operatorType, known);
  throw new ToolInputError(
    `unknown operator type ${JSON.stringify(operatorType)}${guess ? `; did you mean "${guess}"?` : ""}` +
      ` known types: ${known.join(", ")}`,
    "unknown_operator_type",
  );
}

/**
 * Checks `properties` against the type's schema and returns a new object with the defaults filled in.
 * The input is never changed. Throws a ToolInputError naming each failing path and what it expects.
 */
export function validateProperties(operatorType: string, properties: unknown): Record<string, unknown> {
  const type = requireOperatorType(operatorType);
  const validate = validators.get(type.operatorType)!;
  const copy = structuredClone(properties);
  if (!validate(copy)) {
    throw new ToolInputError(
      `${describeErrors(validate, type.operatorType, "properties")}. ` +
        `Call getOperatorSchema with {"operatorType":"${type.operatorType}"} for the full schema.`,
      "invalid_properties",
    );
  }
  return copy as Record<string, unknown>;
}
