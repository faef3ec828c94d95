import swagger from "@fastify/swagger";
import type { RoleDirectory, TicketClaims, TokenVerifier } from "@texera-agent/auth";
import { isDatabaseUnreachable } from "@texera-agent/db";
import { ErrorBody } from "@texera-agent/protocol";
import {
  installErrorHandling,
  installMetrics,
  installProbes,
  type LoggerConfig,
  loggerOptions,
  type ReadinessCheck,
} from "@texera-agent/service-kit";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from "fastify";
import { authorizeCounter, countedAuthorizer } from "./authorize.metrics.ts";
import { authorizeRoutes } from "./authorize.routes.ts";
import { createAuthorizer } from "./authorize.service.ts";
import { healthRoutes } from "./health.routes.ts";
import { loginRoutes } from "./login.routes.ts";
import type { LoginService } from "./login.service.ts";
import { AUTHORIZE_PREFIX } from "./original-request.ts";
import { usersRoutes } from "./users.routes.ts";
import type { UsersService } from "./users.service.ts";

export interface AppDeps {
  verify: TokenVerifier;
  /** WebSocket tickets for `GET /api/agents/<id>/react` (see authorize.service.ts); absent: none. */
  verifyTicket?: (ticket: string) => TicketClaims;
  directory: Pick<RoleDirectory, "lookup" | "fresh">;
  users: UsersService;
  login: LoginService;
  /** Pino settings; `false` for no logger at all (benchmarks). */
  logger?: LoggerConfig | false;
  /** Level of the authorize subrequests' own log lines (default "warn": they are one per gateway request). */
  authorizeLogLevel?: string;
  /** Fastify trustProxy: whose X-Forwarded-For gives the client address. Default: loopback only. */
  trustProxy?: boolean | string;
  /** When set, `GET /metrics` needs it as a bearer token (METRICS_TOKEN). */
  metricsToken?: string;
  /** Readiness conditions beside the directory's freshness, e.g. `database: select 1` (see service.ts). */
  readiness?: Record<string, ReadinessCheck>;
}

export const OPENAPI_PATH = "/api/auth/openapi.json";

/** True for URLs the authorize routes would answer (everything under /api/auth but the real endpoints). */
function isAuthorizeUrl(url: string): boolean {
  return (
    url.startsWith(AUTHORIZE_PREFIX) &&
    !url.startsWith(`${AUTHORIZE_PREFIX}/users`) &&
    !url.startsWith(`${AUTHORIZE_PREFIX}/login`)
  );
}

/** The access-control service as a Fastify instance, for `main.ts` and for tests (`app.inject()`). */
export function buildApp(deps: AppDeps): FastifyInstance {
  let countAuthorize: ReturnType<typeof authorizeCounter> | undefined;
  const app = Fastify({
    logger: deps.logger === false ? false : loggerOptions(deps.logger ?? {}),
    trustProxy: deps.trustProxy ?? "loopback",
    // nginx turns a 5xx from the authorizer into a 500 for the user: keep answering while shutting down
    return503OnClosing: false,
    // A URL the router cannot decode: under /api/auth that is a refused original path (403), else 400.
    frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
      if (isAuthorizeUrl(request.url)) {
        countAuthorize?.("other_path");
        reply.code(403).send({ error: "the original path is not in canonical form" });
      } else {
        reply.code(400).send({ error: `invalid request: ${error.message}` });
      }
    },
  });
  installErrorHandling(app, { unavailable: isDatabaseUnreachable });
  app.addSchema(ErrorBody);
  const metrics = installMetrics(app, { token: deps.metricsToken });
  countAuthorize = authorizeCounter(metrics.registry);
  installProbes(app, {
    checks: {
      ...deps.readiness,
      directory: () => (deps.directory.fresh ? undefined : "the user directory could not be read lately"),
    },
  });

  app.register(swagger, {
    openapi: {
      info: {
        title: "access-control-service",
        description:
          "Authorizes gateway subrequests for /api/agents (nginx auth_request and Envoy ext_authz) and " +
          "hosts a small user directory (sign-in, users and roles).",
        version: "0.1.0",
      },
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
    },
  });
  app.get(OPENAPI_PATH, { config: { auth: "open" }, schema: { hide: true } }, async () => app.swagger());

  const authorize = countedAuthorizer(
    createAuthorizer({
      verify: deps.verify,
      lookup: (userId, name) => deps.directory.lookup(userId, name),
      verifyTicket: deps.verifyTicket,
    }),
    countAuthorize,
  );
  app.register(authorizeRoutes({ authorize, logLevel: deps.authorizeLogLevel ?? "warn" }));
  app.register(loginRoutes(deps.login));
  app.register(usersRoutes({ verify: deps.verify, users: deps.users }));
  app.register(healthRoutes(() => deps.directory.fresh));
  return app;
}
