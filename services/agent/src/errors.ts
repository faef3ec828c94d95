import { HttpError } from "@texera-agent/service-kit";

/**
 * Every error agent-service answers on purpose, with its HTTP status. Handlers and services throw these;
 * service-kit's one error handler writes `{error}`. The same codes travel in WebSocket `error` frames.
 */
export const ErrorCodes = {
  AGENT_NOT_FOUND: 404,
  STEP_NOT_FOUND: 404,
  AGENT_BUSY: 409,
  RATE_LIMITED: 429,
  ADMIN_ONLY: 403,
  UNKNOWN_MODEL: 400,
  INVALID_SETTINGS: 400,
  LITELLM_UNREACHABLE: 502,
  LITELLM_KEY_REJECTED: 502,
  LITELLM_BAD_ANSWER: 502,
  DATABASE_UNAVAILABLE: 503,
  /** src/identity: the user directory could not be read for longer than its staleness bound. */
  DIRECTORY_UNAVAILABLE: 503,
  /** src/identity: one user's open sockets are at AGENT_MAX_SOCKETS_PER_USER. */
  TOO_MANY_SOCKETS: 429,
  /** src/identity: an open socket's user was deactivated or lost the right to use agents. */
  ACCESS_REVOKED: 403,
  /** src/identity: an open socket's token expired. */
  TOKEN_EXPIRED: 401,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class AgentServiceError extends HttpError {
  constructor(code: ErrorCode, message: string) {
    super(ErrorCodes[code], code, message);
    this.name = "AgentServiceError";
  }
}

/** One wording for "missing" and "not yours", so the answer does not tell them apart. */
export const agentNotFound = (id: string) =>
  new AgentServiceError("AGENT_NOT_FOUND", `no agent with id ${printableId(id)}`);

export const agentBusy = (what: string) =>
  new AgentServiceError("AGENT_BUSY", `the agent is answering a message; stop it first, then ${what}`);

/** Ids echo back into messages: keep them short and printable. */
function printableId(id: string): string {
  const clean = id.replace(/[^\w-]/g, "?");
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}

/** Cluster mode: the replica has lost its connection to PostgreSQL and cannot tell who runs what. */
export const databaseUnavailable = () =>
  new AgentServiceError(
    "DATABASE_UNAVAILABLE",
    "agent-service has lost its connection to the database; try again in a few seconds",
  );
