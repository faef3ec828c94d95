import { type Kysely, type Migration, sql } from "kysely";

/** Tokens each user spent per UTC day, as LiteLLM reported them (`usage.total_tokens`). */
export interface TokenUsageTable {
  user_id: number | string;
  /** YYYY-MM-DD (UTC) */
  day: string;
  tokens: number | string;
}

interface TokenUsageDatabase {
  token_usage: TokenUsageTable;
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

/** Adds to and reads the per-day counters (one upsert per model turn; any replica sees the same sums). */
export class TokenUsage<DB> {
  private readonly db: Kysely<TokenUsageDatabase>;

  constructor(db: Kysely<DB>) {
    this.db = db as unknown as Kysely<TokenUsageDatabase>;
  }

  async add(userId: number, day: string, tokens: number): Promise<void> {
    await this.db
      .insertInto("token_usage")
      .values({ user_id: userId, day, tokens })
      .onConflict((oc) =>
        oc.columns(["user_id", "day"]).doUpdateSet({ tokens: sql<number>`token_usage.tokens + ${tokens}` }),
      )
      .execute();
  }

  async spent(userId: number, day: string): Promise<number> {
    const row = await this.db
      .selectFrom("token_usage")
      .select("tokens")
      .where("user_id", "=", userId)
      .where("day", "=", day)
      .executeTakeFirst();
    return row ? Number(row.tokens) : 0;
  }
}
