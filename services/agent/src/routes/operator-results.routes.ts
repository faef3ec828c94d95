import type { OperatorResultList } from "@texera-agent/protocol";
import type { FastifyInstance } from "fastify";
import type { AgentsService } from "../services/agents.service.ts";
import { userOf } from "./request-user.ts";

type IdParams = { Params: { id: string } };

/** The results of the agent's latest workflow execution, per operator (bounded rows, columns, counts). */
export function operatorResultsRoutes(
  app: FastifyInstance,
  agents: AgentsService,
  load: (agentId: string) => Promise<OperatorResultList>,
): void {
  app.get<IdParams>("/api/agents/:id/operator-results", async (req) => {
    const agent = await agents.owned(userOf(req), req.params.id);
    return load(agent.id);
  });
}
