import { Type } from "@sinclair/typebox";
import type { TokenVerifier } from "@texera-agent/auth";
import {
  type CreateUserBody,
  CreateUserBody as CreateUserBodySchema,
  type UpdateUserBody,
  UpdateUserBody as UpdateUserBodySchema,
  User,
  UserList,
} from "@texera-agent/protocol";
import { installAuthHook } from "@texera-agent/service-kit";
import type { FastifyInstance } from "fastify";
import { errors } from "./errors.ts";
import type { UsersService } from "./users.service.ts";

const ERROR = { $ref: "ErrorBody#" };
const REFUSALS = { 400: ERROR, 401: ERROR, 403: ERROR };
const UserIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

/**
 * The directory's admin operations, all ADMIN-only. The caller's token must verify AND the directory must
 * know the caller as ADMIN right now (read from the database, not the cache): a demoted or deactivated
 * admin loses these routes at once, and a token minted elsewhere cannot manage this directory.
 */
export function usersRoutes(deps: { verify: TokenVerifier; users: UsersService }) {
  return async function routes(app: FastifyInstance): Promise<void> {
    installAuthHook(app, {
      verify: deps.verify,
      async refine(claims) {
        const current = await deps.users.current(claims.userId, claims.sub);
        if (!current) throw errors.notInDirectory();
        if (current.role !== "ADMIN") throw errors.notAdmin();
        return { ...claims, role: current.role };
      },
    });

    app.get(
      "/api/auth/users",
      {
        config: { auth: "admin" },
        schema: { summary: "List users", tags: ["directory"], response: { 200: UserList, ...REFUSALS } },
      },
      async () => ({ users: await deps.users.list() }),
    );

    app.post<{ Body: CreateUserBody }>(
      "/api/auth/users",
      {
        config: { auth: "admin" },
        schema: {
          summary: "Add a user",
          tags: ["directory"],
          body: CreateUserBodySchema,
          response: { 201: User, ...REFUSALS, 409: ERROR },
        },
      },
      async (request, reply) => {
        const { username, password, email, role } = request.body;
        const user = await deps.users.create({ name: username, password, role, email });
        return reply.code(201).send(user);
      },
    );

    app.patch<{ Params: { id: number }; Body: UpdateUserBody }>(
      "/api/auth/users/:id",
      {
        config: { auth: "admin" },
        schema: {
          summary: "Change a user's role (INACTIVE deactivates; in force at the gateway within the bound)",
          tags: ["directory"],
          params: UserIdParams,
          body: UpdateUserBodySchema,
          response: { 200: User, ...REFUSALS, 404: ERROR, 409: ERROR },
        },
      },
      async (request) => deps.users.setRole({ id: request.params.id }, request.body.role),
    );
  };
}
