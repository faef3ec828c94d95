import type { OperatorType } from "./catalog.ts";

interface PropertySchema {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  items?: { properties?: Record<string, PropertySchema>; required?: string[] } & PropertySchema;
  properties?: Record<string, PropertySchema>;
  required?: string[];
}

/**
 * One line per operator type for the system prompt, read from the catalog's JSON Schemas:
 *   - Filter: Keeps the rows … Inputs: input-0. Properties: predicates* [{attribute*, condition* ("=" | …), value}]
 * A `*` marks a required property; defaults follow `=`.
 */
export function describeCatalog(types: readonly OperatorType[]): string[] {
  return types.map((t) => {
    // The catalog is frozen: a type's line is worked out once, not again for every model turn's prompt.
    let line = lines.get(t);
    if (line === undefined) {
      line = describeType(t);
      lines.set(t, line);
    }
    return line;
  });
}
const lines = new WeakMap<OperatorType, string>();

function describeType(t: OperatorType): string {
  const inputs =
    t.inputPorts.length === 0
      ? "no inputs (a source)"
      : t.inputPorts
          .map(
            (p, i) =>
              `input-${i}${p.displayName ? ` (${p.displayName})` : ""}${p.disallowMultiLinks ? "" : " takes many links"}`,
          )
          .join(", ");
  const properties = describeProperties(t.jsonSchema as PropertySchema);
  return `- ${t.operatorType}: ${t.description} Inputs: ${inputs}. Properties: ${properties || "none"}`;
}

function describeProperties(schema: PropertySchema): string {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {})
    .filter(([name]) => name !== "dummyPropertyList")
    .map(
      ([name, p]) =>
        `${JSON.stringify(name).slice(1, -1)}${required.has(name) ? "*" : ""}${describeValue(p)}`,
    )
    .join(", ");
}

function describeValue(p: PropertySchema): string {
  if (p.enum) {
    const values = p.enum.map((v) => JSON.stringify(v)).join(" | ");
    return ` (${values})${p.default !== undefined ? ` = ${JSON.stringify(p.default)}` : ""}`;
  }
  if (p.type === "array" && p.items?.properties) return ` [{${describeProperties(p.items)}}]`;
  if (p.type === "array") return " [text]";
  const type = Array.isArray(p.type) ? p.type.join("|") : p.type;
  const shown = type === "string" ? "text" : type;
  return `: ${shown}${p.default !== undefined ? ` = ${JSON.stringify(p.default)}` : ""}`;
}
