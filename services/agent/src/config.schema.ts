import { Type } from "@sinclair/typebox";
import { trustedProxiesVar, Var } from "@texera-agent/service-kit";
import { UPLOAD_BOUNDS_DEFAULTS } from "./datasets/upload-bounds.ts";
import { DUCKDB_DEFAULTS, ENGINE_DEFAULTS } from "./engine/engine.ts";
import { DEFAULT_MAX_SOCKETS_PER_USER, MAX_STALENESS_MS } from "./identity/identity-config.ts";
import { DEFAULT_RUN_LIMITS } from "./limits/limits-config.ts";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A DuckDB size (2GB, 512MiB, any letter case), checked here so a typo stops start-up with the name. */
const DUCKDB_SIZE = {
  pattern: "^\\d+(\\.\\d+)?\\s*([KkMmGgTt][Ii]?)?[Bb]$",
  expected: "a size such as 2GB or 512MB",
};

/**
 * Every variable agent-service reads, once: config.ts parses the environment through it and hands each
 * part (engine, limits, audit, identity, uploads) its values; scripts/config-docs.ts writes the README's
 * table from it (a test fails when the two differ).
 */
export const AgentEnv = Type.Object({
  PORT: Var.int({
    default: 3001,
    maximum: 65_535,
    description: "listen port (`0`: any free port, logged at start)",
  }),
  HOST: Var.string({
    default: "0.0.0.0",
    description: "listen address (pods need all interfaces; tests use `127.0.0.1`)",
  }),
  DATA_DIR: Var.string({
    default: "./data",
    description:
      "the embedded SQLite file `agent.sqlite`, the generated JWT secret, datasets and DuckDB's spill folder",
  }),
  INIT_CWD: Type.Optional(
    Var.string({
      defaultText: "set by npm",
      description:
        "where `npm run …` was typed (npm sets it); the default directory file `DATA_DIR/access-control.sqlite` is found from it, as access-control finds it",
    }),
  ),
  DATABASE_URL: Type.Optional(
    Var.string({
      secret: true,
      description: "`postgres://…` for PostgreSQL, `sqlite:<path>` for another SQLite file",
    }),
  ),
  AGENT_CLUSTER_SWEEP_MS: Var.int({
    default: 2_000,
    minimum: 100,
    maximum: 60_000,
    description:
      "PostgreSQL only: how often each replica looks for runs left by a replica that died (they end within about this long)",
  }),
  LITELLM_BASE_URL: Var.string({
    default: "http://localhost:4000",
    expected: "an http:// or https:// URL",
    description: "LiteLLM (or any OpenAI-compatible server); `/models` and `/chat/completions` under it",
  }),
  LITELLM_MASTER_KEY: Type.Optional(
    Var.string({
      secret: true,
      description: "sent as `Authorization: Bearer` to LiteLLM only; unset: a warning at start, no key sent",
    }),
  ),
  AUTH_JWT_SECRET: Type.Optional(
    Var.string({
      secret: true,
      // checked by @texera-agent/auth (resolveJwtSecret), which names the variable
      expected: "at least 32 bytes, not `random`",
      description: "HS256 secret shared with access-control-service (≥ 32 bytes, lowercased as Texera does)",
    }),
  ),
  AUTH_CONF_PATH: Type.Optional(
    Var.string({
      description:
        "Texera's `auth.conf`; its `auth.jwt.256-bit-secret` when `AUTH_JWT_SECRET` is unset. Neither set: a secret generated once in `DATA_DIR/jwt-secret`",
    }),
  ),
  MODELS_CACHE_SECONDS: Var.int({
    default: 30,
    maximum: 86_400,
    description: "how long a model list from LiteLLM is reused (and survives a LiteLLM outage)",
  }),
  LLM_MAX_ATTEMPTS: Var.int({
    default: 3,
    minimum: 1,
    maximum: 10,
    description: "tries per model turn, the first included (retries only before any token streamed)",
  }),
  LLM_RETRY_BASE_MS: Var.int({
    default: 500,
    maximum: 60_000,
    description: "first backoff; doubles per retry, with jitter",
  }),
  LLM_RETRY_MAX_DELAY_MS: Var.int({
    default: 10_000,
    maximum: 300_000,
    description:
      "the longest single wait between tries; LiteLLM asking for longer (a cooldown) fails the turn at once, saying how long it asked",
  }),
  LLM_RETRY_TOTAL_WAIT_MS: Var.int({
    default: 30_000,
    maximum: 600_000,
    description: "the most all waits of one model turn add up to; a wait that would pass it is not waited",
  }),
  LLM_FIRST_CHUNK_TIMEOUT_MS: Var.int({
    default: 600_000,
    minimum: 100,
    maximum: 3_600_000,
    description:
      "no response (LiteLLM holds its headers until the model's first chunk) for this long after the request: the turn fails as a timeout",
  }),
  LLM_IDLE_TIMEOUT_MS: Var.int({
    default: 60_000,
    minimum: 100,
    maximum: 3_600_000,
    description: "no stream chunk for this long once the stream has started: the turn fails as a timeout",
  }),
  LLM_CONTEXT_WINDOW_TOKENS: Var.int({
    default: 128_000,
    minimum: 1_000,
    maximum: 10_000_000,
    description:
      "the context window assumed for a model LiteLLM's `/model/info` does not describe (and the agent's `contextWindowTokens` does not set)",
  }),
  LLM_MODELS_TIMEOUT_MS: Var.int({
    default: 5_000,
    minimum: 100,
    maximum: 600_000,
    description: "`GET /models` gives up after this long",
  }),
  LOG_LEVEL: Var.oneOf(LOG_LEVELS, {
    default: "info",
    description: "pino level; request logs carry method, URL (token query values redacted) and status only",
  }),
  METRICS_TOKEN: Type.Optional(
    Var.string({
      minLength: 16,
      secret: true,
      description:
        "when set, `GET /metrics` needs `Authorization: Bearer <token>`; unset, it is open on this port (no gateway routes it)",
    }),
  ),
  DATASET_MAX_BYTES: Var.int({
    default: ENGINE_DEFAULTS.maxDatasetBytes,
    minimum: 1,
    maximum: 1024 ** 4,
    description: "largest dataset upload (100 MiB); larger ones get 413 without being read into memory",
  }),
  DATASET_UPLOAD_IDLE_MS: Var.int({
    default: UPLOAD_BOUNDS_DEFAULTS.idleMs,
    minimum: 100,
    maximum: 3_600_000,
    description:
      "an upload whose body sends no byte for this long is answered 408 (`Connection: close`), its partial file removed",
  }),
  DATASET_UPLOAD_TIMEOUT_MS: Var.int({
    default: UPLOAD_BOUNDS_DEFAULTS.timeoutMs,
    minimum: 100,
    maximum: 24 * 3_600_000,
    description: "an upload whose body is not all in after this long (10 min) is answered 408 the same way",
  }),
  ENGINE_TIMEOUT_MS: Var.int({
    default: ENGINE_DEFAULTS.timeoutMs,
    minimum: 100,
    maximum: 3_600_000,
    description:
      "a workflow execution is interrupted after this long (an agent's `executionTimeoutMinutes` may set less); the agent is told and goes on",
  }),
  ENGINE_RESULT_ROW_LIMIT: Var.int({
    default: ENGINE_DEFAULTS.resultRowLimit,
    minimum: 1,
    maximum: 100_000,
    description: "rows kept per operator result (the row count is always exact)",
  }),
  ENGINE_MAX_CONCURRENT_RUNS: Var.int({
    default: ENGINE_DEFAULTS.maxConcurrentRuns,
    minimum: 1,
    maximum: 64,
    description: "workflow executions (and `describeDataset` reads) at once per process; more wait in order",
  }),
  ENGINE_MAX_CONCURRENT_RUNS_PER_USER: Var.int({
    default: ENGINE_DEFAULTS.maxConcurrentRunsPerUser,
    minimum: 1,
    maximum: 64,
    description:
      "of those, at most this many for one user, so another user's query finds a free slot while one user's heavy query runs",
  }),
  ENGINE_MAX_QUEUED_RUNS_PER_USER: Var.int({
    default: ENGINE_DEFAULTS.maxQueuedRunsPerUser,
    minimum: 1,
    maximum: 1_000,
    description:
      "executions of one user waiting for a slot; one more is refused at once with `busy` (the time limit runs while waiting)",
  }),
  ENGINE_MAX_CELL_BYTES: Var.int({
    default: ENGINE_DEFAULTS.maxCellBytes,
    minimum: 16,
    maximum: 1024 * 1024,
    description:
      "bytes of one result cell when it leaves DuckDB: longer text, BLOBs and nested values are cut inside DuckDB and end with `… [cut at N of M bytes]`; the result says `cellsCut: true`",
  }),
  ENGINE_MAX_ROW_BYTES: Var.int({
    default: ENGINE_DEFAULTS.maxRowBytes,
    minimum: 256,
    maximum: 16 * 1024 * 1024,
    description:
      "bytes of one result row when it leaves DuckDB: a longer row has each long cell cut to an equal share (≥ 16 bytes)",
  }),
  DUCKDB_MEMORY_LIMIT: Var.string({
    default: DUCKDB_DEFAULTS.memoryLimit,
    ...DUCKDB_SIZE,
    description:
      "DuckDB's memory limit (DuckDB's own default would be 80% of RAM); beyond it DuckDB spills to `DATA_DIR/duckdb-tmp` or the query fails with an error naming this limit",
  }),
  DUCKDB_THREADS: Var.int({
    default: DUCKDB_DEFAULTS.threads,
    minimum: 1,
    maximum: 256,
    description: "DuckDB worker threads (DuckDB's own default: one per core)",
  }),
  DUCKDB_MAX_TEMP_DIRECTORY_SIZE: Var.string({
    default: DUCKDB_DEFAULTS.maxTempDirectorySize,
    ...DUCKDB_SIZE,
    description: "disk DuckDB may spill to; a query that needs more fails with an error naming this limit",
  }),
  SAMPLES_DIR: Type.Optional(
    Var.string({
      defaultText: "`services/agent/samples`",
      description: "read-only sample datasets every user sees; `none` for no samples",
    }),
  ),
  AGENT_MAX_CONCURRENT_RUNS_PER_USER: Var.int({
    default: DEFAULT_RUN_LIMITS.maxConcurrentRunsPerUser,
    description: "runs of one user in progress at once, over all their agents (`0`: no limit)",
  }),
  AGENT_MAX_RUNS_PER_MINUTE_PER_USER: Var.int({
    default: DEFAULT_RUN_LIMITS.maxRunsPerMinutePerUser,
    description: "runs one user may start in any 60 s (`0`: no limit)",
  }),
  AGENT_DAILY_TOKEN_BUDGET_REGULAR: Var.int({
    default: DEFAULT_RUN_LIMITS.dailyTokenBudget.REGULAR!,
    description:
      "tokens (LiteLLM's `usage.total_tokens`) a REGULAR user may spend per UTC day (`0`: no limit)",
  }),
  AGENT_DAILY_TOKEN_BUDGET_ADMIN: Var.int({
    default: DEFAULT_RUN_LIMITS.dailyTokenBudget.ADMIN!,
    description: "the same for ADMIN users",
  }),
  AUDIT_PROMPTS: Var.oneOf(["0", "1", "false", "true"], {
    default: "0",
    description: "`1`: `run.start` audit events keep the user's message text",
  }),
  TRUSTED_PROXIES: Type.Optional(
    trustedProxiesVar({
      defaultText: "unset (`none`)",
      description:
        "gateways whose `X-Forwarded-For` names the client in the audit log; unset or `none`: the socket's address. The same variable and syntax as access-control-service's",
    }),
  ),
  DIRECTORY_URL: Type.Optional(
    Var.string({
      defaultText: "see meaning",
      secret: true,
      description:
        'access-control\'s user directory, read-only (see "Who the caller is"): `postgres://…`, `postgresql://…`, `sqlite:<path>`. Default: `DATABASE_URL` when it is PostgreSQL, else `sqlite:DATA_DIR/access-control.sqlite`. `none`: tokens judged by their claims alone',
    }),
  ),
  DIRECTORY_REFRESH_MS: Var.int({
    default: 1_000,
    minimum: 10,
    maximum: 5_000,
    description:
      "how often the directory is asked whether it changed; open sockets are checked every `min(1000, this)` ms",
  }),
  DIRECTORY_MAX_STALENESS_MS: Var.int({
    default: MAX_STALENESS_MS,
    minimum: 10,
    maximum: MAX_STALENESS_MS,
    description:
      "with no successful check for this long, every request is refused (503 `DIRECTORY_UNAVAILABLE`) and sockets start no run; at least `DIRECTORY_REFRESH_MS`",
  }),
  AGENT_MAX_SOCKETS_PER_USER: Var.int({
    default: DEFAULT_MAX_SOCKETS_PER_USER,
    maximum: 100_000,
    description:
      "open sockets of one user on one replica; the next upgrade is refused with 429 `TOO_MANY_SOCKETS` (`0`: no cap)",
  }),
});

export type AgentEnvValues = typeof AgentEnv.static;
