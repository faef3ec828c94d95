import type { FastifyInstance } from "fastify";
import { errors } from "./errors.ts";

/** `GET /api/healthcheck` (open): 200 while the user directory is fresh, 503 when it cannot be read. */
export function healthRoutes(directoryFresh: () => boolean) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get(
      "/api/healthcheck",
      {
        config: { auth: "open" },
        schema: {
          summary: "Liveness and readiness probe",
          tags: ["health"],
          response: {
            200: { type: "object", properties: { status: { type: "string" } } },
            503: { $ref: "ErrorBody#" },
          },
        },
      },
      async () => {
        if (!directoryFresh()) throw errors.directoryUnavailable();
        return { status: "ok" };
      },
    );
  };
}
