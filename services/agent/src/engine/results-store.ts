import type { SqlClient } from "@texera-agent/db";
import type { Kysely, Migration } from "kysely";
import type { Execution } from "./execute-workflow.ts";
import type { OperatorResultList, OperatorResultSummary } from "./protocol.ts";

/** The latest execution of each agent: what GET /api/agents/:id/operator-results answers. */
export interface OperatorResultsTable {
  agent_id: string;
  /** OperatorResultList as JSON (bounded by the engine: at most maxExecutionBytes of rows). */
  json: string;
  updated_at: string;
}

export interface OperatorResultsDatabase {
  operator_results: OperatorResultsTable;
}

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

const SAVE =
  "insert into operator_results (agent_id, json, updated_at) values (?, ?, ?) " +
  "on conflict (agent_id) do update set json = excluded.json, updated_at = excluded.updated_at";
const LOAD = "select json from operator_results where agent_id = ?";

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
  await sql.execute(SAVE, [agentId, JSON.stringify(list), execution.executedAt]);
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
  const [row] = await sql.query<{ json: string }>(LOAD, [agentId]);
  return row ? (JSON.parse(row.json) as OperatorResultList) : { results: [] };
}

/** What a step frame carries of an execution: every operator's result without its rows. */
export function resultSummaries(execution: Execution): OperatorResultSummary[] {
  return execution.results.map(({ rows: _rows, ...summary }) => summary);
}
