import type { ToolContext, ToolOutcome } from "../workflow/tools.ts";
import { describeColumns } from "./columns.ts";
import type { Engine } from "./engine.ts";
import type { EngineErrorCode } from "./errors.ts";
import { type OperatorSchema, propagateSchemas } from "./propagate-schemas.ts";

/** Errors an edit may not introduce into the operators it touched. */
const REFUSED: readonly EngineErrorCode[] = [
  "unknown_column",
  "duplicate_column",
  "type_mismatch",
  "unknown_dataset",
  "invalid_path",
  "wrong_format",
  "unreadable_dataset",
];

/** A schema-checked tool edit was refused: the message names the operator and the column. */
export class SchemaCheckError extends Error {
  constructor(
    message: string,
    readonly operatorId: string,
    readonly column: string | undefined,
  ) {
    super(message);
    this.name = "SchemaCheckError";
  }
}

interface ToolLike {
  name: string;
  execute(args: unknown, ctx: ToolContext): Promise<ToolOutcome>;
}

/**
 * Wraps the workflow-editing tools so that schemas propagate on every edit: an edit that leaves a touched
 * operator naming a column that does not exist (or a dataset the user does not have, or a column of the
 * wrong type) fails with that operator's error and the workflow stays as it was. An edit that goes
 * through reports the output columns of the operators it touched; getWorkflow reports every operator's.
 */
export function withSchemaCheck<T extends ToolLike>(tools: readonly T[], deps: { engine: Engine }): T[] {
  return tools.map((tool) => ({
    ...tool,
    execute: async (args: unknown, ctx: ToolContext) => {
      const outcome = await tool.execute(args, ctx);
      if (tool.name === "getWorkflow") {
        const schemas = await propagateSchemas(deps.engine, ctx.workflow, ctx.userId);
        return { ...outcome, output: withField(outcome.output, "outputColumns", shownSchemas(schemas)) };
      }
      if (!outcome.workflow) return outcome;
      const schemas = await propagateSchemas(deps.engine, outcome.workflow, ctx.userId);
      const touched = (outcome.touchedOperators ?? []).filter((id) => schemas[id] !== undefined);
      for (const id of touched) {
        const schema = schemas[id]!;
        if ("error" in schema && REFUSED.includes(schema.code)) {
          throw new SchemaCheckError(`${schema.error} (the change was not applied)`, id, schema.column);
        }
      }
      const shown = Object.fromEntries(touched.map((id) => [id, schemas[id]!]));
      return { ...outcome, output: withField(outcome.output, "outputColumns", shownSchemas(shown)) };
    },
  }));
}

/** "a BIGINT, b VARCHAR" per operator, or its error. */
export function shownSchemas(schemas: Record<string, OperatorSchema>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(schemas).map(([id, s]) => [
      id,
      "columns" in s ? describeColumns(s.columns) : `error: ${s.error}`,
    ]),
  );
}

function withField(output: unknown, key: string, value: unknown): unknown {
  if (output === null || typeof output !== "object" || Array.isArray(output)) return output;
  return { ...output, [key]: value };
}
