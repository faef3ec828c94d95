import { isAdmin } from "@texera-agent/auth";
import type { FastifyInstance } from "fastify";
import { AgentServiceError, type ErrorCode } from "../errors.ts";
import { withoutAddresses } from "../react/describe-for-people.ts";
import type { ModelsService } from "../services/models.service.ts";
import { userOf } from "./request-user.ts";

/**
 * GET /api/agents/models: LiteLLM's models in OpenAI's list shape, fetched with the master key. When
 * LiteLLM fails, only an ADMIN reads where it was asked; everyone else gets the same words without addresses.
 */
export function modelsRoutes(app: FastifyInstance, models: ModelsService): void {
  app.get("/api/agents/models", async (req) => {
    try {
      return await models.list();
    } catch (error) {
      if (error instanceof AgentServiceError && !isAdmin(userOf(req).role)) {
        throw new AgentServiceError(error.code as ErrorCode, withoutAddresses(error.message));
      }
      throw error;
    }
  });
}
