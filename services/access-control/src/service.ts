import { createSigner, createTicketVerifier, createVerifier, RoleDirectory } from "@texera-agent/auth";
import { type Database, migrateToLatest, openDatabase } from "@texera-agent/db";
import type { LoggerConfig } from "@texera-agent/service-kit";
import type { FastifyInstance } from "fastify";
import { type Kysely, sql } from "kysely";
import { buildApp } from "./app.ts";
import type { AccessControlConfig } from "./config.ts";
import { createLoginService } from "./login.service.ts";
import { LoginLimiter } from "./login-limiter.ts";
import { accessControlMigrations } from "./migrations.ts";
import { createPasswordHasher } from "./password.ts";
import type { AccessControlSchema } from "./schema.ts";
import { createUsersRepository, type UsersRepository } from "./users.repository.ts";
import { createUsersService, type UsersService } from "./users.service.ts";

export const DATABASE_FILE = "access-control.sqlite";

/** The user directory's database, opened and migrated. Shared by the service and the CLI. */
export async function openUserDatabase(
  config: Pick<AccessControlConfig, "dataDir" | "databaseUrl">,
): Promise<{ database: Database<AccessControlSchema>; repository: UsersRepository }> {
  const database = openDatabase<AccessControlSchema>({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    fileName: DATABASE_FILE,
  });
  try {
    await migrateToLatest(database.db, "access_control", accessControlMigrations(database.dialect));
  } catch (error) {
    await database.close();
    throw error;
  }
  return { database, repository: createUsersRepository(database.db) };
}

/** The readiness check of a database: it answers `select 1` (the probe bounds the wait). */
export function databaseAnswers(db: Kysely<AccessControlSchema>): () => Promise<unknown> {
  return () => sql`select 1`.execute(db);
}

export interface AccessControl {
  app: FastifyInstance;
  users: UsersService;
  directory: RoleDirectory;
  database: Database<AccessControlSchema>;
  /** Stops the directory checks, the server and the database. */
  close(): Promise<void>;
}

export interface AccessControlOptions {
  logger?: LoggerConfig | false;
  /** Clock for token expiry, sign-in limits and directory staleness (tests). */
  now?: () => Date;
}

/**
 * Wires the whole service from its configuration: database, role directory (loaded before the first
 * request), verifier, signer, services and routes. `npm start` and main.ts both start here.
 */
export async function createAccessControl(
  config: AccessControlConfig,
  options: AccessControlOptions = {},
): Promise<AccessControl> {
  const { database, repository } = await openUserDatabase(config);
  const now = options.now ?? (() => new Date());
  const nowMs = options.now ? () => options.now!().getTime() : Date.now;

  let log: FastifyInstance["log"] | undefined;
  const directory = new RoleDirectory({
    source: repository,
    refreshMs: config.directory.refreshMs,
    maxStalenessMs: config.directory.maxStalenessMs,
    now: nowMs,
    onHealthChange(healthy, error) {
      if (healthy) log?.info("user directory readable again");
      else log?.error({ err: error }, "user directory check failed; authorize fails closed when stale");
    },
  });
  try {
    await directory.start();
  } catch (error) {
    directory.stop();
    await database.close();
    throw error;
  }

  const hasher = createPasswordHasher(config.scrypt);
  const users = createUsersService({ repository, hasher, now, onChange: (entry) => directory.apply(entry) });
  const login = createLoginService({
    repository,
    hasher,
    sign: createSigner({
      secret: config.jwt.secret,
      expiresInMinutes: config.jwt.expirationMinutes,
      currentDate: now,
    }),
    limiter: new LoginLimiter(config.loginLimits),
    now: nowMs,
  });
  const verify = createVerifier({
    secret: config.jwt.secret,
    cacheSize: config.tokenCacheSize,
    currentDate: options.now, // absent: the verifier reads Date.now() and allocates no Date per request
  });

  const app = buildApp({
    verify,
    verifyTicket: createTicketVerifier({ secret: config.jwt.secret, currentDate: now }),
    directory,
    users,
    login,
    logger: options.logger ?? { level: config.logLevel },
    authorizeLogLevel: config.authorizeLogLevel,
    trustProxy: config.trustProxy,
    metricsToken: config.metricsToken,
    readiness: { database: databaseAnswers(database.db) },
  });
  log = app.log;
  database.onConnectionError((error) =>
    app.log.warn(
      { err: error },
      "a database connection was lost (idle or between statements); the pool drops it",
    ),
  );
  return {
    app,
    users,
    directory,
    database,
    async close() {
      directory.stop();
      await app.close();
      await database.close();
    },
  };
}
