import type { Kysely, Migration } from "kysely";
import type { AgentDatabase } from "../db/schema.ts";
import type { Execution } from "./execute-workflow.ts";
import type { OperatorResultList, OperatorResultSummary } from "./protocol.ts";

/** Append to agent-service's migrations (after the one that creates `agents`). */
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

/** Replaces the agent's stored results with this execution's. */
export async function saveOperatorResults(
  db: Kysely<AgentDatabase>,
  agentId: string,
  execution: Execution,
): Promise<void> {
  const list: OperatorResultList = {
    ...(execution.targetOperatorId ? { targetOperatorId: execution.targetOperatorId } : {}),
    executedAt: execution.executedAt,
    results: execution.results,
  };
  const row = { agent_id: agentId, json: JSON.stringify(list), updated_at: execution.executedAt };
  await db
    .insertInto("operator_results")
    .values(row)
    .onConflict((oc) => oc.column("agent_id").doUpdateSet({ json: row.json, updated_at: row.updated_at }))
    .execute();
}

/** The agent's latest results; an empty list when it never ran a workflow. */
export async function loadOperatorResults(
  db: Kysely<AgentDatabase>,
  agentId: string,
): Promise<OperatorResultList> {
  const row = await db
    .selectFrom("operator_results")
    .select("json")
    .where("agent_id", "=", agentId)
    .executeTakeFirst();
  return row ? (JSON.parse(row.json) as OperatorResultList) : { results: [] };
}

/** What a step frame carries of an execution: every operator's result without its rows. */
export function resultSummaries(execution: Execution): OperatorResultSummary[] {
  return execution.results.map(({ rows: _rows, ...summary }) => summary);
}
