import { resolve } from "node:path";
import { Type } from "@sinclair/typebox";
import { resolveJwtSecret } from "@texera-agent/auth";
import { ConfigError, deprecationWarnings, parseEnv, trustedProxyEntries } from "@texera-agent/service-kit";
import { AccessControlEnv, type AccessControlEnvValues } from "./config.schema.ts";
import type { LoginLimits } from "./login-limiter.ts";
import type { ScryptParams } from "./password.ts";

export interface AccessControlConfig {
  port: number;
  host: string;
  dataDir: string;
  /** `postgres://…` for PostgreSQL; unset for the embedded SQLite file DATA_DIR/access-control.sqlite. */
  databaseUrl?: string;
  jwt: {
    secret: string;
    /** Where the secret came from, for the start-up log (never the value). */
    source: string;
    generated: boolean;
    expirationMinutes: number;
  };
  logLevel: string;
  /** Level of the per-request log lines of the authorize subrequests (every gateway request makes one). */
  authorizeLogLevel: string;
  /** Fastify `trustProxy` from TRUSTED_PROXIES: whose X-Forwarded-For gives the client address (sign-in limits). */
  trustProxy: boolean | string;
  /** How many verified tokens the verifier remembers. */
  tokenCacheSize: number;
  directory: {
    /** How often a replica asks the database whether the directory changed. */
    refreshMs: number;
    /** With no successful check for this long, authorize refuses every token (fail closed). */
    maxStalenessMs: number;
  };
  /** See login-limiter.ts: which limits refuse (429) and which only slow down. */
  loginLimits: LoginLimits;
  scrypt: ScryptParams;
  /** METRICS_TOKEN: when set, `GET /metrics` needs it as a bearer token. */
  metricsToken?: string;
  /** SHUTDOWN_DELAY_MS: after SIGTERM, how long readiness says 503 while requests are still answered. */
  shutdownDelayMs?: number;
  /** Deprecated variable names in use, logged at start-up. */
  warnings?: string[];
}

export type Env = Record<string, string | undefined>;

/** What `npm run users` reads: the CLI parses only these (no JWT secret involved, no other variable). */
const CLI_VARS = Type.Pick(AccessControlEnv, [
  "DATA_DIR",
  "INIT_CWD",
  "DATABASE_URL",
  "PASSWORD_SCRYPT_LOG_N",
  "USER_PASSWORD",
]);

function directoryConfig(
  vars: Pick<AccessControlEnvValues, "DATA_DIR" | "INIT_CWD" | "DATABASE_URL" | "PASSWORD_SCRYPT_LOG_N">,
): Pick<AccessControlConfig, "dataDir" | "databaseUrl" | "scrypt"> {
  return {
    dataDir: resolve(vars.INIT_CWD || process.cwd(), vars.DATA_DIR),
    ...(vars.DATABASE_URL ? { databaseUrl: vars.DATABASE_URL } : {}),
    scrypt: { logN: vars.PASSWORD_SCRYPT_LOG_N, r: 8, p: 1 },
  };
}

/**
 * What the users CLI needs: the user directory and USER_PASSWORD (no JWT secret involved). A relative
 * DATA_DIR is taken from where `npm run ...` was typed (INIT_CWD), not from the workspace folder npm runs
 * the script in, so `npm start`, `npm run start:access-control` and `npm run users` share one ./data.
 */
export function loadCliConfig(
  env: Env = process.env,
): Pick<AccessControlConfig, "dataDir" | "databaseUrl" | "scrypt"> & { userPassword: string | undefined } {
  const vars = parseEnv(CLI_VARS, env);
  return { ...directoryConfig(vars), userPassword: vars.USER_PASSWORD };
}

/** Variables whose meaning changed with their name: a deployment that still sets one is told, not ignored. */
const RENAMED: [string, string][] = [
  ["LOGIN_MAX_FAILURES_PER_USER", "LOGIN_MAX_ATTEMPTS_PER_USER_AND_ADDRESS"],
  ["LOGIN_MAX_FAILURES_PER_ADDRESS", "LOGIN_MAX_ATTEMPTS_PER_ADDRESS"],
];

