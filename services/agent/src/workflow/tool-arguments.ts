import type { ValidateFunction } from "ajv";
import { ToolInputError } from "./errors.ts";
import { ajv, describeErrors } from "./schema-errors.ts";

const MAX_ARGUMENT_CHARS = 100_000;

/**
 * A tool's argument checker, compiled from its parameters schema on the tool's first call (compiled checkers
 * are memory a service at rest need not hold; tools.test.ts calls every tool). Arguments that pass are `T`:
 * the type that the schema describes (`T` and the schema are written side by side in the tool's definition).
 */
export function argumentParser<T = Record<string, unknown>>(
  toolName: string,
  parameters: Record<string, unknown>,
): (args: unknown) => T {
  let compiled: ValidateFunction<T> | undefined;
  return (args) => {
    const value = decode(toolName, args);
    compiled ??= ajv.compile<T>(parameters);
    const validate = compiled;
    if (!validate(value)) {
      throw new ToolInputError(`${describeErrors(validate, toolName, "arguments")}.`, "invalid_arguments");
    }
    return value;
  };
}

/**
 * Arguments arrive parsed, or as the raw text when the model's JSON did not parse; absent arguments count
 * as {}. Returns a private copy, since validation fills in defaults.
 */
function decode(toolName: string, args: unknown): unknown {
  if (args === undefined || args === null) return {};
  if (typeof args === "string") {
    if (args.trim() === "") return {};
    if (args.length > MAX_ARGUMENT_CHARS) {
      throw new ToolInputError(`${toolName} arguments are too long (${args.length} characters)`);
    }
    try {
      return JSON.parse(args);
    } catch (error) {
      throw new ToolInputError(
        `${toolName} arguments are not valid JSON (${(error as Error).message}); send one JSON object`,
      );
    }
  }
  try {
    return structuredClone(args);
  } catch {
    throw new ToolInputError(`${toolName} arguments must be plain JSON`);
  }
}
