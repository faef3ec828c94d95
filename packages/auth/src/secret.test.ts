import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SecretConfigError } from "./errors.ts";
import { parseHocon } from "./hocon.ts";
import { resolveJwtSecret } from "./secret.ts";

const STRONG = "0123456789abcdef0123456789abcdef";
const tmp = () => mkdtempSync(join(tmpdir(), "auth-secret-"));

const TEXERA_AUTH_CONF = `
# Texera's auth.conf
auth {
    jwt {
        expiration-in-minutes = 15
        256-bit-secret = random
        256-bit-secret = \${?AUTH_JWT_SECRET_FROM_CONF}
    }
}
`;

describe("resolveJwtSecret", () => {
  it("takes AUTH_JWT_SECRET first", () => {
    const path = join(tmp(), "auth.conf");
    writeFileSync(path, TEXERA_AUTH_CONF);
    const r = resolveJwtSecret({ env: { AUTH_JWT_SECRET: STRONG, AUTH_CONF_PATH: path }, dataDir: tmp() });
    expect(r).toMatchObject({ secret: STRONG, source: "AUTH_JWT_SECRET", expirationMinutes: 15 });
  });

  it("reads auth.jwt.256-bit-secret and the expiration from Texera's auth.conf", () => {
    const dir = tmp();
    const path = join(dir, "auth.conf");
    writeFileSync(path, TEXERA_AUTH_CONF);
    const r = resolveJwtSecret({ env: { AUTH_CONF_PATH: path, AUTH_JWT_SECRET_FROM_CONF: STRONG } });
    expect(r).toMatchObject({ secret: STRONG, expirationMinutes: 15 });
  });

  it("refuses the value random with a clear message", () => {
    const dir = tmp();
    const path = join(dir, "auth.conf");
    writeFileSync(path, TEXERA_AUTH_CONF);
    expect(() => resolveJwtSecret({ env: { AUTH_CONF_PATH: path } })).toThrow(/"random"/);
    expect(() => resolveJwtSecret({ env: { AUTH_JWT_SECRET: "RANDOM" } })).toThrow(SecretConfigError);
  });

  it("refuses a secret under 32 bytes", () => {
    expect(() => resolveJwtSecret({ env: { AUTH_JWT_SECRET: "short-secret" } })).toThrow(
      /12 bytes.*at least 32/,
    );
  });

  it("explains an unreadable or invalid auth.conf", () => {
    expect(() => resolveJwtSecret({ env: { AUTH_CONF_PATH: "/nonexistent/auth.conf" } })).toThrow(
      /cannot read/,
    );
    const path = join(tmp(), "auth.conf");
    writeFileSync(path, "auth { jwt { x = 1 }");
    expect(() => resolveJwtSecret({ env: { AUTH_CONF_PATH: path } })).toThrow(/not valid HOCON/);
  });

  it("fails closed without any configuration or data folder", () => {
    expect(() => resolveJwtSecret({ env: {} })).toThrow(/AUTH_JWT_SECRET/);
  });

  it("generates a secret once under the data folder and reuses it", () => {
    const dir = tmp();
    const first = resolveJwtSecret({ env: {}, dataDir: dir });
    expect(first.generated).toBe(true);
    expect(first.secret).toHaveLength(64);
    expect(statSync(join(dir, "jwt-secret")).mode & 0o777).toBe(0o600);
    const second = resolveJwtSecret({ env: {}, dataDir: dir });
    expect(second).toMatchObject({ secret: first.secret, generated: false });
    expect(readFileSync(join(dir, "jwt-secret"), "utf8").trim()).toBe(first.secret);
  });
});

describe("parseHocon", () => {
  it("reads nested blocks, dotted keys, quotes, comments and substitutions", () => {
    const conf = parseHocon(
      `a { b = "x # not a comment" // comment
         c: 3 }
       a.d.e = bare value
       f = \${?UNSET}
       f = \${SET}`,
      { SET: "yes" },
    );
    expect(conf).toEqual({ a: { b: "x # not a comment", c: "3", d: { e: "bare value" } }, f: "yes" });
  });

  it("reports what it cannot read", () => {
    expect(() => parseHocon("a = [1, 2]")).toThrow(/arrays/);
    expect(() => parseHocon(`a = \${MISSING}`)).toThrow(/MISSING/);
    expect(() => parseHocon("}")).toThrow(/unexpected/);
  });
});
