import { Type } from "@sinclair/typebox";
import { Var } from "@texera-agent/service-kit";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * Every variable the gateway reads, once: config.ts derives the typed config from it and
 * scripts/config-docs.ts writes the README's table from it (a test fails when the two differ).
 */
export const GatewayEnv = Type.Object({
  PORT: Var.int({ default: 8080, maximum: 65_535, description: "listen port (`0`: any free port)" }),
  HOST: Var.string({ default: "127.0.0.1", description: "listen address" }),
  ACCESS_CONTROL_URL: Var.string({
    default: "http://127.0.0.1:9096",
    expected: "an http:// base URL",
    description: "access-control-service; the authorize subrequest goes to `<url>/api/auth`",
  }),
  AGENT_SERVICE_URL: Var.string({
    default: "http://127.0.0.1:3001",
    expected: "an http:// base URL, or a comma-separated list of them",
    description:
      "agent-service, or a comma-separated list of its replicas (`http://10.0.0.1:3001,http://10.0.0.2:3001`), used round-robin",
  }),
  WEB_DIST: Type.Optional(
    Var.string({
      defaultText: "`apps/web/dist` of this checkout",
      description: "the built web app; `index.html` is the SPA fallback",
    }),
  ),
  AUTH_TIMEOUT_MS: Var.int({
    default: 5000,
    minimum: 1,
    maximum: 60_000,
    description: "how long the authorize subrequest may take before the gateway answers 503 (fail closed)",
  }),
  GATEWAY_BODY_LIMIT_BYTES: Var.int({
    default: 256 * 1024,
    minimum: 1,
    description: "largest request body forwarded to agent-service (agent-service's own limit)",
  }),
  DATASET_MAX_BYTES: Var.int({
    default: 100 * 1024 * 1024,
    minimum: 1,
    description: "largest dataset upload under `/api/agents/datasets` (100 MiB)",
  }),
  GATEWAY_BODY_TIMEOUT_MS: Var.int({
    default: 60_000,
    minimum: 1,
    maximum: 3_600_000,
    description: "a request body that pauses longer than this gets 408 (as nginx's `client_body_timeout`)",
  }),
  GATEWAY_UPSTREAM_FAIL_TIMEOUT_MS: Var.int({
    default: 5000,
    maximum: 600_000,
    description: "how long a failed replica is skipped (`0`: never skipped, still retried)",
  }),
  LOG_LEVEL: Var.oneOf(LOG_LEVELS, { default: "info", description: "pino level" }),
});

export type GatewayEnvValues = typeof GatewayEnv.static;
