import type { Kysely, Migration } from "kysely";
import { agentQuery } from "../db/schema.ts";
import type { Params, SqlClient } from "../repositories/sql.ts";
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

const SAVE = agentQuery((db, p: Params<{ agentId: string; json: string; at: string }>) =>
  db
    .insertInto("operator_results")
    .values({ agent_id: p("agentId"), json: p("json"), updated_at: p("at") })
    .onConflict((oc) =>
      oc.column("agent_id").doUpdateSet((eb) => ({
        json: eb.ref("excluded.json"),
        updated_at: eb.ref("excluded.updated_at"),
      })),
    ),
);
const LOAD = agentQuery((db, p: Params<{ agentId: string }>) =>
  db.selectFrom("operator_results").select("json").where("agent_id", "=", p("agentId")),
);

/** Replaces the agent's stored results with this execution's. */
export async function saveOperatorResults(
  sql: Pick<SqlClient, "execute">,
  agentId: string,
  execution: Execution,
): Promise<void> {
  const list: OperatorResultList = {
    ...(execution.targetOperatorId ? { targetOperatorId: execution.targetOperatorId } : {}),
    executedAt: execution.executedAt,
    results: execution.results,
  };
  await sql.execute(SAVE, { agentId, json: JSON.stringify(list), at: execution.executedAt });
}

/**
 * The agent's latest results; an empty list when it never ran a workflow. Every run's `complete` frame and
 * every socket's `init` read them: a prepared statement (SqlClient), not a Kysely query built, compiled and
 * prepared again each time (≈0.2 ms of CPU per run).
 */
export async function loadOperatorResults(
  sql: Pick<SqlClient, "query">,
  agentId: string,
): Promise<OperatorResultList> {
  const [row] = await sql.query(LOAD, { agentId });
  return row ? (JSON.parse(row.json) as OperatorResultList) : { results: [] };
}

/** What a step frame carries of an execution: every operator's result without its rows. */
export function resultSummaries(execution: Execution): OperatorResultSummary[] {
  return execution.results.map(({ rows: _rows, ...summary }) => summary);
}
