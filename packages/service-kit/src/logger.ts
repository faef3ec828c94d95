import type { FastifyServerOptions } from "fastify";
import type { LoggerOptions } from "pino";
import { redactUrlTokens } from "./redact.ts";

export interface LoggerConfig {
  level?: string;
  /** Extra destination (tests capture log lines here). */
  stream?: { write(line: string): void };
}

/**
 * Any message string with a query in it is redacted like a request URL: Fastify's own messages may quote a
 * raw URL ("Route GET:/x?access-token=… not found" when a service has no not-found handler). For every
 * pino logger of ours (the services' and the built-in gateway's).
 */
export const redactingLogHooks: LoggerOptions["hooks"] = {
  logMethod(args, method) {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (typeof arg === "string" && arg.includes("?")) (args as unknown[])[i] = redactUrlTokens(arg);
    }
    method.apply(this, args);
  },
};

/**
 * Pino settings for every service. Requests are logged as method, redacted URL and address only: no
 * headers (Authorization, cookies) and no bodies (passwords) ever reach a log line. `redact` is a second
 * net for anything a handler logs by mistake.
 */
export function loggerOptions(config: LoggerConfig = {}): FastifyServerOptions["logger"] {
  return {
    level: config.level ?? process.env.LOG_LEVEL ?? "info",
    ...(config.stream ? { stream: config.stream } : {}),
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        "headers.authorization",
        "headers.cookie",
        "password",
        "*.password",
        "accessToken",
        "*.accessToken",
        "token",
        "*.token",
        "masterKey",
        "*.masterKey",
        "apiKey",
        "*.apiKey",
      ],
      censor: "[REDACTED]",
    },
    hooks: redactingLogHooks,
    serializers: {
      req(request: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) {
        return { method: request.method, url: redactUrlTokens(request.url), remoteAddress: request.ip };
      },
      res(reply: { statusCode: number }) {
        return { statusCode: reply.statusCode };
      },
    },
  };
}
