import { resolve } from "node:path";
import { resolveJwtSecret } from "@texera-agent/auth";
import { intFromEnv } from "@texera-agent/service-kit";
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
  /** Fastify `trustProxy`: whose X-Forwarded-For is believed for the client address (login rate limit). */
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
}

export type Env = Record<string, string | undefined>;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function logLevel(env: Env, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!LOG_LEVELS.includes(value)) {
    throw new TypeError(`${name} must be one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
  }
  return value;
}

function trustProxy(raw: string | undefined): boolean | string {
  if (raw === undefined || raw === "") return "loopback";
  if (raw === "true") return true;
  if (raw === "false") return false;
  return raw;
}

/**
 * What the user directory needs (the CLI reads only this: no JWT secret involved). A relative DATA_DIR
 * is taken from where `npm run ...` was typed (INIT_CWD), not from the workspace folder npm runs the
 * script in, so `npm start`, `npm run start:access-control` and `npm run users` share one ./data.
 */
export function loadDirectoryConfig(
  env: Env = process.env,
): Pick<AccessControlConfig, "dataDir" | "databaseUrl" | "scrypt"> {
  return {
    dataDir: resolve(env.INIT_CWD || process.cwd(), env.DATA_DIR || "./data"),
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    scrypt: { logN: intFromEnv(env, "PASSWORD_SCRYPT_LOG_N", 15, { min: 1, max: 20 }), r: 8, p: 1 },
  };
}

/** Variables whose meaning changed with their name: a deployment that still sets one is told, not ignored. */
const RENAMED: [string, string][] = [
  ["LOGIN_MAX_FAILURES_PER_USER", "LOGIN_MAX_ATTEMPTS_PER_USER_AND_ADDRESS"],
  ["LOGIN_MAX_FAILURES_PER_ADDRESS", "LOGIN_MAX_ATTEMPTS_PER_ADDRESS"],
];

/**
 * Reads the whole configuration from the environment, or throws a message that names the variable at
 * fault. Resolving the JWT secret may create DATA_DIR/jwt-secret (the embedded default).
 */
export function loadConfig(env: Env = process.env): AccessControlConfig {
  const { dataDir, databaseUrl, scrypt } = loadDirectoryConfig(env);
  for (const [old, now] of RENAMED) {
    if (env[old] !== undefined) throw new TypeError(`${old} is no longer read: set ${now} (see the README)`);
  }
  const secret = resolveJwtSecret({ env, dataDir });
  const expirationMinutes =
    secret.expirationMinutes ?? intFromEnv(env, "AUTH_JWT_EXPIRATION_MINUTES", 60, { min: 1, max: 525_600 });
  const refreshMs = intFromEnv(env, "DIRECTORY_REFRESH_MS", 1000, { min: 10, max: 5000 });
  const maxStalenessMs = intFromEnv(env, "DIRECTORY_MAX_STALENESS_MS", 5000, { min: refreshMs, max: 60_000 });
  return {
    port: intFromEnv(env, "PORT", 9096, { min: 0, max: 65_535 }),
    host: env.HOST || "127.0.0.1",
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    jwt: { secret: secret.secret, source: secret.source, generated: secret.generated, expirationMinutes },
    logLevel: logLevel(env, "LOG_LEVEL", "info"),
    authorizeLogLevel: logLevel(env, "AUTHORIZE_LOG_LEVEL", "warn"),
    trustProxy: trustProxy(env.TRUST_PROXY),
    tokenCacheSize: intFromEnv(env, "TOKEN_CACHE_SIZE", 10_000, { min: 0, max: 1_000_000 }),
    directory: { refreshMs, maxStalenessMs },
    loginLimits: {
      windowMs: intFromEnv(env, "LOGIN_RATE_WINDOW_SECONDS", 300, { min: 1, max: 86_400 }) * 1000,
      perNameAndAddress: intFromEnv(env, "LOGIN_MAX_ATTEMPTS_PER_USER_AND_ADDRESS", 10, {
        min: 1,
        max: 1_000_000,
      }),
      perAddress: intFromEnv(env, "LOGIN_MAX_ATTEMPTS_PER_ADDRESS", 50, { min: 1, max: 1_000_000 }),
      slowAfterPerName: intFromEnv(env, "LOGIN_SLOW_AFTER_FAILURES_PER_USER", 10, { min: 1, max: 1_000_000 }),
      slowDelayMs: intFromEnv(env, "LOGIN_SLOW_DELAY_MS", 1000, { min: 0, max: 10_000 }),
    },
    scrypt,
    ...(env.METRICS_TOKEN ? { metricsToken: env.METRICS_TOKEN } : {}),
    shutdownDelayMs: intFromEnv(env, "SHUTDOWN_DELAY_MS", 0, { min: 0, max: 60_000 }),
  };
}
