import type { ReActStep } from "@texera-agent/protocol";
import type { SqlClient, SqlStatement } from "./sql.ts";

const INSERT =
  "insert into steps (agent_id, idx, run_id, kind, json, created_at, step_key) values (?, ?, ?, ?, ?, ?, ?)";
const LIST = "select json from steps where agent_id = ? order by idx";
const BY_KEY = "select json from steps where agent_id = ? and step_key = ?";
const MAX_INDEX = "select max(idx) as max from steps where agent_id = ?";
const CLEAR = "delete from steps where agent_id = ?";

/**
 * An agent's version tree: every step of every branch, in the order they were made (`index`), each saved
 * once when it is complete. The tree itself is in the steps (`parentId`); HEAD is on the agent.
 */
export class StepsRepository {
  constructor(private readonly sql: SqlClient) {}

  async append(agentId: string, step: ReActStep): Promise<void> {
    const { text, params } = this.appendStatement(agentId, step);
    await this.sql.execute(text, params);
  }

  appendStatement(agentId: string, step: ReActStep): SqlStatement {
    return {
      text: INSERT,
      params: [
        agentId,
        step.index,
        step.runId,
        step.role,
        JSON.stringify(step),
        new Date(step.timestamp).toISOString(),
        step.id,
      ],
    };
  }

  async list(agentId: string): Promise<ReActStep[]> {
    const rows = await this.sql.query<{ json: string }>(LIST, [agentId]);
    return rows.map((r) => JSON.parse(r.json) as ReActStep);
  }

  async find(agentId: string, stepId: string): Promise<ReActStep | undefined> {
    const [row] = await this.sql.query<{ json: string }>(BY_KEY, [agentId, stepId]);
    return row && (JSON.parse(row.json) as ReActStep);
  }

  /** The index the next step gets. */
  async nextIndex(agentId: string): Promise<number> {
    const [row] = await this.sql.query<{ max: number | string | null }>(MAX_INDEX, [agentId]);
    return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
  }

  clearStatement(agentId: string): SqlStatement {
    return { text: CLEAR, params: [agentId] };
  }

  async clear(agentId: string): Promise<void> {
    await this.sql.execute(CLEAR, [agentId]);
  }
}
