import type { FastifyInstance } from "fastify";
import type { ModelsService } from "../services/models.service.ts";

/** GET /api/agents/models: LiteLLM's models in OpenAI's list shape, fetched with the master key. */
export function modelsRoutes(app: FastifyInstance, models: ModelsService): void {
  app.get("/api/agents/models", async () => models.list());
}
