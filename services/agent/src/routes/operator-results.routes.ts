import type { FastifyInstance } from "fastify";
import type { AgentsService } from "../services/agents.service.ts";
import { userOf } from "./request-user.ts";

type IdParams = { Params: { id: string } };

/** The results of the agent's latest workflow execution, keyed by operator id (Texera's `{results}`). */
export function operatorResultsRoutes(app: FastifyInstance, agents: AgentsService): void {
  app.get<IdParams>("/api/agents/:id/operator-results", async (req) => ({
    results: await agents.operatorResults(userOf(req), req.params.id),
  }));
}
