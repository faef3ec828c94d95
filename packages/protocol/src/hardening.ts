import { type Static, Type } from "@sinclair/typebox";
import { IsoDate, Uuid } from "./common.ts";

/** `POST /api/agents/:id/ws-ticket`: a single-use ticket that opens `/api/agents/:id/react?ticket=…`. */
export const WsTicketResponse = Type.Object({
  ticket: Type.String(),
  expiresAt: IsoDate,
  /** The socket path to open, with the ticket in its query (relative to the API origin). */
  path: Type.String(),
});
export type WsTicketResponse = Static<typeof WsTicketResponse>;

export const AuditAction = Type.Union([
  Type.Literal("agent.create"),
  Type.Literal("agent.delete"),
  Type.Literal("run.start"),
  Type.Literal("run.end"),
]);
export type AuditAction = Static<typeof AuditAction>;

/** One row of the audit log. Never a token; a prompt only when the service runs with AUDIT_PROMPTS=1. */
export const AuditEvent = Type.Object({
  id: Type.Integer(),
  at: IsoDate,
  userId: Type.Integer(),
  userName: Type.String(),
  action: AuditAction,
  agentId: Type.Union([Uuid, Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  tokens: Type.Union([Type.Integer(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export type AuditEvent = Static<typeof AuditEvent>;

/** `GET /api/agents/audit` (ADMIN): newest first, filters combine with AND. */
export const AuditQuery = Type.Object(
  {
    userId: Type.Optional(Type.Integer({ minimum: 0 })),
    action: Type.Optional(AuditAction),
    agentId: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Type.String({ format: "date-time", description: "inclusive ISO-8601 time" })),
    to: Type.Optional(Type.String({ format: "date-time", description: "exclusive ISO-8601 time" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    /** `nextCursor` of the previous page. */
    cursor: Type.Optional(Type.String({ pattern: "^[0-9]{1,15}$" })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditPage = Type.Object({
  events: Type.Array(AuditEvent),
  /** Pass as `cursor` for the next (older) page; absent on the last page. */
  nextCursor: Type.Optional(Type.String()),
});
export type AuditPage = Static<typeof AuditPage>;
