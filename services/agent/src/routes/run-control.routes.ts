import type { FastifyInstance } from "fastify";
import type { AgentsService } from "../services/agents.service.ts";
import { userOf } from "./request-user.ts";

type IdParams = { Params: { id: string } };

/**
 * Stop the run in progress (the upstream request is cancelled at once): `{status:"stopping"}`; clear the
 * conversation: `{status:"cleared"}` (Texera's answers). Texera's frontend posts `{}`; any JSON is accepted.
 */
export function runControlRoutes(app: FastifyInstance, agents: AgentsService): void {
  app.post<IdParams>("/api/agents/:id/stop", async (req) => agents.stop(userOf(req), req.params.id));
  app.post<IdParams>("/api/agents/:id/clear", async (req) => agents.clear(userOf(req), req.params.id));
}
