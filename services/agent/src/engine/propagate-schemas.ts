import type { DuckDBConnection } from "@duckdb/node-api";
import type { Workflow } from "@texera-agent/protocol";
import type { Engine } from "./engine.ts";
import { EngineError, type EngineErrorCode } from "./errors.ts";
import { interruptOnAbort } from "./interrupt.ts";
import { Interrupted, type Materialized, materialize } from "./materialize.ts";
import { operatorLabel, type Plan, planWorkflow } from "./plan.ts";
import type { ColumnSchema } from "./protocol.ts";
import type { DatasetResolver } from "./resolver.ts";
import type { ScanCache } from "./scan-cache.ts";

/** An operator's output columns, or why they cannot be known (naming the operator, and the column). */
export type OperatorSchema =
  | { columns: ColumnSchema[] }
  | { error: string; code: EngineErrorCode; column?: string };

const PROPAGATE_TIMEOUT_MS = 30_000;

/**
 * Every operator's output columns and DuckDB types, known before anything runs: file scans are described
 * by DuckDB (and cached), every other operator is created as an empty table over its inputs' empty
 * tables, so the types are exactly those an execution produces. Column and type errors name the
 * operator and the column; an operator downstream of an error says which input is at fault.
 */
export async function propagateSchemas(
  engine: Engine,
  workflow: Workflow,
  userId: number,
): Promise<Record<string, OperatorSchema>> {
  if (workflow.operators.length === 0) return {};
  const plan = planWorkflow(workflow);
  const resolver = await engine.resolverFor(userId);
  const conn = await engine.connect();
  const deadline = AbortSignal.timeout(PROPAGATE_TIMEOUT_MS);
  const dispose = interruptOnAbort(conn, deadline);
  try {
    let described: Map<string, Materialized | EngineError>;
    try {
      described = await describePlan(conn, plan, resolver, engine.scanCache, deadline);
    } catch (error) {
      if (error instanceof Interrupted) {
        throw new EngineError(
          "timeout",
          `describing the workflow took longer than ${PROPAGATE_TIMEOUT_MS} ms`,
        );
      }
      throw error;
    }
    const out: Record<string, OperatorSchema> = {};
    for (const [id, result] of described) {
      out[id] =
        result instanceof EngineError
          ? { error: result.message, code: result.code, ...(result.column ? { column: result.column } : {}) }
          : { columns: result.columns };
    }
    return out;
  } finally {
    dispose();
    conn.closeSync();
  }
}

/**
 * The dry run behind propagateSchemas and the check before an execution: each node of the plan, in
 * order, as an empty table or the error that stops it. Nodes whose input failed get an upstream_error.
 * An interrupted connection throws Interrupted.
 */
export async function describePlan(
  conn: DuckDBConnection,
  plan: Plan,
  resolver: DatasetResolver,
  cache: ScanCache,
  signal?: AbortSignal,
): Promise<Map<string, Materialized | EngineError>> {
  const out = new Map<string, Materialized | EngineError>();
  const ctx = { conn, resolver, cache, dry: true, prefix: "schema", signal };
  for (const [index, node] of plan.nodes.entries()) {
    if (node.error) {
      out.set(node.id, node.error);
      continue;
    }
    const inputs = node.inputs.map((id) => out.get(id!));
    const failed = node.inputs.find((id) => !(out.get(id!) && !(out.get(id!) instanceof EngineError)));
    if (failed !== undefined) {
      out.set(
        node.id,
        new EngineError(
          "upstream_error",
          `${operatorLabel(node.op)} cannot run because its input ${failed} has an error; fix that first`,
          { operatorId: node.id },
        ),
      );
      continue;
    }
    try {
      out.set(node.id, await materialize(ctx, node, index, inputs as Materialized[]));
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      out.set(node.id, error);
    }
  }
  return out;
}
