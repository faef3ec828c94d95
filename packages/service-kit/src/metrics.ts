import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Registry } from "prom-client";
import { HttpError } from "./errors.ts";
import { installHttpMetrics } from "./metrics-http.ts";

export { UNMATCHED_ROUTE } from "./metrics-http.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** The app's own Prometheus registry (see installMetrics). */
    metrics: ServiceMetrics;
  }
}

export interface MetricsOptions {
  /**
   * When set, `GET /metrics` needs `Authorization: Bearer <token>` (401 otherwise). Unset: the route is
   * open on the service's port; the gateways never route `/metrics`, so only the cluster reaches it.
   */
  token?: string;
  /** Process metrics (CPU, memory, heap, event-loop lag, GC) beside the app's own. Default true. */
  processMetrics?: boolean;
}

export interface ServiceMetrics {
  /** Register the service's own metrics here: `new Counter({ ..., registers: [metrics.registry] })`. */
  readonly registry: Registry;
  /** The exposition text: process metrics (if on) and the app's. */
  text(): Promise<string>;
}

// The services declare their own series with these (one prom-client for the whole repository).
export { Counter, Gauge, Histogram, Registry } from "prom-client";

export const METRICS_PATH = "/metrics";

// Process metrics are the process's, not an app's: one registry per process, collected once (a GC
// observer and an event-loop monitor per app would pile up in tests that build many apps).
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * Prometheus metrics of a Fastify app: a registry of its own (never prom-client's global one, so a process
 * or a test may hold many apps), `http_requests_total{route,method,status}` and
 * `http_request_duration_seconds{route,method,status}` by route template (`/api/agents/:id`, never the raw
 * URL: ids and tokens do not become labels), and `GET /metrics` in the Prometheus text format.
 */
export function installMetrics(app: FastifyInstance, options: MetricsOptions = {}): ServiceMetrics {
  if (options.token !== undefined && options.token.length < 16) {
    throw new TypeError("the metrics token must be at least 16 characters");
  }
  const registry = new Registry();
  const withProcess = options.processMetrics ?? true;
  const http = installHttpMetrics(app);
  const metrics: ServiceMetrics = {
    registry,
    async text() {
      const own = `${http.text()}\n${await registry.metrics()}`;
      return withProcess ? `${await processMetrics().metrics()}\n${own}` : own;
    },
  };
  app.decorate("metrics", metrics);

  const expected = options.token === undefined ? undefined : digest(options.token);
  app.get(
    METRICS_PATH,
    { config: { auth: "open" }, logLevel: "warn", schema: { hide: true } },
    async (request, reply) => {
      if (expected && !bearerMatches(request.headers.authorization, expected)) {
        throw new HttpError(401, "UNAUTHORIZED", "the metrics token is missing or wrong", {
          "www-authenticate": "Bearer",
        });
      }
      reply.header("content-type", registry.contentType);
      return metrics.text();
    },
  );
  return metrics;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** Compares the bearer token with the expected one in constant time (both hashed to the same length). */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match !== null && timingSafeEqual(digest(match[1]!), expected);
}
