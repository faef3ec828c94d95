import { type Selectable, sql } from "kysely";
import { agentQuery, type RunStatus, type RunsTable } from "../db/schema.ts";
import type { Params, SqlClient, SqlStatement } from "./sql.ts";

export interface RunRecord {
  id: string;
  agentId: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  error: string | null;
}

const COLUMNS = ["id", "agent_id", "status", "started_at", "ended_at", "error"] as const;
const START = agentQuery((db, p: Params<{ id: string; agentId: string; at: string }>) =>
  db.insertInto("runs").values({
    id: p("id"),
    agent_id: p("agentId"),
    status: sql.lit("running"),
    started_at: p("at"),
    ended_at: null,
    error: null,
  }),
);
const FINISH = agentQuery(
  (db, p: Params<{ id: string; status: RunStatus; at: string; error: string | null }>) =>
    db
      .updateTable("runs")
      .set({ status: p("status"), ended_at: p("at"), error: p("error") })
      .where("id", "=", p("id")),
);
const RUNNING = agentQuery((db) =>
  db
    .selectFrom("runs")
    .select(COLUMNS)
    .where("status", "=", sql.lit("running"))
    .orderBy("started_at")
    .orderBy("id"),
);
const GET = agentQuery((db, p: Params<{ id: string }>) =>
  db.selectFrom("runs").select(COLUMNS).where("id", "=", p("id")),
);

/** One row per answered message: 'running' until it ends, so a restart can tell which runs were cut short. */
export class RunsRepository {
  constructor(private readonly sql: SqlClient) {}

  async start(id: string, agentId: string, at: string): Promise<void> {
    await this.sql.execute(START, { id, agentId, at });
  }

  startStatement(id: string, agentId: string, at: string): SqlStatement {
    return this.sql.statement(START, { id, agentId, at });
  }

  async finish(id: string, status: Exclude<RunStatus, "running">, at: string, error?: string): Promise<void> {
    await this.sql.execute(FINISH, { id, status, at, error: error ?? null });
  }

  finishStatement(
    id: string,
    status: Exclude<RunStatus, "running">,
    at: string,
    error?: string,
  ): SqlStatement {
    return this.sql.statement(FINISH, { id, status, at, error: error ?? null });
  }

  async listRunning(): Promise<RunRecord[]> {
    return (await this.sql.query(RUNNING, {})).map(fromRow);
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const [row] = await this.sql.query(GET, { id });
    return row && fromRow(row);
  }
}

function fromRow(r: Selectable<RunsTable>): RunRecord {
  return {
    id: r.id,
    agentId: r.agent_id,
    status: r.status,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error,
  };
}
