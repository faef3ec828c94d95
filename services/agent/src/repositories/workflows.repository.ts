import { emptyWorkflow, type Workflow } from "@texera-agent/protocol";
import type { SqlClient, SqlStatement } from "./sql.ts";

const GET = "select json from workflows where agent_id = ?";
const PUT =
  "insert into workflows (agent_id, json, updated_at) values (?, ?, ?) " +
  "on conflict (agent_id) do update set json = excluded.json, updated_at = excluded.updated_at";

/** One workflow per agent, replaced whole after each step that changed it. */
export class WorkflowsRepository {
  constructor(private readonly sql: SqlClient) {}

  async get(agentId: string): Promise<Workflow> {
    const [row] = await this.sql.query<{ json: string }>(GET, [agentId]);
    return row ? (JSON.parse(row.json) as Workflow) : emptyWorkflow();
  }

  async put(agentId: string, workflow: Workflow, at: string): Promise<void> {
    const { text, params } = this.putStatement(agentId, workflow, at);
    await this.sql.execute(text, params);
  }

  putStatement(agentId: string, workflow: Workflow, at: string): SqlStatement {
    return { text: PUT, params: [agentId, JSON.stringify(workflow), at] };
  }
}
