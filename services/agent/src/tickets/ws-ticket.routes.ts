import { WsTicketResponse } from "@texera-agent/protocol";
import type { FastifyInstance } from "fastify";
import { userOf } from "../routes/request-user.ts";
import type { AgentsService } from "../services/agents.service.ts";
import type { TicketGuard } from "./ticket-guard.ts";

/**
 * `POST /api/agents/:id/ws-ticket` (bearer token): a ticket valid once, for 30 s, for this agent's socket.
 * Another user's agent answers 404 like any unknown id.
 */
export function wsTicketRoutes(app: FastifyInstance, agents: AgentsService, tickets: TicketGuard): void {
  app.post<{ Params: { id: string } }>(
    "/api/agents/:id/ws-ticket",
    { schema: { response: { 200: WsTicketResponse } } },
    async (req, reply) => {
      const user = userOf(req);
      const record = await agents.owned(user, req.params.id);
      return reply.header("cache-control", "no-store").send(tickets.issue(user, record.id));
    },
  );
}
