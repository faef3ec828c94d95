import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import type { AuthorizeDecision, AuthorizeRequest } from "./authorize.service.ts";
import { AUTHORIZE_PREFIX, originalMethodOf, originalUriOf } from "./original-request.ts";

/** Every method a gateway may forward; the subrequest keeps the original one (Envoy) or any (nginx). */
export const AUTHORIZE_METHODS: HTTPMethods[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

export interface AuthorizeRoutesOptions {
  authorize: (request: AuthorizeRequest) => AuthorizeDecision;
  /** Level of the per-request log lines of the subrequests (one per gateway request). */
  logLevel: string;
}

/**
 * The gateway's subrequest: `/api/auth` (nginx auth_request, original request in X-Original-URI) and
 * `/api/auth/*` (Envoy ext_authz, original path appended), every method. Static routes beside them
 * (`/api/auth/login`, `/api/auth/users`) win for the methods they declare. A body the subrequest carries
 * is never read or parsed, whatever its content type (even an unparsable one). The answer is 200 with
 * x-user-* headers and an empty body, or 401/403 with a one-line JSON error: never anything else. The
 * original method (X-Original-Method, or the subrequest's own) does not change the answer, except that a
 * WebSocket ticket (`ticket` query parameter) is accepted for GET only.
 */
export function authorizeRoutes(options: AuthorizeRoutesOptions) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", (_request, _payload, done) => done(null));
    // A last net: nothing in this scope may become a 5xx. The handler itself never throws.
    app.setErrorHandler((_error, _request, reply) => {
      reply.code(403).send({ error: "the request was refused" });
    });

    // One logger for all subrequests instead of a child per request (this route is the hot path).
    let logger: FastifyBaseLogger | undefined;
    const childLoggerFactory = (parent: FastifyBaseLogger) => {
      logger ??= parent.child({ route: "authorize" }, { level: options.logLevel });
      return logger;
    };

    // The answer is given in onRequest, before Fastify looks at the content type or body at all (an
    // unparsable Content-Type header would otherwise fail the request before any handler runs).
    function answer(request: FastifyRequest, reply: FastifyReply): void {
      const originalUri = originalUriOf(request.url, request.headers["x-original-uri"]);
      const decision = options.authorize({
        authorization: request.headers.authorization,
        originalUri,
        originalMethod: originalMethodOf(request.url, request.method, request.headers["x-original-method"]),
      });
      if (decision.status === 200) {
        reply.headers(decision.headers).send();
        return;
      }
      if (decision.headers) reply.headers(decision.headers);
      reply.code(decision.status).send({ error: decision.error });
    }

    for (const url of [AUTHORIZE_PREFIX, `${AUTHORIZE_PREFIX}/*`]) {
      app.route({
        method: AUTHORIZE_METHODS,
        url,
        onRequest: answer,
        handler: answer, // never reached: onRequest has answered
        childLoggerFactory,
        config: { auth: "open" },
        schema: {
          summary:
            url === AUTHORIZE_PREFIX
              ? "Authorize (nginx auth_request): original request in X-Original-URI / X-Original-Method"
              : "Authorize (Envoy ext_authz): original path appended to /api/auth",
          description:
            "200 with x-user-id, x-user-name, x-user-email, x-user-role for a REGULAR or ADMIN user on " +
            "/api/agents and below; 401 (WWW-Authenticate: Bearer) for a missing or invalid token; 403 " +
            "otherwise. Token: Authorization: Bearer, else the original URI's access-token parameter.",
          tags: ["authorize"],
        },
      });
    }
  };
}
