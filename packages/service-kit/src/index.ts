export { type AuthHookOptions, type AuthPolicy, installAuthHook, unauthorized } from "./auth-hook.ts";
export { intFromEnv } from "./env.ts";
export { HttpError, installErrorHandling } from "./errors.ts";
export { type LoggerConfig, loggerOptions } from "./logger.ts";
export { redactUrlTokens } from "./redact.ts";
