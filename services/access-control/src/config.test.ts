import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

const SECRET = "config-test-secret-0123456789abcdef0123456789";
const dir = () => mkdtempSync(join(tmpdir(), "ac-config-"));

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const dataDir = dir();
    const c = loadConfig({ DATA_DIR: dataDir, AUTH_JWT_SECRET: SECRET });
    expect(c).toMatchObject({
      port: 9096,
      host: "127.0.0.1",
      dataDir,
      jwt: { secret: SECRET, source: "AUTH_JWT_SECRET", generated: false, expirationMinutes: 60 },
      logLevel: "info",
      authorizeLogLevel: "warn",
      trustProxy: "loopback",
      tokenCacheSize: 10_000,
      directory: { refreshMs: 1000, maxStalenessMs: 5000 },
      loginLimits: {
        windowMs: 300_000,
        perNameAndAddress: 10,
        perAddress: 50,
        slowAfterPerName: 10,
        slowDelayMs: 1000,
      },
      scrypt: { logN: 15, r: 8, p: 1 },
    });
    expect(c.databaseUrl).toBeUndefined();
  });

  it("reads every variable", () => {
    const c = loadConfig({
      DATA_DIR: dir(),
      AUTH_JWT_SECRET: SECRET,
      PORT: "1234",
      HOST: "0.0.0.0",
      DATABASE_URL: "postgres://u@h/d",
      AUTH_JWT_EXPIRATION_MINUTES: "15",
      DIRECTORY_REFRESH_MS: "200",
      DIRECTORY_MAX_STALENESS_MS: "2000",
      LOGIN_MAX_ATTEMPTS_PER_USER_AND_ADDRESS: "3",
      LOGIN_MAX_ATTEMPTS_PER_ADDRESS: "7",
      LOGIN_SLOW_AFTER_FAILURES_PER_USER: "4",
      LOGIN_SLOW_DELAY_MS: "250",
      LOGIN_RATE_WINDOW_SECONDS: "60",
      TRUSTED_PROXIES: "10.0.0.0/8, loopback",
      PASSWORD_SCRYPT_LOG_N: "12",
      TOKEN_CACHE_SIZE: "0",
      LOG_LEVEL: "debug",
      AUTHORIZE_LOG_LEVEL: "info",
    });
    expect(c).toMatchObject({
      port: 1234,
      host: "0.0.0.0",
      databaseUrl: "postgres://u@h/d",
      jwt: { expirationMinutes: 15 },
      directory: { refreshMs: 200, maxStalenessMs: 2000 },
      loginLimits: {
        windowMs: 60_000,
        perNameAndAddress: 3,
        perAddress: 7,
        slowAfterPerName: 4,
        slowDelayMs: 250,
      },
      trustProxy: "10.0.0.0/8,loopback",
      scrypt: { logN: 12 },
      tokenCacheSize: 0,
      logLevel: "debug",
      authorizeLogLevel: "info",
    });
  });

  it("reads TRUSTED_PROXIES as agent-service does, and TRUST_PROXY as before with a warning", () => {
    const base = { DATA_DIR: dir(), AUTH_JWT_SECRET: SECRET };
    expect(loadConfig(base)).toMatchObject({ trustProxy: "loopback", warnings: [] });
    expect(loadConfig({ ...base, TRUSTED_PROXIES: "none" }).trustProxy).toBe(false);
    expect(() => loadConfig({ ...base, TRUSTED_PROXIES: "true" })).toThrow(
      /TRUSTED_PROXIES must be "none", or/,
    );
    expect(() => loadConfig({ ...base, TRUSTED_PROXIES: "10.0.0.0/40" })).toThrow(/TRUSTED_PROXIES/);
    // the deprecated name keeps its old meaning: true, false, or a list handed to Fastify
    for (const [value, trustProxy] of [
      ["true", true],
      ["false", false],
      ["10.0.0.0/8", "10.0.0.0/8"],
    ] as const) {
      const c = loadConfig({ ...base, TRUST_PROXY: value });
      expect(c.trustProxy).toBe(trustProxy);
      expect(c.warnings).toEqual([expect.stringMatching(/TRUST_PROXY is deprecated.*TRUSTED_PROXIES/)]);
    }
    expect(() => loadConfig({ ...base, TRUST_PROXY: "true", TRUSTED_PROXIES: "none" })).toThrow(
      /TRUST_PROXY and TRUSTED_PROXIES are both set/,
    );
  });

  it("takes the secret and the token lifetime from Texera's auth.conf", () => {
    const conf = join(dir(), "auth.conf");
    writeFileSync(
      conf,
      `auth {\n  jwt {\n    expiration-in-minutes = 90\n    256-bit-secret = "${SECRET}"\n  }\n}\n`,
    );
    const c = loadConfig({ DATA_DIR: dir(), AUTH_CONF_PATH: conf, AUTH_JWT_EXPIRATION_MINUTES: "5" });
    expect(c.jwt).toMatchObject({ secret: SECRET, expirationMinutes: 90 });
  });

  it("generates a secret once in DATA_DIR when none is configured", () => {
    const dataDir = dir();
    const first = loadConfig({ DATA_DIR: dataDir });
    expect(first.jwt.generated).toBe(true);
    expect(statSync(join(dataDir, "jwt-secret")).mode & 0o777).toBe(0o600);
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(second.jwt).toMatchObject({ secret: first.jwt.secret, generated: false });
    expect(readFileSync(join(dataDir, "jwt-secret"), "utf8").trim()).toBe(first.jwt.secret);
  });

  it("takes a relative DATA_DIR from where npm was started", () => {
    const c = loadConfig({ DATA_DIR: "rel", INIT_CWD: "/srv/app", AUTH_JWT_SECRET: SECRET });
    expect(c.dataDir).toBe("/srv/app/rel");
  });

  it("names the variable at fault", () => {
    const base = { DATA_DIR: dir(), AUTH_JWT_SECRET: SECRET };
    expect(() => loadConfig({ ...base, PORT: "http" })).toThrow(/PORT/);
    expect(() => loadConfig({ ...base, DIRECTORY_REFRESH_MS: "9000" })).toThrow(/DIRECTORY_REFRESH_MS/);
    expect(() =>
      loadConfig({ ...base, DIRECTORY_REFRESH_MS: "2000", DIRECTORY_MAX_STALENESS_MS: "1000" }),
    ).toThrow(/DIRECTORY_MAX_STALENESS_MS/);
    expect(() => loadConfig({ ...base, LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ ...base, METRICS_TOKEN: "too-short" })).toThrow(
      /METRICS_TOKEN must be at least 16/,
    );
    expect(() => loadConfig({ ...base, PASSWORD_SCRYPT_LOG_N: "30" })).toThrow(/PASSWORD_SCRYPT_LOG_N/);
    expect(() => loadConfig({ DATA_DIR: dir(), AUTH_JWT_SECRET: "short" })).toThrow(/32 bytes/);
    expect(() => loadConfig({ DATA_DIR: dir(), AUTH_JWT_SECRET: "random" })).toThrow(/random/);
    // the old limit names meant something else (a per-name lockout): a deployment setting one is told
    expect(() => loadConfig({ ...base, LOGIN_MAX_FAILURES_PER_USER: "5" })).toThrow(
      /LOGIN_MAX_ATTEMPTS_PER_USER_AND_ADDRESS/,
    );
  });
});
