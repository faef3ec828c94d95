import { ROOT_STEP_ID } from "@texera-agent/protocol";
import { type Kysely, type Migration, sql } from "kysely";
import { agentQuery } from "../db/schema.ts";
import type { Params, SqlClient } from "../repositories/sql.ts";
import type { Execution } from "./execute-workflow.ts";
import type { OperatorResultList, OperatorResultSummary } from "./protocol.ts";

/** Migration 002: the latest results of each agent (replaced by 009, which keeps them by step). */
export const operatorResultsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("operator_results")
      .addColumn("agent_id", "varchar(36)", (c) => c.primaryKey().references("agents.id").onDelete("cascade"))
      .addColumn("json", "text", (c) => c.notNull())
      .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
      .execute();
  },
};

/** Migration 009: results by (agent, step); each agent's latest results kept on its HEAD of the moment. */
export const resultsByStepMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("step_operator_results")
      .addColumn("agent_id", "varchar(36)", (c) => c.notNull().references("agents.id").onDelete("cascade"))
      .addColumn("step_id", "varchar(200)", (c) => c.notNull())
      .addColumn("json", "text", (c) => c.notNull())
      .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
      .addPrimaryKeyConstraint("step_operator_results_pk", ["agent_id", "step_id"])
      .execute();
    await sql`insert into step_operator_results (agent_id, step_id, json, updated_at)
      select r.agent_id, coalesce(a.head_id, ${ROOT_STEP_ID}), r.json, r.updated_at
      from operator_results r join agents a on a.id = r.agent_id`.execute(db);
    await db.schema.dropTable("operator_results").execute();
  },
};

const SAVE = agentQuery((db, p: Params<{ agentId: string; stepId: string; json: string; at: string }>) =>
  db
    .insertInto("step_operator_results")
    .values({ agent_id: p("agentId"), step_id: p("stepId"), json: p("json"), updated_at: p("at") })
    .onConflict((oc) =>
      oc.columns(["agent_id", "step_id"]).doUpdateSet((eb) => ({
        json: eb.ref("excluded.json"),
        updated_at: eb.ref("excluded.updated_at"),
      })),
    ),
);
const AT_STEP = agentQuery((db, p: Params<{ agentId: string; stepId: string }>) =>
  db
    .selectFrom("step_operator_results")
    .select("json")
    .where("agent_id", "=", p("agentId"))
    .where("step_id", "=", p("stepId")),
);
const ALL = agentQuery((db, p: Params<{ agentId: string }>) =>
  db.selectFrom("step_operator_results").select(["step_id", "json"]).where("agent_id", "=", p("agentId")),
);

/**
 * Stores an execution's results on `stepId` (the agent's HEAD while it ran), merged into what that step
 * already holds: per operator, the later execution wins; operators it did not run keep their results.
 * Executions of one agent do not overlap (one run at a time), so the read and the write need no lock.
 */
export async function saveOperatorResults(
  sql: Pick<SqlClient, "execute" | "query">,
  agentId: string,
  stepId: string,
  execution: Execution,
): Promise<void> {
  const [row] = await sql.query(AT_STEP, { agentId, stepId });
  const earlier = row ? (JSON.parse(row.json) as OperatorResultList).results : [];
  const ran = new Set(execution.results.map((r) => r.operatorId));
  const list: OperatorResultList = {
    ...(execution.targetOperatorId ? { targetOperatorId: execution.targetOperatorId } : {}),
    executedAt: execution.executedAt,
    results: [...earlier.filter((r) => !ran.has(r.operatorId)), ...execution.results],
  };
  await sql.execute(SAVE, { agentId, stepId, json: JSON.stringify(list), at: execution.executedAt });
}

/**
 * The results visible from HEAD, as Texera shows them: for each operator, the one stored on the nearest
 * step of `path` (the step ids from the root to HEAD; the root, ROOT_STEP_ID, is on every path). Results
 * stored on other branches are not visible. An empty list when nothing on the path ran.
 */
export async function loadOperatorResults(
  sql: Pick<SqlClient, "query">,
  agentId: string,
  path: readonly string[],
): Promise<OperatorResultList> {
  const rows = await sql.query(ALL, { agentId });
  if (rows.length === 0) return { results: [] };
  const byStep = new Map(rows.map((r) => [r.step_id, r.json]));
  const seen = new Set<string>();
  const visible: OperatorResultList = { results: [] };
  const steps = [ROOT_STEP_ID, ...path];
  for (let i = steps.length - 1; i >= 0; i--) {
    const json = byStep.get(steps[i]!);
    if (json === undefined) continue;
    const list = JSON.parse(json) as OperatorResultList;
    if (visible.executedAt === undefined) {
      if (list.targetOperatorId) visible.targetOperatorId = list.targetOperatorId;
      if (list.executedAt) visible.executedAt = list.executedAt;
    }
    for (const result of list.results) {
      if (seen.has(result.operatorId)) continue;
      seen.add(result.operatorId);
      visible.results.push(result);
    }
  }
  return visible;
}

/** What a step frame carries of an execution: every operator's result without its rows. */
export function resultSummaries(execution: Execution): OperatorResultSummary[] {
  return execution.results.map(({ rows: _rows, ...summary }) => summary);
}
