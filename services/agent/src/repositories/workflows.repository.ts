import { emptyWorkflow, type Workflow } from "@texera-agent/protocol";
import type { Kysely } from "kysely";
import type { AgentDatabase } from "../db/schema.ts";

/** One workflow per agent, replaced whole after each step that changed it. */
export class WorkflowsRepository {
  constructor(private readonly db: Kysely<AgentDatabase>) {}

  async get(agentId: string): Promise<Workflow> {
    const row = await this.db
      .selectFrom("workflows")
      .select("json")
      .where("agent_id", "=", agentId)
      .executeTakeFirst();
    return row ? (JSON.parse(row.json) as Workflow) : emptyWorkflow();
  }

  async put(agentId: string, workflow: Workflow, at: string): Promise<void> {
    const json = JSON.stringify(workflow);
    await this.db
      .insertInto("workflows")
      .values({ agent_id: agentId, json, updated_at: at })
      .onConflict((oc) => oc.column("agent_id").doUpdateSet({ json, updated_at: at }))
      .execute();
  }
}
