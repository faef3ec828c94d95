import { CreateAgentBody, ListAgentsQuery } from "@texera-agent/protocol";
import type { FastifyInstance } from "fastify";
import type { AgentsService } from "../services/agents.service.ts";
import { userOf } from "./request-user.ts";

type IdParams = { Params: { id: string } };

/** The agent resource: create, list, read, delete. Ids are checked by the service (bad or foreign → 404). */
export function agentsRoutes(app: FastifyInstance, agents: AgentsService): void {
  app.post<{ Body: CreateAgentBody }>(
    "/api/agents",
    { schema: { body: CreateAgentBody } },
    async (req, reply) => {
      const agent = await agents.create(userOf(req), req.body);
      return reply.code(201).send(agent);
    },
  );

  app.get<{ Querystring: { all?: boolean } }>(
    "/api/agents",
    { schema: { querystring: ListAgentsQuery } },
    async (req) => ({ agents: await agents.list(userOf(req), req.query.all === true) }),
  );

  app.get<IdParams>("/api/agents/:id", async (req) => agents.get(userOf(req), req.params.id));

  app.delete<IdParams>("/api/agents/:id", async (req, reply) => {
    await agents.delete(userOf(req), req.params.id);
    return reply.code(204).send();
  });
}
