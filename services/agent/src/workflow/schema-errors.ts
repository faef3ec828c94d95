import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { closest } from "./suggest.ts";

/**
 * One Ajv instance for tool arguments and operator properties. `useDefaults` fills in defaults (the caller
 * validates a copy), `allErrors` reports every problem at once so the model can fix them in one go, and
 * `verbose` keeps each failing schema so that messages can name what is expected.
 */
export const ajv = new Ajv({
  allErrors: true,
  useDefaults: true,
  verbose: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
});

const MAX_SENTENCES = 6;

/**
 * Turns Ajv errors into one message: one clause per problem, each naming the path (rooted at `root`, e.g.
 * `Filter.conditions[0].condition`) and what is expected.
 */
export function describeErrors(validate: ValidateFunction, root: string, noun: string): string {
  const errors = validate.errors ?? [];
  const clauses: string[] = [];
  for (const error of errors) {
    const clause = describeError(error, root, noun, validate.schema);
    if (clause && !clauses.includes(clause)) clauses.push(clause);
  }
  if (clauses.length === 0) return `${root} ${noun} are invalid`;
  const shown = clauses.slice(0, MAX_SENTENCES);
  const more = clauses.length - shown.length;
  return shown.join("; ") + (more > 0 ? `; and ${more} more problem${more === 1 ? "" : "s"}` : "");
}

function describeError(
  error: ErrorObject,
  root: string,
  noun: string,
  rootSchema: unknown,
): string | undefined {
  const path = root + pointerToPath(error.instancePath);
  // "Filter properties must be an object" reads better than "Filter must be an object".
  const whole = error.instancePath === "" ? `${root} ${noun}` : path;
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  const got = `; got ${show(error.data)}`;
  let clause: string | undefined;
  switch (error.keyword) {
    case "if":
      return undefined; // the failing then/else branch reports the actual problem
    case "required": {
      const missing = String(params.missingProperty);
      const described = propertyDescription(parent, missing);
      clause = `${path}.${missing} is required${described ? ` (${described})` : ""}`;
      break;
    }
    case "additionalProperties": {
      const extra = String(params.additionalProperty);
      const allowed = Object.keys((parent.properties ?? {}) as object);
      const guess = closest(extra, allowed);
      clause =
        allowed.length === 0
          ? `${path} takes no properties; remove "${extra}"`
          : `${path} has no property "${extra}"${guess ? `; did you mean "${guess}"?` : ""}` +
            ` (allowed: ${allowed.join(", ")})`;
      break;
    }
    case "type":
      clause = `${whole} must be ${typeWords(params.type)}, not ${kindOf(error.data)}`;
      break;
    case "enum":
      clause = `${path} must be one of ${(params.allowedValues as unknown[]).map((v) => show(v)).join(", ")}${got}`;
      break;
    case "const":
      clause = `${path} must be ${show(params.allowedValue)}${got}`;
      break;
    case "minItems":
      clause = `${path} must have at least ${params.limit} item${params.limit === 1 ? "" : "s"}`;
      break;
    case "maxItems":
      clause = `${path} must have at most ${params.limit} items`;
      break;
    case "minLength":
      clause =
        params.limit === 1
          ? `${path} must not be empty`
          : `${path} needs at least ${params.limit} characters`;
      break;
    case "maxLength":
      clause = `${path} must have at most ${params.limit} character${params.limit === 1 ? "" : "s"}${got}`;
      break;
    case "minimum":
    case "exclusiveMinimum":
    case "maximum":
    case "exclusiveMaximum":
      clause = `${path} must be ${params.comparison} ${params.limit}${got}`;
      break;
    case "uniqueItems":
      clause = `${path} must not repeat items (items ${params.j} and ${params.i} are equal)`;
      break;
    case "pattern":
      clause = `${path} is not accepted${typeof parent.description === "string" ? `: expected ${parent.description}` : ""}${got}`;
      break;
    case "not": {
      const forbidden = (error.schema as { required?: string[] }).required;
      clause = forbidden
        ? `${path} must not have ${forbidden.map((p) => `"${p}"`).join(", ")}`
        : `${whole} must not match ${show(error.schema)}`;
      break;
    }
    case "false schema":
      clause = `${whole} is not allowed here`;
      break;
    default:
      clause = `${whole} ${error.message ?? "is invalid"}`;
  }
  const rule = conditionalRule(error.schemaPath, rootSchema);
  return rule ? `${clause} (${rule})` : clause;
}

/** `/conditions/0/value` → `.conditions[0].value` */
export function pointerToPath(pointer: string): string {
  if (pointer === "") return "";
  return pointer
    .slice(1)
    .split("/")
    .map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((seg) =>
      /^\d+$/.test(seg)
        ? `[${seg}]`
        : /^[A-Za-z_$][\w$]*$/.test(seg)
          ? `.${seg}`
          : `[${JSON.stringify(seg)}]`,
    )
    .join("");
}

/** The description of the then/else branch an error came from: it states the conditional rule. */
function conditionalRule(schemaPath: string, rootSchema: unknown): string | undefined {
  const segments = schemaPath.replace(/^#\/?/, "").split("/");
  const branch = Math.max(segments.lastIndexOf("then"), segments.lastIndexOf("else"));
  if (branch < 0) return undefined;
  let node: unknown = rootSchema;
  for (const seg of segments.slice(0, branch + 1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[seg.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  const description = (node as { description?: unknown } | undefined)?.description;
  return typeof description === "string" ? description : undefined;
}

function propertyDescription(schema: Record<string, unknown>, name: string): string | undefined {
  const property = (schema.properties as Record<string, { description?: unknown }> | undefined)?.[name];
  return typeof property?.description === "string" ? property.description : undefined;
}

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(",");
  const words = types.map((t: string) =>
    t === "array" || t === "integer" || t === "object" ? `an ${t}` : `a ${t}`,
  );
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} or ${words.at(-1)}` : (words[0] ?? "valid");
}

export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number")
    return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  if (typeof value === "string") return `the string ${show(value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** Short JSON for messages: long values are cut. */
export function show(value: unknown, max = 60): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
