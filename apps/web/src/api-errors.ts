/**
 * Errors of the REST client, one class per thing that can go wrong, each with a stable `code` so a caller
 * can `switch` on it. `message` is written for the person in front of the screen; `serverMessage` is the
 * service's own `{error}` text when it sent one.
 */
import { sentence } from "./format.ts";

export type ApiErrorCode =
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "validation"
  | "conflict"
  | "upstream_unavailable"
  | "network"
  | "server";

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  /** HTTP status, or 0 when no answer arrived */
  readonly status: number;
  readonly serverMessage: string | undefined;

  constructor(code: ApiErrorCode, status: number, message: string, serverMessage?: string) {
    super(sentence(message));
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.serverMessage = serverMessage;
  }
}

/** 401: no session, or it expired or was revoked. */
export class UnauthorizedError extends ApiError {
  constructor(message = "Your session has ended. Please sign in again.", serverMessage?: string) {
    super("unauthorized", 401, message, serverMessage);
  }
}

/** 403: signed in, but the role does not allow this. */
export class ForbiddenError extends ApiError {
  constructor(serverMessage?: string) {
    super(
      "forbidden",
      403,
      serverMessage
        ? `Not allowed: ${serverMessage}`
        : "Your account is not allowed to do this. Ask an administrator for access.",
      serverMessage,
    );
  }
}

export class NotFoundError extends ApiError {
  constructor(serverMessage?: string) {
    super("not_found", 404, serverMessage ?? "Not found: it may have been deleted.", serverMessage);
  }
}

/** 400/422: the request was refused as given; the server says what to change. */
export class ValidationError extends ApiError {
  constructor(status: number, serverMessage?: string) {
    super("validation", status, serverMessage ?? "The request was refused as invalid.", serverMessage);
  }
}

/** 409: e.g. the agent is busy, or a user name is taken. */
export class ConflictError extends ApiError {
  constructor(serverMessage?: string) {
    super(
      "conflict",
      409,
      serverMessage ?? "That conflicts with the current state. Try again.",
      serverMessage,
    );
  }
}

/** 502/503/504: a service behind the gateway (agent-service, or LiteLLM behind it) did not answer. */
export class UpstreamUnavailableError extends ApiError {
  constructor(status: number, serverMessage?: string) {
    super(
      "upstream_unavailable",
      status,
      serverMessage ??
        `A service behind the gateway is not answering (HTTP ${status}). Try again in a moment.`,
      serverMessage,
    );
  }
}

/** No answer at all: offline, server down, or timed out. */
export class NetworkError extends ApiError {
  constructor(message = "Cannot reach the server. Check your connection and try again.") {
    super("network", 0, message);
  }
}

export class ServerError extends ApiError {
  constructor(status: number, serverMessage?: string) {
    super(
      "server",
      status,
      serverMessage
        ? `The server failed: ${serverMessage}`
        : `The server failed (HTTP ${status}). Try again; if it persists, tell an operator.`,
      serverMessage,
    );
  }
}

/** Maps an HTTP error answer to its error class. */
export function errorForStatus(status: number, serverMessage: string | undefined): ApiError {
  if (status === 401) return new UnauthorizedError(undefined, serverMessage);
  if (status === 403) return new ForbiddenError(serverMessage);
  if (status === 404) return new NotFoundError(serverMessage);
  if (status === 409) return new ConflictError(serverMessage);
  if (status === 502 || status === 503 || status === 504)
    return new UpstreamUnavailableError(status, serverMessage);
  if (status >= 400 && status < 500) return new ValidationError(status, serverMessage);
  return new ServerError(status, serverMessage);
}

/** The words to show for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong. Try again.";
}
