import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * An error a handler throws on purpose: it carries its HTTP status and a message meant for the caller.
 * Services declare their codes once (see each service's errors.ts) and throw; one handler answers.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** Fastify's own error codes for client mistakes, with the words we answer. */
const CLIENT_ERRORS: Record<string, [number, (e: FastifyError) => string]> = {
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, () => "the request body is empty; send a JSON object"],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, () => "the request body is not valid JSON"],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, () => "the request body is too large"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, () => "send the body as application/json"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, () => "the Content-Length header does not match the body"],
  FST_ERR_VALIDATION: [400, (e) => e.message],
};

export interface ErrorHandlingOptions {
  /** Errors that mean a dependency is down right now (the database): 503 with Retry-After, not 500. */
  unavailable?(error: unknown): boolean;
}

/** Installs the one error handler and the 404 answer of a service. Never a 500 for a client mistake. */
export function installErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).headers(error.headers).send({ error: error.message });
    }
    if (clientLeft(error, request)) {
      // The client reset or abandoned the connection mid-request (an upload cut off): nobody is there to
      // answer, and the socket error must not pass for a database one below.
      request.log.info({ code: error.code }, "the client closed the connection before its request was read");
      return reply.hijack();
    }
    if (options.unavailable?.(error)) {
      request.log.warn({ code: error.code }, "the database is unreachable");
      return reply
        .code(503)
        .header("retry-after", "5")
        .send({ error: "the database is unreachable right now; try again in a few seconds" });
    }
    if (error.validation) {
      return reply.code(400).send({ error: `invalid request: ${error.message}` });
    }
    const known = error.code ? CLIENT_ERRORS[error.code] : undefined;
    if (known) return reply.code(known[0]).send({ error: known[1](error) });
    if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: error.message });
    }
    request.log.error({ err: error }, "unhandled error");
    return reply.code(500).send({ error: "internal error; the service log has the details" });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no such route: ${request.method} ${request.url.split("?")[0]}` });
  });
}

/** A socket error of the request itself, its client gone: not a failure of ours or of a dependency. */
function clientLeft(error: FastifyError, request: FastifyRequest): boolean {
  if (error.code !== "ECONNRESET" && error.message !== "aborted") return false;
  return request.raw.destroyed || request.raw.socket?.destroyed === true;
}
