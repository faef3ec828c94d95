import { intFromEnv } from "@texera-agent/service-kit";
import { type AuditConfig, loadAuditConfig } from "./audit/audit-config.ts";
import { loadUploadBounds, type UploadBounds } from "./datasets/upload-bounds.ts";
import { type IdentityConfig, loadIdentityConfig } from "./identity/identity-config.ts";
import { loadRunLimits, type RunLimitsConfig } from "./limits/limits-config.ts";

/** Everything agent-service reads from its environment, checked once at start-up. */
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
}

/** How agent-service talks to LiteLLM: bounded retries and timeouts. */
export interface LlmPolicy {
  /** Tries per model turn, the first included; retries happen only before any token streamed. */
  maxAttempts: number;
  /** First backoff delay; doubled on each retry (with jitter). */
  retryBaseMs: number;
  /** Upper bound of any wait between tries, Retry-After included. */
  retryMaxDelayMs: number;
  /** No response headers or no stream chunk for this long: the turn fails with a timeout. */
  idleTimeoutMs: number;
  /** GET /models gives up after this long. */
  modelsTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

export const DEFAULT_LLM_POLICY: LlmPolicy = {
  maxAttempts: 3,
  retryBaseMs: 500,
  retryMaxDelayMs: 10_000,
  idleTimeoutMs: 60_000,
  modelsTimeoutMs: 5_000,
};

export function loadConfig(env: Env = process.env): AgentServiceConfig {
  const baseUrl = (env.LITELLM_BASE_URL || "http://localhost:4000").replace(/\/+$/, "");
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http(s)");
  } catch {
    throw new TypeError(`LITELLM_BASE_URL must be an http:// or https:// URL, got "${baseUrl}"`);
  }
  return {
    port: intFromEnv(env, "PORT", 3001, { min: 0, max: 65_535 }),
    host: env.HOST || "0.0.0.0",
    dataDir: env.DATA_DIR || "./data",
    databaseUrl: env.DATABASE_URL || undefined,
    litellmBaseUrl: baseUrl,
    litellmMasterKey: env.LITELLM_MASTER_KEY || undefined,
    modelsCacheSeconds: intFromEnv(env, "MODELS_CACHE_SECONDS", 30, { min: 0, max: 86_400 }),
    llm: {
      maxAttempts: intFromEnv(env, "LLM_MAX_ATTEMPTS", DEFAULT_LLM_POLICY.maxAttempts, { min: 1, max: 10 }),
      retryBaseMs: intFromEnv(env, "LLM_RETRY_BASE_MS", DEFAULT_LLM_POLICY.retryBaseMs, { max: 60_000 }),
      retryMaxDelayMs: intFromEnv(env, "LLM_RETRY_MAX_DELAY_MS", DEFAULT_LLM_POLICY.retryMaxDelayMs, {
        max: 300_000,
      }),
      idleTimeoutMs: intFromEnv(env, "LLM_IDLE_TIMEOUT_MS", DEFAULT_LLM_POLICY.idleTimeoutMs, {
        min: 100,
        max: 3_600_000,
      }),
      modelsTimeoutMs: intFromEnv(env, "LLM_MODELS_TIMEOUT_MS", DEFAULT_LLM_POLICY.modelsTimeoutMs, {
        min: 100,
        max: 600_000,
      }),
    },
    logLevel: env.LOG_LEVEL || "info",
    limits: loadRunLimits(env),
    audit: loadAuditConfig(env),
    uploads: loadUploadBounds(env),
    clusterSweepMs: intFromEnv(env, "AGENT_CLUSTER_SWEEP_MS", 2_000, { min: 100, max: 60_000 }),
    identity: loadIdentityConfig(env),
  };
}
