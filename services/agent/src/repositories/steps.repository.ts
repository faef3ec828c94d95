import type { ReActStep } from "@texera-agent/protocol";
import { execute, query, type SqlRunner, Statement } from "./sql.ts";

const INSERT = new Statement(
  "insert into steps (agent_id, idx, run_id, kind, json, created_at) values (?, ?, ?, ?, ?, ?)",
);
const LIST = new Statement("select json from steps where agent_id = ? order by idx");
const MAX_INDEX = new Statement("select max(idx) as max from steps where agent_id = ?");
const CLEAR = new Statement("delete from steps where agent_id = ?");

/** An agent's history: steps in index order, each saved once when it is complete. */
export class StepsRepository {
  constructor(private readonly sql: SqlRunner) {}

  async append(agentId: string, step: ReActStep): Promise<void> {
    await execute(this.sql, INSERT, [
      agentId,
      step.index,
      step.runId,
      step.kind,
      JSON.stringify(step),
      step.createdAt,
    ]);
  }

  async list(agentId: string): Promise<ReActStep[]> {
    const rows = await query<{ json: string }>(this.sql, LIST, [agentId]);
    return rows.map((r) => JSON.parse(r.json) as ReActStep);
  }

  /** The index the next step gets. */
  async nextIndex(agentId: string): Promise<number> {
    const [row] = await query<{ max: number | string | null }>(this.sql, MAX_INDEX, [agentId]);
    return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
  }

  async clear(agentId: string): Promise<void> {
    await execute(this.sql, CLEAR, [agentId]);
  }
}
