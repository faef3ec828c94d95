import { type LoginBody, LoginBody as LoginBodySchema, LoginResponse } from "@texera-agent/protocol";
import type { FastifyInstance } from "fastify";
import type { LoginService } from "./login.service.ts";

const ERROR = { $ref: "ErrorBody#" };

/** `POST /api/auth/login`: a JWT for a user name and password. */
export function loginRoutes(login: LoginService) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.post<{ Body: LoginBody }>(
      "/api/auth/login",
      {
        config: { auth: "open" },
        schema: {
          summary: "Sign in: exchange a user name and password for a JWT",
          tags: ["directory"],
          body: LoginBodySchema,
          response: { 200: LoginResponse, 401: ERROR, 403: ERROR, 429: ERROR },
        },
      },
      async (request) =>
        login({ username: request.body.username, password: request.body.password, address: request.ip }),
    );
  };
}
