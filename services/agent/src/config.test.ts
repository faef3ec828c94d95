import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_LLM_POLICY, loadConfig } from "./config.ts";

const SECRET = "agent-config-test-secret-0123456789abcdef";
const base = () => ({ DATA_DIR: mkdtempSync(join(tmpdir(), "agent-config-")), AUTH_JWT_SECRET: SECRET });

describe("loadConfig", () => {
  it("has the documented defaults, and hands each part its values from the one schema", () => {
    const env = base();
    const c = loadConfig(env);
    expect(c).toMatchObject({
      port: 3001,
      host: "0.0.0.0",
      dataDir: env.DATA_DIR,
      litellmBaseUrl: "http://localhost:4000",
      llm: DEFAULT_LLM_POLICY,
      logLevel: "info",
      audit: { prompts: false, trustedProxies: undefined },
      uploads: { idleMs: 30_000, timeoutMs: 600_000 },
      limits: { maxConcurrentRunsPerUser: 2, maxRunsPerMinutePerUser: 10 },
      identity: { directoryUrl: `sqlite:${join(env.DATA_DIR, "access-control.sqlite")}`, refreshMs: 1000 },
      engine: { dataDir: env.DATA_DIR, memoryLimit: "1GB", threads: 2, maxDatasetBytes: 100 * 1024 * 1024 },
      metricsToken: undefined,
      jwt: { secret: SECRET, source: "AUTH_JWT_SECRET", generated: false },
    });
    expect(DEFAULT_LLM_POLICY).toEqual({
      maxAttempts: 3,
      retryBaseMs: 500,
      retryMaxDelayMs: 10_000,
      retryTotalWaitMs: 30_000,
      idleTimeoutMs: 60_000,
      firstChunkTimeoutMs: 600_000,
      contextWindowTokens: 128_000,
      modelsTimeoutMs: 5_000,
    });
  });

  it("reads TRUSTED_PROXIES with the same syntax as access-control-service", () => {
    expect(loadConfig({ ...base(), TRUSTED_PROXIES: "loopback, 10.0.0.0/8" }).audit.trustedProxies).toBe(
      "loopback, 10.0.0.0/8",
    );
    expect(loadConfig({ ...base(), TRUSTED_PROXIES: "none" }).audit.trustedProxies).toBeUndefined();
    expect(() => loadConfig({ ...base(), TRUSTED_PROXIES: "gateway.local" })).toThrow(
      /TRUSTED_PROXIES must be "none", or a comma-separated list/,
    );
  });

  it("stops start-up naming every variable at fault, without echoing secrets", () => {
    let message = "";
    try {
      loadConfig({ ...base(), PORT: "http", AUDIT_PROMPTS: "yes", METRICS_TOKEN: "short-token" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/PORT must be a whole number from 0 to 65535, got "http"/);
    expect(message).toMatch(/AUDIT_PROMPTS must be one of 0, 1, false, true, got "yes"/);
    expect(message).toMatch(/METRICS_TOKEN must be at least 16 characters/);
    expect(message).not.toContain("short-token");
    expect(() => loadConfig({ ...base(), LITELLM_BASE_URL: "ftp://x" })).toThrow(/LITELLM_BASE_URL/);
    expect(() => loadConfig({ ...base(), LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
    expect(() =>
      loadConfig({ ...base(), DIRECTORY_REFRESH_MS: "2000", DIRECTORY_MAX_STALENESS_MS: "1000" }),
    ).toThrow(/DIRECTORY_MAX_STALENESS_MS must be a whole number from 2000/);
  });
});
