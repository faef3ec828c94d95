import { createVerifier, RoleDirectory } from "@texera-agent/auth";
import { redactUrl } from "@texera-agent/db";
import type { LoggerConfig } from "@texera-agent/service-kit";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.ts";
import type { AgentServiceConfig } from "./config.ts";
import { openAgentDatabase } from "./db/open-agent-database.ts";
import { Engine } from "./engine/index.ts";
import { openDirectorySource, type ReadOnlyDirectory } from "./identity/directory-source.ts";
import { recoverInterruptedRuns } from "./services/recover-interrupted-runs.ts";

export interface RunningAgentService {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:3001 */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts agent-service from its configuration (loadConfig, which also resolved the JWT secret): the database
 * (migrated; runs cut short by a previous process marked interrupted), the app, listening on
 * config.host:config.port.
 */
export async function startAgentService(
  config: AgentServiceConfig,
  options: { logger?: LoggerConfig } = {},
): Promise<RunningAgentService> {
  const secret = config.jwt;
  const database = await openAgentDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  let app: FastifyInstance | undefined;
  let engine: Engine | undefined;
  const { identity } = config;
  const source: ReadOnlyDirectory | undefined =
    identity.directoryUrl === undefined ? undefined : openDirectorySource(identity.directoryUrl);
  const directory =
    source &&
    new RoleDirectory({
      source,
      refreshMs: identity.refreshMs,
      maxStalenessMs: identity.maxStalenessMs,
      onHealthChange(healthy, error) {
        if (healthy) app?.log.info("user directory readable again");
        else
          app?.log.error(
            { err: error },
            "user directory check failed; requests are refused once it is stale (DIRECTORY_MAX_STALENESS_MS)",
          );
      },
    });
  try {
    engine = await Engine.create(config.engine);
    // One process alone closes what its predecessor left; replicas do it for each other (src/cluster).
    const shared = database.dialect === "postgres";
    const interrupted = shared ? 0 : await recoverInterruptedRuns(database, () => new Date());
    app = await buildApp({
      config,
      verify: createVerifier({ secret: secret.secret }),
      tickets: { secret: secret.secret },
      limits: config.limits,
      uploads: config.uploads,
      audit: config.audit,
      ...(shared && { cluster: { url: config.databaseUrl as string, sweepMs: config.clusterSweepMs } }),
      database,
      engine,
      metricsToken: config.metricsToken,
      logger: { level: config.logLevel, ...options.logger },
      identity: {
        ...(directory && { directory }),
        maxSocketsPerUser: identity.maxSocketsPerUser,
        sweepMs: Math.min(1_000, identity.refreshMs),
      },
    });
    // A failed first check is reported (onHealthChange) and tried again: the directory may not exist yet
    // while access-control starts; lookups answer "stale" (503) meanwhile.
    await directory?.start().catch(() => {});
    app.log.info(`JWT secret: ${secret.source}${secret.generated ? " (generated now)" : ""}`);
    app.log.info(`database: ${database.description}`);
    if (identity.directoryUrl)
      app.log.info(`user directory: ${describeUrl(identity.directoryUrl)} (read-only)`);
    else
      app.log.warn("DIRECTORY_URL=none: roles come from the tokens alone; a deactivation is not seen here");
    app.log.info(`LiteLLM: ${config.litellmBaseUrl}`);
    const e = engine.settings;
    app.log.info(
      `engine: DuckDB memory ${e.memoryLimit}, ${e.threads} threads, spill ≤ ${e.maxTempDirectorySize}; ` +
        `${e.maxConcurrentRuns} executions at once, ${e.maxConcurrentRunsPerUser} per user; ` +
        `cells ≤ ${e.maxCellBytes} B, rows ≤ ${e.maxRowBytes} B`,
    );
    if (!config.litellmMasterKey) {
      app.log.warn("LITELLM_MASTER_KEY is not set: requests to LiteLLM carry no master key");
    }
    if (interrupted > 0)
      app.log.warn(`${interrupted} run(s) cut short by the previous stop were marked interrupted`);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    directory?.stop();
    await source?.close().catch(() => {});
    await app?.close().catch(() => {});
    engine?.close();
    await database.close().catch(() => {});
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const running = app;
  const runningEngine = engine;
  return {
    app: running,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    async close() {
      directory?.stop();
      await running.close();
      await source?.close();
      runningEngine.close();
      await database.close();
    },
  };
}

/** A directory URL for the log: a PostgreSQL URL without its password, a SQLite path as is. */
function describeUrl(url: string): string {
  return url.startsWith("sqlite:") ? url : redactUrl(url);
}
