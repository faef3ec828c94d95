import type { ValidateFunction } from "ajv";
import { findOperatorType, OPERATOR_CATALOG, type OperatorType } from "./catalog.ts";
import { ToolInputError } from "./errors.ts";
import { ajv, describeErrors } from "./schema-errors.ts";
import { closest } from "./suggest.ts";

// Compiled on first use of each type (compiled checkers are memory a service at rest need not hold);
// validate-properties.test.ts compiles every one, so a broken catalog schema fails there.
const validators = new Map<string, ValidateFunction>();
function validatorOf(type: OperatorType): ValidateFunction {
  let validate = validators.get(type.operatorType);
  if (!validate) {
    validate = ajv.compile(type.jsonSchema);
    validators.set(type.operatorType, validate);
  }
  return validate;
}

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
  const validate = validatorOf(type);
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
