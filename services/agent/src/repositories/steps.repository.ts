import type { ReActStep } from "@texera-agent/protocol";
import type { Kysely } from "kysely";
import type { AgentDatabase } from "../db/schema.ts";

/** An agent's history: steps in index order, each saved once when it is complete. */
export class StepsRepository {
  constructor(private readonly db: Kysely<AgentDatabase>) {}

  async append(agentId: string, step: ReActStep): Promise<void> {
    await this.db
      .insertInto("steps")
      .values({
        agent_id: agentId,
        idx: step.index,
        run_id: step.runId,
        kind: step.kind,
        json: JSON.stringify(step),
        created_at: step.createdAt,
      })
      .execute();
  }

  async list(agentId: string): Promise<ReActStep[]> {
    const rows = await this.db
      .selectFrom("steps")
      .select("json")
      .where("agent_id", "=", agentId)
      .orderBy("idx")
      .execute();
    return rows.map((r) => JSON.parse(r.json) as ReActStep);
  }

  /** The index the next step gets. */
  async nextIndex(agentId: string): Promise<number> {
    const row = await this.db
      .selectFrom("steps")
      .select((eb) => eb.fn.max("idx").as("max"))
      .where("agent_id", "=", agentId)
      .executeTakeFirst();
    const max = row?.max;
    return max === null || max === undefined ? 0 : Number(max) + 1;
  }

  async clear(agentId: string): Promise<void> {
    await this.db.deleteFrom("steps").where("agent_id", "=", agentId).execute();
  }
}
