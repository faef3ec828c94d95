import { CreateAgentBody, ListAgentsQuery, PatchAgentBody } from "@texera-agent/protocol";
import type { FastifyInstance } from "fastify";
import type { AuditService } from "../audit/audit.service.ts";
import type { AgentsService } from "../services/agents.service.ts";
import { userOf } from "./request-user.ts";

type IdParams = { Params: { id: string } };

/**
 * The agent resource as Texera's agent-service answers it: create (200 AgentInfo), list ({agents}), read
 * (AgentInfo + workflow + stepCount), delete (200 {deleted:true}); and this service's rename (PATCH {name}). Ids are checked by the service (bad or
 * foreign → 404).
 */
export function agentsRoutes(app: FastifyInstance, agents: AgentsService, audit: AuditService): void {
  app.post<{ Body: CreateAgentBody }>(
    "/api/agents",
    { schema: { body: CreateAgentBody } },
    async (req, reply) => {
      // 200, as Texera's agent-service answers (its frontend accepts any 2xx).
      const agent = await agents.create(userOf(req), req.body, audit.actor(req));
      return reply.code(200).send(agent);
    },
  );

  app.get<{ Querystring: { all?: boolean } }>(
    "/api/agents",
    { schema: { querystring: ListAgentsQuery } },
    async (req) => ({ agents: await agents.list(userOf(req), req.query.all === true) }),
  );

  app.get<IdParams>("/api/agents/:id", async (req) => agents.get(userOf(req), req.params.id));

  // This service's (Texera has no rename): the name only, checked by the schema (1 to 120 characters).
  app.patch<IdParams & { Body: PatchAgentBody }>(
    "/api/agents/:id",
    { schema: { body: PatchAgentBody } },
    async (req) => agents.rename(userOf(req), req.params.id, req.body.name),
  );

  // Texera's frontend forgets the agent when the answer says `deleted` (agent.service.ts:856-862).
  app.delete<IdParams>("/api/agents/:id", async (req) => {
    await agents.delete(userOf(req), req.params.id, audit.actor(req));
    return { deleted: true as const };
  });
}
