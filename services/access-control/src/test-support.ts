/** Shared set-up of the service's tests (not shipped in index.ts). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSigner, type Role } from "@texera-agent/auth";
import type { LoggerConfig } from "@texera-agent/service-kit";
import type { InjectOptions } from "fastify";
import type { AccessControlConfig } from "./config.ts";
import { type AccessControl, createAccessControl } from "./service.ts";

export const SECRET = "access-control-test-secret-0123456789abcdef";
export const OTHER_SECRET = "some-other-deployment-secret-0123456789abcdef";
export const PASSWORD = "correct horse battery";

export function testConfig(overrides: Partial<AccessControlConfig> = {}): AccessControlConfig {
  return {
    port: 0,
    host: "127.0.0.1",
    dataDir: mkdtempSync(join(tmpdir(), "access-control-")),
    jwt: { secret: SECRET, source: "test", generated: false, expirationMinutes: 60 },
    logLevel: "silent",
    authorizeLogLevel: "warn",
    trustProxy: "loopback",
    tokenCacheSize: 1000,
    directory: { refreshMs: 1000, maxStalenessMs: 5000 },
    loginLimits: {
      windowMs: 300_000,
      perNameAndAddress: 10,
      perAddress: 50,
      slowAfterPerName: 10,
      slowDelayMs: 0,
    },
    // cheap on purpose: production uses logN 15
    scrypt: { logN: 4, r: 8, p: 1 },
    ...overrides,
  };
}

export interface TestServiceOptions {
  config?: Partial<AccessControlConfig>;
  databaseUrl?: string;
  now?: () => Date;
  logger?: LoggerConfig | false;
}

export function startTestService(options: TestServiceOptions = {}): Promise<AccessControl> {
  const config = testConfig(options.config);
  if (options.databaseUrl) config.databaseUrl = options.databaseUrl;
  return createAccessControl(config, { logger: options.logger ?? false, now: options.now });
}

export interface TokenOptions {
  userId?: number;
  name?: string;
  email?: string;
  secret?: string;
  minutes?: number;
  now?: () => Date;
}

/** A token as Texera (or this service) would mint it. */
export function mint(role: Role, options: TokenOptions = {}): string {
  const sign = createSigner({
    secret: options.secret ?? SECRET,
    expiresInMinutes: options.minutes ?? 60,
    currentDate: options.now,
  });
  return sign({
    userName: options.name ?? "someone",
    userId: options.userId ?? 9999,
    role,
    ...(options.email === undefined ? {} : { email: options.email }),
  }).token;
}

export type Method = "GET" | "POST" | "PATCH" | "DELETE" | "OPTIONS" | "PUT" | "HEAD";
export type Style = "nginx" | "envoy";

/** The gateway's subrequest for an original request `method originalUri`, as nginx or Envoy sends it. */
export function subrequest(
  style: Style,
  method: Method,
  originalUri: string,
  headers: Record<string, string> = {},
): InjectOptions {
  // a body the subrequest may carry must never be parsed: send one that is not even valid JSON
  const body = method === "GET" || method === "HEAD" ? {} : { payload: "{not json", contentType: true };
  const all = { ...headers, ...(body.contentType ? { "content-type": "application/json" } : {}) };
  if (style === "nginx") {
    return {
      method,
      url: "/api/auth",
      headers: { ...all, "x-original-uri": originalUri, "x-original-method": method },
      ...("payload" in body ? { payload: body.payload } : {}),
    };
  }
  return {
    method,
    url: `/api/auth${originalUri}`,
    headers: all,
    ...("payload" in body ? { payload: body.payload } : {}),
  };
}
