import { SettingsPatch } from "@texera-agent/protocol";
import type { FastifyInstance } from "fastify";
import type { AgentsService } from "../services/agents.service.ts";
import { userOf } from "./request-user.ts";

/** An agent's settings; a change applies from the agent's next run on. */
export function settingsRoutes(app: FastifyInstance, agents: AgentsService): void {
  app.get<{ Params: { id: string } }>("/api/agents/:id/settings", async (req) =>
    agents.settings(userOf(req), req.params.id),
  );

  app.patch<{ Params: { id: string }; Body: SettingsPatch }>(
    "/api/agents/:id/settings",
    { schema: { body: SettingsPatch } },
    async (req) => agents.patchSettings(userOf(req), req.params.id, req.body),
  );
}
