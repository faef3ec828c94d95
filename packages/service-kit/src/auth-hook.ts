import {
  CREDENTIAL_CONFLICT,
  canUseAgents,
  credentialOf,
  isAdmin,
  JwtError,
  type TokenVerifier,
  type UserClaims,
} from "@texera-agent/auth";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HttpError } from "./errors.ts";

/**
 * Who may call a route, declared in the route's own `config.auth`. A route that declares nothing is
 * closed: it needs a valid token of a user who may use agents. Open routes say `auth: "open"`.
 */
export type AuthPolicy = "open" | "agents" | "admin";

declare module "fastify" {
  interface FastifyContextConfig {
    auth?: AuthPolicy;
    /** Also accept the token from the `access-token` query parameter (WebSocket upgrades). */
    queryToken?: boolean;
    /** Also accept a single-use WebSocket ticket from the `ticket` query parameter (see verifyTicket). */
    ticket?: boolean;
  }
  interface FastifyRequest {
    user?: UserClaims;
  }
}

export interface AuthHookOptions {
  verify: TokenVerifier;
  /** A further check after the token verified (e.g. the directory's current role). May replace claims. */
  refine?: (claims: UserClaims) => Promise<UserClaims> | UserClaims;
  /**
   * Checks (and consumes) a WebSocket ticket on routes with `config.ticket`; throws a JwtError or an
   * HttpError to refuse. Tickets are never looked at on other routes, and never in the Authorization header.
   */
  verifyTicket?: (ticket: string, request: FastifyRequest) => Promise<UserClaims> | UserClaims;
}

export const unauthorized = (message: string) =>
  new HttpError(401, "UNAUTHORIZED", message, { "www-authenticate": "Bearer" });

/** Authenticates every request against its route's policy before any handler or WebSocket upgrade runs. */
export function installAuthHook(app: FastifyInstance, options: AuthHookOptions): void {
  app.decorateRequest("user", undefined);
  app.addHook("onRequest", async (request: FastifyRequest) => {
    const config = request.routeOptions.config;
    const policy: AuthPolicy = config?.auth ?? "agents";
    if (policy === "open" || request.is404) return;

    // The same precedence as access-control's authorize (credentialOf), so both judge one identity.
    const credential = credentialOf(request.headers.authorization, request.url);
    if (credential.kind === "conflict") throw unauthorized(CREDENTIAL_CONFLICT);
    const ticket =
      credential.kind === "ticket" && config?.ticket && options.verifyTicket ? credential.ticket : undefined;
    const token =
      credential.kind === "token" && (credential.from === "header" || config?.queryToken)
        ? credential.token
        : undefined;
    if (!token && !ticket) throw unauthorized("sign in first: this route needs a bearer token");
    let claims: UserClaims;
    try {
      claims = ticket ? await options.verifyTicket!(ticket, request) : options.verify(token);
    } catch (error) {
      if (error instanceof JwtError) {
        throw unauthorized(`the ${ticket ? "ticket" : "token"} was refused: ${error.message}`);
      }
      throw error;
    }
    if (options.refine) claims = await options.refine(claims);
    if (!canUseAgents(claims.role)) {
      throw new HttpError(403, "FORBIDDEN", `a user with role ${claims.role} may not use agents`);
    }
    if (policy === "admin" && !isAdmin(claims.role)) {
      throw new HttpError(403, "FORBIDDEN", "this needs the ADMIN role");
    }
    request.user = claims;
  });
}
