export { type AuthHookOptions, type AuthPolicy, installAuthHook, unauthorized } from "./auth-hook.ts";
export {
  ConfigError,
  deprecationWarnings,
  type Env,
  type EnvProblem,
  expectedOf,
  parseEnv,
  Var,
  type VarDoc,
} from "./env-schema.ts";
export { type ErrorHandlingOptions, HttpError, installErrorHandling } from "./errors.ts";
export { type LoggerConfig, loggerOptions, redactingLogHooks } from "./logger.ts";
export {
  Counter,
  Gauge,
  Histogram,
  installMetrics,
  METRICS_PATH,
  type MetricsOptions,
  Registry,
  type ServiceMetrics,
  UNMATCHED_ROUTE,
} from "./metrics.ts";
export {
  installProbes,
  LIVENESS_PATH,
  type Probes,
  type ProbesOptions,
  READINESS_PATH,
  type ReadinessCheck,
} from "./probes.ts";
export { redactUrlTokens } from "./redact.ts";
export {
  TRUSTED_PROXIES_EXPECTED,
  TRUSTED_PROXIES_FORMAT,
  trustedProxiesVar,
  trustedProxyEntries,
} from "./trusted-proxies.ts";
