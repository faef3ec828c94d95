import type { Kysely, Migration } from "kysely";
import type { AgentDatabase } from "../db/schema.ts";

/** Append to agent-service's migrations. */
export const wsTicketUsesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("ws_ticket_uses")
      .addColumn("jti", "varchar(64)", (c) => c.primaryKey())
      .addColumn("expires_at", "varchar(32)", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("ws_ticket_uses_expiry").on("ws_ticket_uses").column("expires_at").execute();
  },
};

const SWEEP_EVERY_MS = 60_000;

/**
 * Marks tickets spent, at most once each: a ticket's `jti` is inserted when a socket opens with it; a second
 * insert of the same `jti` finds the row and the ticket is refused. Being in the database (`ws_ticket_uses`),
 * every replica refuses a reuse.
 */
export class TicketUses {
  private lastSweep = 0;

  constructor(
    private readonly db: Kysely<AgentDatabase>,
    private readonly now: () => Date,
  ) {}

  /** True the first time a `jti` is spent, false on every later try (on any replica sharing the DB). */
  async spend(jti: string, expiresAt: Date): Promise<boolean> {
    await this.sweep();
    const result = await this.db
      .insertInto("ws_ticket_uses")
      .values({ jti, expires_at: expiresAt.toISOString() })
      .onConflict((oc) => oc.column("jti").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  private async sweep(): Promise<void> {
    const now = this.now();
    if (now.getTime() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now.getTime();
    // a minute past expiry: well beyond any verifier's clock tolerance
    const before = new Date(now.getTime() - 60_000).toISOString();
    await this.db.deleteFrom("ws_ticket_uses").where("expires_at", "<", before).execute();
  }
}
