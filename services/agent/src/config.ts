import { resolveJwtSecret } from "@texera-agent/auth";
import { ConfigError, parseEnv } from "@texera-agent/service-kit";
import { type AuditConfig, loadAuditConfig } from "./audit/audit-config.ts";
import { AgentEnv, type AgentEnvValues } from "./config.schema.ts";
import { loadUploadBounds, type UploadBounds } from "./datasets/upload-bounds.ts";
import { loadEngineConfig } from "./engine/config.ts";
import type { EngineOptions } from "./engine/engine.ts";
import { type IdentityConfig, loadIdentityConfig } from "./identity/identity-config.ts";
import { loadRunLimits, type RunLimitsConfig } from "./limits/limits-config.ts";

/** Everything agent-service reads from its environment (config.schema.ts), checked once at start-up. */
export interface AgentServiceConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Unset: the embedded SQLite file `agent.sqlite` under dataDir. */
  databaseUrl: string | undefined;
  litellmBaseUrl: string;
  /** Server-side only: never in a response, a log line or an error message. */
  litellmMasterKey: string | undefined;
  modelsCacheSeconds: number;
  llm: LlmPolicy;
  logLevel: string;
  /** AGENT_MAX_* and AGENT_DAILY_TOKEN_BUDGET_* (src/limits). */
  limits: RunLimitsConfig;
  /** AUDIT_PROMPTS, TRUSTED_PROXIES (src/audit). */
  audit: AuditConfig;
  /** DATASET_UPLOAD_IDLE_MS, DATASET_UPLOAD_TIMEOUT_MS (src/datasets). */
  uploads: UploadBounds;
  /**
   * With a PostgreSQL DATABASE_URL, replicas share the agents (src/cluster); AGENT_CLUSTER_SWEEP_MS is how
   * often each looks for runs left by a replica that died (they end within about this long).
   */
  clusterSweepMs: number;
  /** DIRECTORY_URL, DIRECTORY_REFRESH_MS, DIRECTORY_MAX_STALENESS_MS, AGENT_MAX_SOCKETS_PER_USER (src/identity). */
  identity: IdentityConfig;
  /** DATASET_MAX_BYTES, ENGINE_*, DUCKDB_*, SAMPLES_DIR (src/engine). */
  engine: EngineOptions;
  /** METRICS_TOKEN: when set, `GET /metrics` needs it as a bearer token. */
  metricsToken: string | undefined;
  /** AUTH_JWT_SECRET, else AUTH_CONF_PATH's, else generated once in DATA_DIR/jwt-secret. */
  jwt: {
    secret: string;
    /** Where the secret came from, for the start-up log (never the value). */
    source: string;
    generated: boolean;
  };
}

/** How agent-service talks to LiteLLM: bounded retries and timeouts. */
export interface LlmPolicy {
  /** Tries per model turn, the first included; retries happen only before any token streamed. */
  maxAttempts: number;
  /** First backoff delay; doubled on each retry (with jitter). */
  retryBaseMs: number;
  /** Upper bound of any wait between tries; a Retry-After asking for more is not waited for. */
  retryMaxDelayMs: number;
  /** Upper bound of all waits of one model turn added up. */
  retryTotalWaitMs: number;
  /** No stream chunk for this long once the stream has started: the turn fails with a timeout. */
  idleTimeoutMs: number;
  /**
   * No response (headers and first chunk) for this long after the request: the turn fails with a timeout.
   * LiteLLM holds its headers until the model's first chunk, which a reasoning model may think over for
   * minutes, so this is longer than idleTimeoutMs.
   */
  firstChunkTimeoutMs: number;
  /** The context window assumed for a model LiteLLM's /model/info does not describe (tokens). */
  contextWindowTokens: number;
  /** GET /models gives up after this long. */
  modelsTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

/** The environment read through the schema: every variable at fault is named in one ConfigError. */
export function parseAgentEnv(env: Env): AgentEnvValues {
  return parseEnv(AgentEnv, env);
}

function llmPolicy(vars: AgentEnvValues): LlmPolicy {
  return {
    maxAttempts: vars.LLM_MAX_ATTEMPTS,
    retryBaseMs: vars.LLM_RETRY_BASE_MS,
    retryMaxDelayMs: vars.LLM_RETRY_MAX_DELAY_MS,
    retryTotalWaitMs: vars.LLM_RETRY_TOTAL_WAIT_MS,
    idleTimeoutMs: vars.LLM_IDLE_TIMEOUT_MS,
    firstChunkTimeoutMs: vars.LLM_FIRST_CHUNK_TIMEOUT_MS,
    contextWindowTokens: vars.LLM_CONTEXT_WINDOW_TOKENS,
    modelsTimeoutMs: vars.LLM_MODELS_TIMEOUT_MS,
  };
}

/** The schema's defaults (config.schema.ts), for tests and callers that build an app without loadConfig. */
export const DEFAULT_LLM_POLICY: LlmPolicy = llmPolicy(parseAgentEnv({}));

/**
 * Reads the whole configuration from the environment through the schema, or throws a ConfigError that names
 * every variable at fault. Resolving the JWT secret may create DATA_DIR/jwt-secret (the embedded default).
 */
export function loadConfig(env: Env = process.env): AgentServiceConfig {
  const vars = parseAgentEnv(env);
  const baseUrl = vars.LITELLM_BASE_URL.replace(/\/+$/, "");
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http(s)");
  } catch {
    throw new ConfigError([
      {
        name: "LITELLM_BASE_URL",
        message: `LITELLM_BASE_URL must be an http:// or https:// URL, got "${baseUrl}"`,
      },
    ]);
  }
  const identity = loadIdentityConfig(vars);
  // env, not vars: auth.conf may name any variable in a ${?VAR} substitution (Texera's HOCON).
  const secret = resolveJwtSecret({ env, dataDir: vars.DATA_DIR });
  return {
    port: vars.PORT,
    host: vars.HOST,
    dataDir: vars.DATA_DIR,
    databaseUrl: vars.DATABASE_URL,
    litellmBaseUrl: baseUrl,
    litellmMasterKey: vars.LITELLM_MASTER_KEY,
    modelsCacheSeconds: vars.MODELS_CACHE_SECONDS,
    llm: llmPolicy(vars),
    logLevel: vars.LOG_LEVEL,
    limits: loadRunLimits(vars),
    audit: loadAuditConfig(vars),
    uploads: loadUploadBounds(vars),
    clusterSweepMs: vars.AGENT_CLUSTER_SWEEP_MS,
    identity,
    engine: loadEngineConfig(vars.DATA_DIR, vars),
    metricsToken: vars.METRICS_TOKEN,
    jwt: { secret: secret.secret, source: secret.source, generated: secret.generated },
  };
}
