import type { UserClaims } from "@texera-agent/auth";
import type { FastifyRequest } from "fastify";

/** The caller, as the auth hook verified it (every closed route has one). */
export function userOf(request: FastifyRequest): UserClaims {
  if (!request.user) throw new TypeError("a closed route ran without a verified user");
  return request.user;
}
