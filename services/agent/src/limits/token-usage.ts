import type { Kysely, Migration } from "kysely";
import { agentQuery } from "../db/schema.ts";
import type { DeferredWrites } from "../repositories/deferred-writes.ts";
import type { Params, SqlClient } from "../repositories/sql.ts";

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

const ADD = agentQuery((db, p: Params<{ userId: number; day: string; tokens: number }>) =>
  db
    .insertInto("token_usage")
    .values({ user_id: p("userId"), day: p("day"), tokens: p("tokens") })
    .onConflict((oc) =>
      oc.columns(["user_id", "day"]).doUpdateSet((eb) => ({
        tokens: eb("token_usage.tokens", "+", eb.ref("excluded.tokens")),
      })),
    ),
);
const SPENT = agentQuery((db, p: Params<{ userId: number; day: string }>) =>
  db
    .selectFrom("token_usage")
    .select("tokens")
    .where("user_id", "=", p("userId"))
    .where("day", "=", p("day")),
);

interface Pending {
  userId: number;
  day: string;
  tokens: number;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

/**
 * Adds to and reads the per-day counters; any replica sees the same sums. The tokens of a user's model
 * turns are summed in memory and written once per `flushMs` (one upsert per user and day, in user order,
 * committed with the other bookkeeping writes): one upsert per turn made the runs of one user queue on its
 * row, and two replicas writing the rows of several users in different orders deadlocked (PostgreSQL breaks
 * a deadlock after a second). `spent` counts what is not written yet.
 */
export class TokenUsage {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sql: SqlClient,
    private readonly writes: DeferredWrites,
    private readonly flushMs = 250,
  ) {}

  /** Settles when the tokens are saved (or could not be). */
  add(userId: number, day: string, tokens: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const key = `${userId}|${day}`;
      let entry = this.pending.get(key);
      if (!entry) {
        entry = { userId, day, tokens: 0, waiters: [] };
        this.pending.set(key, entry);
      }
      entry.tokens += tokens;
      entry.waiters.push({ resolve, reject });
      if (this.timer) return;
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    });
  }

  /** Writes what is summed so far (on its timer, and at shutdown before the last commit). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return Promise.resolve();
    const entries = [...this.pending.values()].sort(
      (a, b) => a.userId - b.userId || (a.day < b.day ? -1 : a.day > b.day ? 1 : 0),
    );
    this.pending.clear();
    const saved = this.writes.add(
      entries.map((e) => this.sql.statement(ADD, { userId: e.userId, day: e.day, tokens: e.tokens })),
    );
    saved.then(
      () => {
        for (const e of entries) for (const w of e.waiters) w.resolve();
      },
      (error) => {
        for (const e of entries) for (const w of e.waiters) w.reject(error);
      },
    );
    return saved.catch(() => {});
  }

  async spent(userId: number, day: string): Promise<number> {
    const [row] = await this.sql.query(SPENT, { userId, day });
    return (row ? Number(row.tokens) : 0) + this.unsaved(userId, day);
  }

  /** Tokens summed here and not written yet (a reader of the table alone adds them). */
  unsaved(userId: number, day: string): number {
    return this.pending.get(`${userId}|${day}`)?.tokens ?? 0;
  }
}
