import {
  CREDENTIAL_CONFLICT,
  canUseAgents,
  credentialOf,
  type DirectoryStanding,
  JwtError,
  type Role,
  type TicketClaims,
  type TokenVerifier,
  type UserClaims,
} from "@texera-agent/auth";
import { classifyOriginalUri } from "./original-request.ts";

export interface AuthorizeRequest {
  /** The subrequest's own Authorization header. */
  authorization: string | string[] | undefined;
  /** The original request's URI (path and query), see original-request.ts. */
  originalUri: string;
  /** The original method, when known; only consulted for a WebSocket ticket (which opens GET only). */
  originalMethod?: string;
}

export type AuthorizeDecision =
  | { status: 200; headers: UserHeaders }
  | { status: 401 | 403; error: string; headers?: Record<string, string> };

// a type, not an interface: it must fit Fastify's header record
export type UserHeaders = {
  "x-user-id": string;
  "x-user-name": string;
  "x-user-email": string;
  "x-user-role": Role;
};

export interface AuthorizeDeps {
  verify: TokenVerifier;
  /** The directory's current role of a user, see RoleDirectory.lookup. */
  lookup: (userId: number, name: string) => DirectoryStanding;
  /**
   * Verifies a WebSocket ticket (`ticket` in the original URI, see @texera-agent/auth ws-ticket.ts). A
   * ticket is accepted only for `GET /api/agents/<its agent id>/react`; agent-service spends it.
   */
  verifyTicket?: (ticket: string) => TicketClaims;
}

const WWW_AUTHENTICATE = { "www-authenticate": "Bearer" };
const deny = (status: 401 | 403, error: string): AuthorizeDecision =>
  status === 401 ? { status, error, headers: WWW_AUTHENTICATE } : { status, error };

// Refusals are constants: the hot path allocates nothing to say no.
const NOT_AGENTS = deny(403, "this path is not served through the authorizer");
const REFUSED_PATH = deny(403, "the original path is not in canonical form");
const NO_TOKEN = deny(401, "sign in first: a bearer token is required");
const BAD_TOKEN = deny(401, "the token was refused: sign in again");
const ROLE_REFUSED = deny(403, "your role does not allow using agents");
const DEACTIVATED = deny(403, "your account is deactivated; ask an administrator to reactivate it");
const STALE = deny(403, "the user directory is unavailable; try again shortly");
const UNSENDABLE = deny(403, "the token's user name or email cannot be passed on");
const BOTH_CREDENTIALS = deny(401, CREDENTIAL_CONFLICT);
const TICKET_ELSEWHERE = deny(401, "a WebSocket ticket opens only the socket of the agent it was issued for");

/** What a decision was, for the metrics: `authorize_decisions_total{outcome}`. */
export type AuthorizeOutcome = "allow" | "unauthenticated" | "forbidden" | "other_path";

export function authorizeOutcome(decision: AuthorizeDecision): AuthorizeOutcome {
  if (decision.status === 200) return "allow";
  if (decision.status === 401) return "unauthenticated";
  return decision === NOT_AGENTS || decision === REFUSED_PATH ? "other_path" : "forbidden";
}

// A header value Node will send as is: visible ASCII and spaces. Anything else is percent-encoded.
const PLAIN_HEADER_VALUE = /^[\x20-\x7e]*$/;
const MAX_NAME_CHARS = 256;
const MAX_EMAIL_CHARS = 320;

function headerValue(value: string): string {
  return PLAIN_HEADER_VALUE.test(value) ? value : encodeURIComponent(value);
}

/**
 * The authorize contract (DESIGN.md). A pure decision over the subrequest: token from the Authorization
 * header, else the original URI's `access-token`, else its `ticket`; a ticket beside a token is refused
 * (credentialOf, the rule agent-service applies too); signature and expiry by the verifier; the role from the
 * directory for users it knows (it overrides the token's), from the token for users it does not.
 * Never throws: whatever goes wrong is a refusal.
 */
export function createAuthorizer(deps: AuthorizeDeps): (request: AuthorizeRequest) => AuthorizeDecision {
  function usable(claims: UserClaims): AuthorizeDecision {
    const current = deps.lookup(claims.userId, claims.sub);
    if (current === "stale") return STALE;
    const role = current === "unknown" ? claims.role : current;
    if (role === "INACTIVE") return DEACTIVATED;
    if (!canUseAgents(role)) return ROLE_REFUSED;
    const email = claims.email ?? "";
    if (claims.sub.length > MAX_NAME_CHARS || email.length > MAX_EMAIL_CHARS) return UNSENDABLE;
    return {
      status: 200,
      headers: {
        "x-user-id": String(claims.userId),
        "x-user-name": headerValue(claims.sub),
        "x-user-email": headerValue(email),
        "x-user-role": role,
      },
    };
  }

  return function authorize(request) {
    const path = classifyOriginalUri(request.originalUri);
    if (path === "other") return NOT_AGENTS;
    if (path === "refused") return REFUSED_PATH;
    const credential = credentialOf(request.authorization, request.originalUri);
    if (credential.kind === "conflict") return BOTH_CREDENTIALS;
    if (credential.kind === "none") return NO_TOKEN;
    if (credential.kind === "ticket") {
      return deps.verifyTicket ? byTicket(request, credential.ticket, deps.verifyTicket) : NO_TOKEN;
    }
    let claims: UserClaims;
    try {
      claims = deps.verify(credential.token);
    } catch (error) {
      // every verifier error (malformed, signature, expired, claims) is a 401; the message says which
      return error instanceof JwtError ? deny(401, `the token was refused: ${error.message}`) : BAD_TOKEN;
    }
    return usable(claims);
  };

  function byTicket(
    request: AuthorizeRequest,
    ticket: string,
    verifyTicket: (t: string) => TicketClaims,
  ): AuthorizeDecision {
    let claims: TicketClaims;
    try {
      claims = verifyTicket(ticket);
    } catch (error) {
      return error instanceof JwtError ? deny(401, `the ticket was refused: ${error.message}`) : BAD_TOKEN;
    }
    const q = request.originalUri.indexOf("?");
    const path = q < 0 ? request.originalUri : request.originalUri.slice(0, q);
    const method = request.originalMethod?.toUpperCase() ?? "GET";
    if (path !== `/api/agents/${claims.aid}/react` || method !== "GET") return TICKET_ELSEWHERE;
    const user: UserClaims = { sub: claims.sub, userId: claims.uid, role: claims.role, exp: claims.exp };
    if (claims.email !== undefined) user.email = claims.email;
    return usable(user);
  }
}
