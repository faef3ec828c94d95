import { emptyWorkflow, type Workflow } from "@texera-agent/protocol";
import { agentQuery } from "../db/schema.ts";
import type { Params, SqlClient, SqlStatement } from "./sql.ts";

const GET = agentQuery((db, p: Params<{ agentId: string }>) =>
  db.selectFrom("workflows").select("json").where("agent_id", "=", p("agentId")),
);
const PUT = agentQuery((db, p: Params<{ agentId: string; json: string; at: string }>) =>
  db
    .insertInto("workflows")
    .values({ agent_id: p("agentId"), json: p("json"), updated_at: p("at") })
    .onConflict((oc) =>
      oc.column("agent_id").doUpdateSet((eb) => ({
        json: eb.ref("excluded.json"),
        updated_at: eb.ref("excluded.updated_at"),
      })),
    ),
);

/** One workflow per agent, replaced whole after each step that changed it. */
export class WorkflowsRepository {
  constructor(private readonly sql: SqlClient) {}

  async get(agentId: string): Promise<Workflow> {
    const [row] = await this.sql.query(GET, { agentId });
    return row ? (JSON.parse(row.json) as Workflow) : emptyWorkflow();
  }

  async put(agentId: string, workflow: Workflow, at: string): Promise<void> {
    await this.sql.execute(PUT, { agentId, json: JSON.stringify(workflow), at });
  }

  putStatement(agentId: string, workflow: Workflow, at: string): SqlStatement {
    return this.sql.statement(PUT, { agentId, json: JSON.stringify(workflow), at });
  }
}
