import type { Kysely } from "kysely";
import type { AgentDatabase, RunStatus } from "../db/schema.ts";

export interface RunRecord {
  id: string;
  agentId: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  error: string | null;
}

/** One row per answered message: 'running' until it ends, so a restart can tell which runs were cut short. */
export class RunsRepository {
  constructor(private readonly db: Kysely<AgentDatabase>) {}

  async start(id: string, agentId: string, at: string): Promise<void> {
    await this.db
      .insertInto("runs")
      .values({ id, agent_id: agentId, status: "running", started_at: at, ended_at: null, error: null })
      .execute();
  }

  async finish(id: string, status: Exclude<RunStatus, "running">, at: string, error?: string): Promise<void> {
    await this.db
      .updateTable("runs")
      .set({ status, ended_at: at, error: error ?? null })
      .where("id", "=", id)
      .execute();
  }

  async listRunning(): Promise<RunRecord[]> {
    const rows = await this.db.selectFrom("runs").selectAll().where("status", "=", "running").execute();
    return rows.map((r) => ({
      id: r.id,
      agentId: r.agent_id,
      status: r.status,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      error: r.error,
    }));
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const r = await this.db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
    return (
      r && {
        id: r.id,
        agentId: r.agent_id,
        status: r.status,
        startedAt: r.started_at,
        endedAt: r.ended_at,
        error: r.error,
      }
    );
  }
}
