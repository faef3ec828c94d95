import { emptyWorkflow, type Workflow } from "@texera-agent/protocol";
import { execute, query, type SqlRunner, Statement } from "./sql.ts";

const GET = new Statement("select json from workflows where agent_id = ?");
const PUT = new Statement(
  "insert into workflows (agent_id, json, updated_at) values (?, ?, ?) " +
    "on conflict (agent_id) do update set json = excluded.json, updated_at = excluded.updated_at",
);

/** One workflow per agent, replaced whole after each step that changed it. */
export class WorkflowsRepository {
  constructor(private readonly sql: SqlRunner) {}

  async get(agentId: string): Promise<Workflow> {
    const [row] = await query<{ json: string }>(this.sql, GET, [agentId]);
    return row ? (JSON.parse(row.json) as Workflow) : emptyWorkflow();
  }

  async put(agentId: string, workflow: Workflow, at: string): Promise<void> {
    await execute(this.sql, PUT, [agentId, JSON.stringify(workflow), at]);
  }
}
