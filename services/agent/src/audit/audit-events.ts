import type { AuditAction, AuditEvent, AuditPage, AuditQuery } from "@texera-agent/protocol";
import { type Kysely, type Migration, PostgresAdapter } from "kysely";
import type { DeferredWrites } from "../repositories/deferred-writes.ts";

/**
 * Who created, deleted and ran which agent, with which model, how many tokens, from which address.
 * `detail` is a small JSON object without secrets: never a token; the user's message only when the service
 * runs with AUDIT_PROMPTS=1.
 */
export interface AuditEventsTable {
  id: number | string;
  at: string;
  user_id: number | string;
  user_name: string;
  action: string;
  agent_id: string | null;
  model: string | null;
  tokens: number | string | null;
  address: string | null;
  detail: string;
}

interface AuditDatabase {
  audit_events: AuditEventsTable;
}

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

const INSERT =
  "insert into audit_events (at, user_id, user_name, action, agent_id, model, tokens, address, detail) " +
  "values (?, ?, ?, ?, ?, ?, ?, ?, ?)";

/**
 * The audit_events table: append and page through, newest first. Appends are deferred writes (committed
 * together at the end of the event-loop turn, off the path of the run they describe); each append's
 * promise settles once its row is saved.
 */
export class AuditEvents<DB> {
  private readonly db: Kysely<AuditDatabase>;

  constructor(
    db: Kysely<DB>,
    private readonly writes: DeferredWrites,
    private readonly now: () => Date,
  ) {
    this.db = db as unknown as Kysely<AuditDatabase>;
  }

  append(event: NewAuditEvent): Promise<void> {
    return this.writes.add({
      text: INSERT,
      params: [
        this.now().toISOString(),
        event.userId,
        event.userName,
        event.action,
        event.agentId ?? null,
        event.model ?? null,
        event.tokens ?? null,
        event.address ?? null,
        JSON.stringify(event.detail ?? {}),
      ],
    });
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

function toDto(row: AuditEventsTable): AuditEvent {
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
