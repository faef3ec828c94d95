import type { ReActStep } from "@texera-agent/protocol";
import type { SqlClient, SqlStatement } from "./sql.ts";

const INSERT = "insert into steps (agent_id, idx, run_id, kind, json, created_at) values (?, ?, ?, ?, ?, ?)";
const LIST = "select json from steps where agent_id = ? order by idx";
const MAX_INDEX = "select max(idx) as max from steps where agent_id = ?";
const CLEAR = "delete from steps where agent_id = ?";

/** An agent's history: steps in index order, each saved once when it is complete. */
export class StepsRepository {
  constructor(private readonly sql: SqlClient) {}

  async append(agentId: string, step: ReActStep): Promise<void> {
    const { text, params } = this.appendStatement(agentId, step);
    await this.sql.execute(text, params);
  }

  appendStatement(agentId: string, step: ReActStep): SqlStatement {
    return {
      text: INSERT,
      params: [agentId, step.index, step.runId, step.kind, JSON.stringify(step), step.createdAt],
    };
  }

  async list(agentId: string): Promise<ReActStep[]> {
    const rows = await this.sql.query<{ json: string }>(LIST, [agentId]);
    return rows.map((r) => JSON.parse(r.json) as ReActStep);
  }

  /** The index the next step gets. */
  async nextIndex(agentId: string): Promise<number> {
    const [row] = await this.sql.query<{ max: number | string | null }>(MAX_INDEX, [agentId]);
    return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
  }

  async clear(agentId: string): Promise<void> {
    await this.sql.execute(CLEAR, [agentId]);
  }
}
