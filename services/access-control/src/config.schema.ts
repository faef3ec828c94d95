import { Type } from "@sinclair/typebox";
import { trustedProxiesVar, Var } from "@texera-agent/service-kit";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * Every variable access-control-service reads, once: config.ts derives the typed config from it and
 * scripts/config-docs.ts writes the README's table from it (a test fails when the two differ).
 */
export const AccessControlEnv = Type.Object({
  PORT: Var.int({ default: 9096, maximum: 65_535, description: "listen port" }),
  HOST: Var.string({
    default: "127.0.0.1",
    description:
      "listen address. Loopback by default: the gateway on the same machine is the only intended caller. Set `0.0.0.0` in a container",
  }),
  DATA_DIR: Var.string({
    default: "./data",
    description:
      "embedded SQLite file `access-control.sqlite` and the generated secret `jwt-secret`. Relative paths are taken from where `npm run …` was typed (`INIT_CWD`), so `npm start`, `npm run start:access-control` and `npm run users` share one folder",
  }),
  INIT_CWD: Type.Optional(
    Var.string({
      defaultText: "set by npm",
      description:
        "where `npm run …` was typed (npm sets it); a relative `DATA_DIR` is taken from it, else from the working directory",
    }),
  ),
  DATABASE_URL: Type.Optional(
    Var.string({
      defaultText: "unset (SQLite in `DATA_DIR`)",
      secret: true,
      description:
        "`postgres://…` for PostgreSQL; `sqlite:<path>` for another SQLite file. Replicas must share it",
    }),
  ),
  AUTH_JWT_SECRET: Type.Optional(
    Var.string({
      secret: true,
      // checked by @texera-agent/auth (resolveJwtSecret), which names the variable
      expected: "at least 32 bytes, not `random`",
      description:
        "HS256 secret (at least 32 bytes; lowercased before use, as Texera does). `random` and short values stop the start",
    }),
  ),
  AUTH_CONF_PATH: Type.Optional(
    Var.string({
      description:
        "Texera's `auth.conf` (HOCON): `auth.jwt.256-bit-secret` when `AUTH_JWT_SECRET` is unset, and `auth.jwt.expiration-in-minutes`",
    }),
  ),
  AUTH_JWT_EXPIRATION_MINUTES: Var.int({
    default: 60,
    minimum: 1,
    maximum: 525_600,
    description: "lifetime of tokens from `/api/auth/login` when `auth.conf` does not set one",
  }),
  DIRECTORY_REFRESH_MS: Var.int({
    default: 1000,
    minimum: 10,
    maximum: 5000,
    description: "how often a replica checks the directory for changes",
  }),
  DIRECTORY_MAX_STALENESS_MS: Var.int({
    default: 5000,
    minimum: 10,
    maximum: 60_000,
    description:
      "with no successful check for this long, `/api/auth` refuses every token (403); at least `DIRECTORY_REFRESH_MS`",
  }),
  LOGIN_MAX_ATTEMPTS_PER_USER_AND_ADDRESS: Var.int({
    default: 10,
    minimum: 1,
    maximum: 1_000_000,
    description:
      'sign-in attempts per user name (any letter case) **from one client address** within the window, failed or still in flight, then 429 for that name from that address only (see "Sign-in limits")',
  }),
  LOGIN_MAX_ATTEMPTS_PER_ADDRESS: Var.int({
    default: 50,
    minimum: 1,
    maximum: 1_000_000,
    description:
      "sign-in attempts per client address, any names, failed or still in flight, within the window, then 429",
  }),
  LOGIN_SLOW_AFTER_FAILURES_PER_USER: Var.int({
    default: 10,
    minimum: 1,
    maximum: 1_000_000,
    description:
      "failed sign-ins per user name from all addresses within the window after which every attempt on that name is slowed (never refused)",
  }),
  LOGIN_SLOW_DELAY_MS: Var.int({
    default: 1000,
    maximum: 10_000,
    description: "how long each attempt on a slowed name waits before its password is checked",
  }),
  LOGIN_RATE_WINDOW_SECONDS: Var.int({
    default: 300,
    minimum: 1,
    maximum: 86_400,
    description: "the sliding window of all three",
  }),
  TRUSTED_PROXIES: trustedProxiesVar({
    default: "loopback",
    description:
      "gateways whose `X-Forwarded-For` gives the client address (sign-in limits); `none`: the socket's address. Behind a gateway on another host, name it. The same variable and syntax as agent-service's",
  }),
  TRUST_PROXY: Type.Optional(
    Var.string({
      replacedBy: "TRUSTED_PROXIES",
      expected: "true, false, or a TRUSTED_PROXIES list",
      description:
        "**deprecated** name of `TRUSTED_PROXIES` (a warning at start; setting both stops the start): `true`, `false` (= `none`) or a list, as Fastify's `trustProxy`",
    }),
  ),
  PASSWORD_SCRYPT_LOG_N: Var.int({
    default: 15,
    minimum: 1,
    maximum: 20,
    description: "scrypt cost N = 2^n (r 8, p 1: 32 MiB, about 0.1 s). Existing hashes keep their own cost",
  }),
  TOKEN_CACHE_SIZE: Var.int({
    default: 10_000,
    maximum: 1_000_000,
    description: "verified tokens remembered (0: none)",
  }),
  USER_PASSWORD: Type.Optional(
    Var.string({
      secret: true,
      description:
        '`npm run users` only: the password of `add` and `passwd` (see "Users"); unset: asked on the terminal, never taken from the arguments',
    }),
  ),
  LOG_LEVEL: Var.oneOf(LOG_LEVELS, { default: "info", description: "pino level" }),
  AUTHORIZE_LOG_LEVEL: Var.oneOf(LOG_LEVELS, {
    default: "warn",
    description:
      "level of the per-request lines of `/api/auth` subrequests (one per gateway request; the gateway logs those requests already)",
  }),
  METRICS_TOKEN: Type.Optional(
    Var.string({
      minLength: 16,
      secret: true,
      description:
        'when set, `GET /metrics` needs `Authorization: Bearer <token>`; unset, it is open on this port (see "Metrics and probes")',
    }),
  ),
  SHUTDOWN_DELAY_MS: Var.int({
    default: 0,
    maximum: 60_000,
    description:
      "after SIGTERM, readiness answers 503 for this long while every request is still answered, then the server stops accepting and drains (the chart sets 5000)",
  }),
});

export type AccessControlEnvValues = typeof AccessControlEnv.static;
