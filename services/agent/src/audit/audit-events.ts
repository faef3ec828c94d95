import type { AuditAction, AuditEvent, AuditPage, AuditQuery } from "@texera-agent/protocol";
import { type Insertable, type Kysely, type Migration, PostgresAdapter, type Selectable } from "kysely";
import { type AgentDatabase, type AuditEventsTable, agentQuery } from "../db/schema.ts";
import type { DeferredWrites } from "../repositories/deferred-writes.ts";
import type { Params } from "../repositories/sql.ts";

/** Append to agent-service's migrations. */
export const auditEventsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .createTable("audit_events")
      .addColumn("id", postgres ? "bigserial" : "integer", (c) =>
        postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn("at", "varchar(32)", (c) => c.notNull())
      .addColumn("user_id", "bigint", (c) => c.notNull())
      .addColumn("user_name", "text", (c) => c.notNull())
      .addColumn("action", "varchar(32)", (c) => c.notNull())
      .addColumn("agent_id", "varchar(36)")
      .addColumn("model", "text")
      .addColumn("tokens", "bigint")
      .addColumn("address", "varchar(64)")
      .addColumn("detail", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("audit_events_user").on("audit_events").columns(["user_id", "id"]).execute();
    await db.schema
      .createIndex("audit_events_agent")
      .on("audit_events")
      .columns(["agent_id", "id"])
      .execute();
    await db.schema.createIndex("audit_events_at").on("audit_events").column("at").execute();
  },
};

export interface NewAuditEvent {
  userId: number;
  userName: string;
  action: AuditAction;
  agentId?: string;
  model?: string;
  tokens?: number;
  address?: string;
  detail?: Record<string, unknown>;
}

const INSERT = agentQuery((db, p: Params<Required<Omit<Insertable<AuditEventsTable>, "id">>>) =>
  db.insertInto("audit_events").values({
    at: p("at"),
    user_id: p("user_id"),
    user_name: p("user_name"),
    action: p("action"),
    agent_id: p("agent_id"),
    model: p("model"),
    tokens: p("tokens"),
    address: p("address"),
    detail: p("detail"),
  }),
);

/**
 * The audit_events table: append and page through, newest first. Appends are deferred writes (committed
 * together at the end of the event-loop turn, off the path of the run they describe); each append's
 * promise settles once its row is saved.
 */
export class AuditEvents {
  constructor(
    private readonly db: Kysely<AgentDatabase>,
    private readonly writes: DeferredWrites,
    private readonly now: () => Date,
  ) {}

  append(event: NewAuditEvent): Promise<void> {
    return this.writes.add(
      this.writes.sql.statement(INSERT, {
        at: this.now().toISOString(),
        user_id: event.userId,
        user_name: event.userName,
        action: event.action,
        agent_id: event.agentId ?? null,
        model: event.model ?? null,
        tokens: event.tokens ?? null,
        address: event.address ?? null,
        detail: JSON.stringify(event.detail ?? {}),
      }),
    );
  }

  async page(query: AuditQuery): Promise<AuditPage> {
    const limit = query.limit ?? 100;
    let q = this.db.selectFrom("audit_events").selectAll();
    if (query.userId !== undefined) q = q.where("user_id", "=", query.userId);
    if (query.action !== undefined) q = q.where("action", "=", query.action);
    if (query.agentId !== undefined) q = q.where("agent_id", "=", query.agentId);
    if (query.from !== undefined) q = q.where("at", ">=", new Date(query.from).toISOString());
    if (query.to !== undefined) q = q.where("at", "<", new Date(query.to).toISOString());
    if (query.cursor !== undefined) q = q.where("id", "<", Number(query.cursor));
    const rows = await q
      .orderBy("id", "desc")
      .limit(limit + 1)
      .execute();
    const events = rows.slice(0, limit).map(toDto);
    const more = rows.length > limit;
    return more ? { events, nextCursor: String(events[events.length - 1]!.id) } : { events };
  }
}

function toDto(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: Number(row.id),
    at: row.at,
    userId: Number(row.user_id),
    userName: row.user_name,
    action: row.action as AuditAction,
    agentId: row.agent_id,
    model: row.model,
    tokens: row.tokens === null ? null : Number(row.tokens),
    address: row.address,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  };
}
