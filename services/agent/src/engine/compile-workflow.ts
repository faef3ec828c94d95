import type { DuckDBValue } from "@duckdb/node-api";
import type { Workflow } from "@texera-agent/protocol";
import { isSource } from "../workflow/catalog.ts";
import { compileOperator } from "./compile-operator.ts";
import type { Engine } from "./engine.ts";
import { EngineError } from "./errors.ts";
import { planWorkflow } from "./plan.ts";
import { describePlan } from "./propagate-schemas.ts";
import { Params, quoteIdent } from "./sql.ts";

export interface CompiledWorkflow {
  /** `WITH "op_0" AS (…), "op_1" AS (…) SELECT * FROM "op_k"`: one CTE per operator, in run order. */
  sql: string;
  /** Named parameters of `sql` (every value taken from a property). */
  params: Record<string, DuckDBValue>;
  /** The operator behind each CTE, in order. */
  operators: { operatorId: string; cte: string }[];
}

/**
 * The workflow up to `targetOperatorId` (default: its last operator in run order) as one SQL statement.
 * Checks exactly as an execution does (schemas first, errors naming operator and column). Identifiers are
 * quoted, values are parameters, and file paths are those of the user's own datasets.
 */
export async function compileWorkflow(
  engine: Engine,
  workflow: Workflow,
  userId: number,
  targetOperatorId?: string,
): Promise<CompiledWorkflow> {
  const plan = planWorkflow(workflow, targetOperatorId);
  const first = plan.nodes.find((n) => n.error)?.error;
  if (first) throw first;
  const resolver = await engine.resolverFor(userId);
  const conn = await engine.connect();
  try {
    const described = await describePlan(conn, plan, resolver, engine.scanCache);
    const ctes: string[] = [];
    const operators: CompiledWorkflow["operators"] = [];
    const params: Record<string, DuckDBValue> = {};
    for (const [index, node] of plan.nodes.entries()) {
      const own = described.get(node.id);
      if (own instanceof EngineError) throw own;
      const cte = quoteIdent(`op_${index}`);
      const inputs = node.inputs.map((id) => {
        const at = plan.nodes.findIndex((n) => n.id === id);
        const input = described.get(id!);
        if (input instanceof EngineError || input === undefined)
          throw new TypeError(`input ${id} was not described`);
        return { sql: quoteIdent(`op_${at}`), columns: input.columns };
      });
      const nodeParams = new Params(`p${index}`);
      const dataset = isSource(node.type)
        ? resolver.resolve(String(node.properties.fileName), { operatorId: node.id, label: node.id })
        : undefined;
      ctes.push(`${cte} AS (${compileOperator(node, inputs, dataset, nodeParams)})`);
      Object.assign(params, nodeParams.values);
      operators.push({ operatorId: node.id, cte });
    }
    const last = operators.at(-1)!;
    const target = targetOperatorId ? operators.find((o) => o.operatorId === targetOperatorId)! : last;
    return { sql: `WITH ${ctes.join(",\n")}\nSELECT * FROM ${target.cte}`, params, operators };
  } finally {
    conn.closeSync();
  }
}
