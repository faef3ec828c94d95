import { type AuditPage, AuditQuery } from "@texera-agent/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Repositories } from "../repositories/index.ts";
import { userOf } from "../routes/request-user.ts";
import type { AuditEvents, NewAuditEvent } from "./audit-events.ts";
import type { ClientAddress } from "./client-address.ts";

export interface AuditRoutesDeps {
  events: AuditEvents;
  repos: Repositories;
  address: ClientAddress;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The model of an agent being deleted, read before the delete for its audit event. */
    auditModel?: string;
  }
}

const AGENTS = "/api/agents";
const AGENT = "/api/agents/:id";

/**
 * `GET /api/agents/audit` (ADMIN only; under /api/agents so the gateway's auth applies; a static route, so it
 * wins over `/api/agents/:id`), and the agent.create / agent.delete events, written as those answers leave.
 */
export function auditRoutes(app: FastifyInstance, deps: AuditRoutesDeps): void {
  app.decorateRequest("auditModel", undefined);
  app.get<{ Querystring: AuditQuery }>(
    "/api/agents/audit",
    { config: { auth: "admin" }, schema: { querystring: AuditQuery } },
    async (req): Promise<AuditPage> => deps.events.page(req.query),
  );

  app.addHook("preHandler", async (req: FastifyRequest) => {
    if (req.method !== "DELETE" || req.routeOptions.url !== AGENT) return;
    const record = await deps.repos.agents.findById((req.params as { id: string }).id).catch(() => undefined);
    if (record && record.ownerId === req.user?.userId) req.auditModel = record.modelType;
  });

  app.addHook("onSend", async (req, reply, payload) => {
    const route = req.routeOptions.url;
    let event: NewAuditEvent | undefined;
    if (
      req.method === "POST" &&
      route === AGENTS &&
      reply.statusCode === 200 &&
      typeof payload === "string"
    ) {
      const agent = JSON.parse(payload) as { id: string; modelType: string; name?: string };
      event = { ...who(req, deps), action: "agent.create", agentId: agent.id, model: agent.modelType };
    } else if (req.method === "DELETE" && route === AGENT && reply.statusCode === 200) {
      const agentId = (req.params as { id: string }).id;
      event = { ...who(req, deps), action: "agent.delete", agentId, model: req.auditModel };
    }
    if (event) {
      await deps.events
        .append(event)
        .catch((err) => req.log.error({ err }, "could not write an audit event"));
    }
    return payload;
  });
}

function who(req: FastifyRequest, deps: AuditRoutesDeps) {
  const user = userOf(req);
  return {
    userId: user.userId,
    userName: user.sub,
    address: deps.address(req.socket.remoteAddress, req.headers["x-forwarded-for"]),
  };
}
