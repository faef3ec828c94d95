import { CheckoutBody, StepsByOperatorsBody } from "@texera-agent/protocol";
import type { FastifyInstance } from "fastify";
import type { AgentsService } from "../services/agents.service.ts";
import { userOf } from "./request-user.ts";

type IdParams = { Params: { id: string } };

/** The version tree: every step of every branch, the steps about some operators, checkout; the workflow. */
export function historyRoutes(app: FastifyInstance, agents: AgentsService): void {
  app.get<IdParams>("/api/agents/:id/react-steps", async (req) => agents.steps(userOf(req), req.params.id));

  app.post<IdParams & { Body: StepsByOperatorsBody }>(
    "/api/agents/:id/steps-by-operators",
    { schema: { body: StepsByOperatorsBody } },
    async (req) => agents.stepsByOperators(userOf(req), req.params.id, req.body.operatorIds),
  );

  app.post<IdParams & { Body: CheckoutBody }>(
    "/api/agents/:id/checkout",
    { schema: { body: CheckoutBody } },
    async (req) => agents.checkout(userOf(req), req.params.id, req.body.stepId),
  );

  app.get<IdParams>("/api/agents/:id/workflow", async (req) => agents.workflow(userOf(req), req.params.id));

  // This service's (Texera's clear keeps the workflow): empties the workflow, answers it; 409 while running.
  app.delete<IdParams>("/api/agents/:id/workflow", async (req) =>
    agents.clearWorkflow(userOf(req), req.params.id),
  );
}
