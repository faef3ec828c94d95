import type { Kysely, Migration } from "kysely";
import type { DeferredWrites } from "../repositories/deferred-writes.ts";
import type { SqlClient } from "../repositories/sql.ts";

/** Tokens each user spent per UTC day, as LiteLLM reported them (`usage.total_tokens`). */
export interface TokenUsageTable {
  user_id: number | string;
  /** YYYY-MM-DD (UTC) */
  day: string;
  tokens: number | string;
}

/** Append to agent-service's migrations. */
export const tokenUsageMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("token_usage")
      .addColumn("user_id", "bigint", (c) => c.notNull())
      .addColumn("day", "varchar(10)", (c) => c.notNull())
      .addColumn("tokens", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("token_usage_pk", ["user_id", "day"])
      .execute();
  },
};

export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

const ADD =
  "insert into token_usage (user_id, day, tokens) values (?, ?, ?) " +
  "on conflict (user_id, day) do update set tokens = token_usage.tokens + excluded.tokens";
const SPENT = "select tokens from token_usage where user_id = ? and day = ?";

/**
 * Adds to and reads the per-day counters (one upsert per model turn, deferred to the end of the event-loop
 * turn and committed with the other bookkeeping writes; any replica sees the same sums).
 */
export class TokenUsage {
  constructor(
    private readonly sql: SqlClient,
    private readonly writes: DeferredWrites,
  ) {}

  add(userId: number, day: string, tokens: number): Promise<void> {
    return this.writes.add({ text: ADD, params: [userId, day, tokens] });
  }

  async spent(userId: number, day: string): Promise<number> {
    const [row] = await this.sql.query<{ tokens: number | string }>(SPENT, [userId, day]);
    return row ? Number(row.tokens) : 0;
  }
}
