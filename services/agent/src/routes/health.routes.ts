import type { FastifyInstance } from "fastify";

/** The only open route: probes use it. It says nothing about LiteLLM (its outage is not ours). */
export function healthRoutes(app: FastifyInstance): void {
  app.get("/api/healthcheck", { config: { auth: "open" } }, async () => ({ status: "ok" }));
}
