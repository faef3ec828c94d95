import {
  createTicketSigner,
  createTicketVerifier,
  type TicketClaims,
  type UserClaims,
} from "@texera-agent/auth";
import type { WsTicketResponse } from "@texera-agent/protocol";
import { unauthorized } from "@texera-agent/service-kit";
import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { AgentDatabase } from "../db/schema.ts";
import { TicketUses } from "./ticket-uses.ts";

export interface TicketsOptions {
  /** The JWT secret (tickets are signed with a key derived from it, shared with access-control). */
  secret: string;
  /** Ticket lifetime, default 30 s. */
  ttlSec?: number;
}

export interface TicketGuard {
  /** A ticket for the (already ownership-checked) agent. */
  issue(user: UserClaims, agentId: string): WsTicketResponse;
  /** For service-kit's auth hook: verifies, checks the route's agent id, spends the ticket. */
  verifyTicket(ticket: string, request: FastifyRequest): Promise<UserClaims>;
}

/** Issues and accepts WebSocket tickets for `GET /api/agents/:id/react`. */
export function createTicketGuard(
  options: TicketsOptions & { db: Kysely<AgentDatabase>; now: () => Date },
): TicketGuard {
  const sign = createTicketSigner({
    secret: options.secret,
    ttlSec: options.ttlSec,
    currentDate: options.now,
  });
  const verify = createTicketVerifier({ secret: options.secret, currentDate: options.now });
  const uses = new TicketUses(options.db, options.now);
  return {
    issue(user, agentId) {
      const { ticket, claims } = sign({
        userId: user.userId,
        userName: user.sub,
        role: user.role,
        agentId,
        // the socket it opens ends when this token would have expired
        tokenExp: user.exp,
        ...(user.email === undefined ? {} : { email: user.email }),
      });
      return {
        ticket,
        expiresAt: new Date(claims.exp * 1000).toISOString(),
        path: `/api/agents/${agentId}/react?ticket=${encodeURIComponent(ticket)}`,
      };
    },
    async verifyTicket(ticket, request) {
      const claims = verify(ticket);
      const agentId = (request.params as { id?: string } | undefined)?.id;
      if (claims.aid !== agentId) throw unauthorized("the ticket was issued for another agent");
      // a minute of margin over the verifier's tolerance: the row outlives every accepted use
      if (!(await uses.spend(claims.jti, new Date(claims.exp * 1000 + 60_000)))) {
        throw unauthorized("the ticket was already used; ask for a new one (POST …/ws-ticket)");
      }
      return toUser(claims);
    },
  };
}

function toUser(claims: TicketClaims): UserClaims {
  // A ticket without `tex` (from an older replica) lives no longer than itself: fail closed.
  const exp = claims.tex ?? claims.exp;
  const user: UserClaims = { sub: claims.sub, userId: claims.uid, role: claims.role, exp };
  if (claims.email !== undefined) user.email = claims.email;
  return user;
}
