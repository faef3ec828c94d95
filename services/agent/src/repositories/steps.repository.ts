import type { ReActStep } from "@texera-agent/protocol";
import { type Insertable, sql } from "kysely";
import { agentQuery, type StepsTable } from "../db/schema.ts";
import type { Params, SqlClient, SqlStatement } from "./sql.ts";

const INSERT = agentQuery((db, p: Params<Required<Insertable<StepsTable>>>) =>
  db.insertInto("steps").values({
    agent_id: p("agent_id"),
    idx: p("idx"),
    run_id: p("run_id"),
    kind: p("kind"),
    json: p("json"),
    created_at: p("created_at"),
    step_key: p("step_key"),
  }),
);
const LIST = agentQuery((db, p: Params<{ agentId: string }>) =>
  db.selectFrom("steps").select("json").where("agent_id", "=", p("agentId")).orderBy("idx"),
);
const BY_KEY = agentQuery((db, p: Params<{ agentId: string; stepId: string }>) =>
  db
    .selectFrom("steps")
    .select("json")
    .where("agent_id", "=", p("agentId"))
    .where("step_key", "=", p("stepId")),
);
const MAX_INDEX = agentQuery((db, p: Params<{ agentId: string }>) =>
  db
    .selectFrom("steps")
    .select((eb) => eb.fn.max<number | null>("idx").as("max"))
    .where("agent_id", "=", p("agentId")),
);
const CLEAR = agentQuery((db, p: Params<{ agentId: string }>) =>
  db.deleteFrom("steps").where("agent_id", "=", p("agentId")),
);

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
    await this.sql.execute(INSERT, stepRow(agentId, step));
  }

  appendStatement(agentId: string, step: ReActStep): SqlStatement {
    return this.sql.statement(INSERT, stepRow(agentId, step));
  }

  async list(agentId: string): Promise<ReActStep[]> {
    const rows = await this.sql.query(LIST, { agentId });
    return rows.map((r) => JSON.parse(r.json) as ReActStep);
  }

  async find(agentId: string, stepId: string): Promise<ReActStep | undefined> {
    const [row] = await this.sql.query(BY_KEY, { agentId, stepId });
    return row && (JSON.parse(row.json) as ReActStep);
  }

  /** The index the next step gets. */
  async nextIndex(agentId: string): Promise<number> {
    const [row] = await this.sql.query(MAX_INDEX, { agentId });
    return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
  }

  /** Per agent (that has any step): when its latest step was made and its latest user message. */
  async activity(agentIds: readonly string[]): Promise<Map<string, Activity>> {
    const out = new Map<string, Activity>();
    if (agentIds.length === 0) return out;
    const ids = [...agentIds];
    // built per call: the `in` list is as long as the page of agents
    const [times, users] = await Promise.all([
      this.sql.queryBuilt((db) =>
        db
          .selectFrom("steps")
          .select((eb) => ["agent_id", eb.fn.max("created_at").as("last")])
          .where("agent_id", "in", ids)
          .groupBy("agent_id"),
      ),
      this.sql.queryBuilt((db) =>
        db
          .selectFrom("steps as s")
          .select(["s.agent_id", "s.json"])
          .where("s.kind", "=", sql.lit("user"))
          .where("s.agent_id", "in", ids)
          .where("s.idx", "=", (eb) =>
            eb
              .selectFrom("steps as t")
              .select((e) => e.fn.max("t.idx").as("max"))
              .whereRef("t.agent_id", "=", "s.agent_id")
              .where("t.kind", "=", sql.lit("user")),
          ),
      ),
    ]);
    for (const row of times) out.set(row.agent_id, { lastActivityAt: String(row.last) });
    for (const row of users) {
      const entry = out.get(row.agent_id);
      if (entry) entry.lastUserMessage = (JSON.parse(row.json) as ReActStep).content;
    }
    return out;
  }

  clearStatement(agentId: string): SqlStatement {
    return this.sql.statement(CLEAR, { agentId });
  }

  async clear(agentId: string): Promise<void> {
    await this.sql.execute(CLEAR, { agentId });
  }
}

function stepRow(agentId: string, step: ReActStep): Required<Insertable<StepsTable>> {
  return {
    agent_id: agentId,
    idx: step.index,
    run_id: step.runId,
    kind: step.role,
    json: JSON.stringify(step),
    created_at: new Date(step.timestamp).toISOString(),
    step_key: step.id,
  };
}
