import { type AuditPage, AuditQuery } from "@texera-agent/protocol";
import type { FastifyInstance } from "fastify";
import type { AuditService } from "./audit.service.ts";

/**
 * `GET /api/agents/audit` (ADMIN only; under /api/agents so the gateway's auth applies; a static route, so it
 * wins over `/api/agents/:id`). The events themselves are written by the services (AuditService).
 */
export function auditRoutes(app: FastifyInstance, audit: AuditService): void {
  app.get<{ Querystring: AuditQuery }>(
    "/api/agents/audit",
    { config: { auth: "admin" }, schema: { querystring: AuditQuery } },
    async (req): Promise<AuditPage> => audit.page(req.query),
  );
}
