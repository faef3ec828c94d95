import type { ReActStep } from "@texera-agent/protocol";
import type { SqlClient, SqlStatement } from "./sql.ts";

const INSERT =
  "insert into steps (agent_id, idx, run_id, kind, json, created_at, step_key) values (?, ?, ?, ?, ?, ?, ?)";
const LIST = "select json from steps where agent_id = ? order by idx";
const BY_KEY = "select json from steps where agent_id = ? and step_key = ?";
const MAX_INDEX = "select max(idx) as max from steps where agent_id = ?";
const CLEAR = "delete from steps where agent_id = ?";
const LAST_ACTIVITY = (n: number) =>
  `select agent_id, max(created_at) as last from steps where agent_id in (${marks(n)}) group by agent_id`;
const LAST_USER = (n: number) =>
  `select s.agent_id, s.json from steps s where s.kind = 'user' and s.agent_id in (${marks(n)}) ` +
  "and s.idx = (select max(t.idx) from steps t where t.agent_id = s.agent_id and t.kind = 'user')";
const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/** What an agent list shows of each conversation. */
export interface Activity {
  /** the time of the latest step */
  lastActivityAt: string;
  /** the latest message the user sent */
  lastUserMessage?: string;
}

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

  /** Per agent (that has any step): when its latest step was made and its latest user message. */
  async activity(agentIds: readonly string[]): Promise<Map<string, Activity>> {
    const out = new Map<string, Activity>();
    if (agentIds.length === 0) return out;
    const ids = [...agentIds];
    const [times, users] = await Promise.all([
      this.sql.query<{ agent_id: string; last: string }>(LAST_ACTIVITY(ids.length), ids),
      this.sql.query<{ agent_id: string; json: string }>(LAST_USER(ids.length), ids),
    ]);
    for (const row of times) out.set(row.agent_id, { lastActivityAt: String(row.last) });
    for (const row of users) {
      const entry = out.get(row.agent_id);
      if (entry) entry.lastUserMessage = (JSON.parse(row.json) as ReActStep).content;
    }
    return out;
  }

  clearStatement(agentId: string): SqlStatement {
    return { text: CLEAR, params: [agentId] };
  }

  async clear(agentId: string): Promise<void> {
    await this.sql.execute(CLEAR, [agentId]);
  }
}
