import type { FastifyInstance } from "fastify";
import type { AgentsService } from "../services/agents.service.ts";
import { userOf } from "./request-user.ts";

type IdParams = { Params: { id: string } };

/** What an agent has done so far: its saved steps and its workflow. */
export function historyRoutes(app: FastifyInstance, agents: AgentsService): void {
  app.get<IdParams>("/api/agents/:id/react-steps", async (req) => ({
    steps: await agents.steps(userOf(req), req.params.id),
  }));

  app.get<IdParams>("/api/agents/:id/workflow", async (req) => agents.workflow(userOf(req), req.params.id));
}
