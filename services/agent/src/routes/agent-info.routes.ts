import type { FastifyInstance } from "fastify";
import type { AgentsService } from "../services/agents.service.ts";
import { userOf } from "./request-user.ts";

type IdParams = { Params: { id: string } };

/** What an agent works with: its system prompt and tools, and the operator types it can add. */
export function agentInfoRoutes(app: FastifyInstance, agents: AgentsService): void {
  app.get<IdParams>("/api/agents/:id/system-info", async (req) =>
    agents.systemInfo(userOf(req), req.params.id),
  );
  app.get<IdParams>("/api/agents/:id/operator-types", async (req) =>
    agents.operatorTypes(userOf(req), req.params.id),
  );
}
