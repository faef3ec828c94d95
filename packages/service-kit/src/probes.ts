import type { FastifyInstance } from "fastify";
import { HttpError } from "./errors.ts";

declare module "fastify" {
  interface FastifyInstance {
    /** See installProbes. */
    probes: Probes;
  }
}

/**
 * One readiness condition. Resolves (to anything but a string) when ready; a string or a throw says why
 * not. Example: `() => sql\`select 1\`.execute(db)`.
 */
export type ReadinessCheck = () => unknown | Promise<unknown>;

export interface ProbesOptions {
  /** Named conditions, all checked (at once) on every readiness probe. */
  checks: Record<string, ReadinessCheck>;
  /** A check that has not answered within this long fails as a timeout. Default 2000 ms. */
  timeoutMs?: number;
}

export interface Probes {
  /**
   * From now on readiness answers 503 "shutting down" while everything else keeps answering: call it on
   * SIGTERM, wait until the load balancer has noticed, then close the app (see SHUTDOWN_DELAY_MS).
   */
  markShuttingDown(): void;
}

export const LIVENESS_PATH = "/api/healthcheck/live";
export const READINESS_PATH = "/api/healthcheck/ready";

const MAX_REASON_CHARS = 200;

/**
 * Kubernetes probes, both open:
 * - `GET /api/healthcheck/live`: 200 while the process answers at all (a failure means: restart it);
 * - `GET /api/healthcheck/ready`: 200 when every check passes; 503 `{error: "not ready: <name>: <why>"}`
 *   when one fails or takes longer than `timeoutMs`, and from the moment the app starts closing (so the
 *   pod leaves the Service's endpoints while it drains).
 */
export function installProbes(app: FastifyInstance, options: ProbesOptions): Probes {
  const timeoutMs = options.timeoutMs ?? 2_000;
  if (!(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw new TypeError("the readiness timeout must be a positive whole number of milliseconds");
  }
  const checks = Object.entries(options.checks);
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });

  const probe = {
    config: { auth: "open" as const },
    logLevel: "warn" as const,
    schema: {
      tags: ["health"],
      response: {
        200: { type: "object", properties: { status: { type: "string" } } },
        503: { type: "object", properties: { error: { type: "string" } } },
      },
    },
  };
  app.get(LIVENESS_PATH, { ...probe, schema: { ...probe.schema, summary: "Liveness probe" } }, async () => ({
    status: "ok",
  }));
  app.get(
    READINESS_PATH,
    { ...probe, schema: { ...probe.schema, summary: "Readiness probe (the database answers)" } },
    async () => {
      if (closing) throw notReady("shutting down");
      const failures = await Promise.all(checks.map(([name, check]) => failureOf(name, check, timeoutMs)));
      const failed = failures.filter((f) => f !== undefined);
      if (failed.length > 0) throw notReady(failed.join("; "));
      return { status: "ok" };
    },
  );
  const probes: Probes = {
    markShuttingDown() {
      closing = true;
    },
  };
  app.decorate("probes", probes);
  return probes;
}

const notReady = (why: string) => new HttpError(503, "NOT_READY", `not ready: ${why}`);

/** Runs one check; undefined when it passed, else "<name>: <why>". */
async function failureOf(
  name: string,
  check: ReadinessCheck,
  timeoutMs: number,
): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    const result = await Promise.race([
      (async () => {
        const value = await check();
        return typeof value === "string" ? value : undefined;
      })().catch((error: unknown) => (error instanceof Error ? error.message : String(error)) || "failed"),
      timeout,
    ]);
    return result === undefined ? undefined : `${name}: ${oneLine(result)}`;
  } finally {
    clearTimeout(timer);
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS)}…` : line;
}