/**
 * Fastify's `trustProxy` from TRUSTED_PROXIES, or from its deprecated name TRUST_PROXY, read as before
 * (`true`, `false` or a list handed to Fastify as is). Both set is refused: which one wins would be a guess.
 */
function trustProxy(env: Env, vars: AccessControlEnvValues): boolean | string {
  const legacy = vars.TRUST_PROXY;
  if (legacy !== undefined) {
    // The raw variable: the parsed one always holds a value (its default, loopback).
    if (env.TRUSTED_PROXIES) {
      throw new ConfigError([
        {
          name: "TRUST_PROXY",
          message: "TRUST_PROXY and TRUSTED_PROXIES are both set: keep TRUSTED_PROXIES only",
        },
      ]);
    }
    if (legacy === "true") return true;
    if (legacy === "false") return false;
    return legacy;
  }
  const entries = trustedProxyEntries(vars.TRUSTED_PROXIES) ?? [];
  return entries.length === 0 ? false : entries.join(",");
}

/**
 * Reads the whole configuration from the environment through the schema (config.schema.ts), or throws a
 * ConfigError that names every variable at fault. Resolving the JWT secret may create DATA_DIR/jwt-secret
 * (the embedded default).
 */
export function loadConfig(env: Env = process.env): AccessControlConfig {
  for (const [old, now] of RENAMED) {
    if (env[old] !== undefined) throw new TypeError(`${old} is no longer read: set ${now} (see the README)`);
  }
  const vars = parseEnv(AccessControlEnv, env);
  const refreshMs = vars.DIRECTORY_REFRESH_MS;
  const maxStalenessMs = vars.DIRECTORY_MAX_STALENESS_MS;
  if (maxStalenessMs < refreshMs) {
    const { maximum } = AccessControlEnv.properties.DIRECTORY_MAX_STALENESS_MS;
    throw new ConfigError([
      {
        name: "DIRECTORY_MAX_STALENESS_MS",
        message: `DIRECTORY_MAX_STALENESS_MS must be a whole number from ${refreshMs} (DIRECTORY_REFRESH_MS) to ${maximum}, got "${maxStalenessMs}"`,
      },
    ]);
  }
  const { dataDir, databaseUrl, scrypt } = directoryConfig(vars);
  // env, not vars: auth.conf may name any variable in a ${?VAR} substitution (Texera's HOCON).
  const secret = resolveJwtSecret({ env, dataDir });
  const expirationMinutes = secret.expirationMinutes ?? vars.AUTH_JWT_EXPIRATION_MINUTES;
  return {
    port: vars.PORT,
    host: vars.HOST,
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    jwt: { secret: secret.secret, source: secret.source, generated: secret.generated, expirationMinutes },
    logLevel: vars.LOG_LEVEL,
    authorizeLogLevel: vars.AUTHORIZE_LOG_LEVEL,
    trustProxy: trustProxy(env, vars),
    tokenCacheSize: vars.TOKEN_CACHE_SIZE,
    directory: { refreshMs, maxStalenessMs },
    loginLimits: {
      windowMs: vars.LOGIN_RATE_WINDOW_SECONDS * 1000,
      perNameAndAddress: vars.LOGIN_MAX_ATTEMPTS_PER_USER_AND_ADDRESS,
      perAddress: vars.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
      slowAfterPerName: vars.LOGIN_SLOW_AFTER_FAILURES_PER_USER,
      slowDelayMs: vars.LOGIN_SLOW_DELAY_MS,
    },
    scrypt,
    ...(vars.METRICS_TOKEN ? { metricsToken: vars.METRICS_TOKEN } : {}),
    shutdownDelayMs: vars.SHUTDOWN_DELAY_MS,
    warnings: deprecationWarnings(AccessControlEnv, env),
  };
}
