import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { ConfigError, deprecationWarnings, parseEnv, Var } from "./env-schema.ts";
import { trustedProxiesVar, trustedProxyEntries } from "./trusted-proxies.ts";

const Schema = Type.Object({
  PORT: Var.int({ default: 8080, maximum: 65_535, description: "port" }),
  LEVEL: Var.oneOf(["info", "debug"], { default: "info", description: "level" }),
  SIZE: Var.string({
    default: "1GB",
    pattern: "^\\d+GB$",
    expected: "a size such as 2GB",
    description: "size",
  }),
  KEY: Type.Optional(Var.string({ minLength: 16, secret: true, description: "key" })),
  PROXIES: trustedProxiesVar({ default: "loopback", description: "proxies" }),
  OLD_NAME: Type.Optional(Var.string({ replacedBy: "PROXIES", description: "old" })),
});

describe("parseEnv", () => {
  it("gives the defaults for unset and empty variables, and leaves optional ones undefined", () => {
    expect(parseEnv(Schema, { PORT: "", LEVEL: undefined })).toEqual({
      PORT: 8080,
      LEVEL: "info",
      SIZE: "1GB",
      PROXIES: "loopback",
    });
  });

  it("reads numbers as numbers and checks every keyword of the schema", () => {
    const values = parseEnv(Schema, { PORT: "0", LEVEL: "debug", SIZE: "2GB", KEY: "k".repeat(16) });
    expect(values).toMatchObject({ PORT: 0, LEVEL: "debug", SIZE: "2GB", KEY: "k".repeat(16) });
    const bad = (env: Record<string, string>) => () => parseEnv(Schema, env);
    expect(bad({ PORT: "1.5" })).toThrow('PORT must be a whole number from 0 to 65535, got "1.5"');
    expect(bad({ PORT: "65536" })).toThrow(/PORT must be a whole number/);
    expect(bad({ PORT: "eighty" })).toThrow(/PORT/);
    expect(bad({ LEVEL: "loud" })).toThrow('LEVEL must be one of info, debug, got "loud"');
    expect(bad({ SIZE: "lots" })).toThrow('SIZE must be a size such as 2GB, got "lots"');
    expect(bad({ PROXIES: "10.0.0.0/33" })).toThrow(/PROXIES must be "none", or a comma-separated list/);
  });

  it("names every variable at fault at once, and never echoes a secret", () => {
    let error: unknown;
    try {
      parseEnv(Schema, { PORT: "-1", KEY: "short-secret" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.name)).toEqual(["PORT", "KEY"]);
    expect((error as ConfigError).message).toContain("KEY must be at least 16 characters");
    expect((error as ConfigError).message).not.toContain("short-secret");
  });

  it("warns about a deprecated name only when it is set", () => {
    expect(deprecationWarnings(Schema, {})).toEqual([]);
    expect(deprecationWarnings(Schema, { OLD_NAME: "x" })).toEqual([
      expect.stringMatching(/^OLD_NAME is deprecated .*set PROXIES instead/),
    ]);
  });
});

describe("trustedProxyEntries (TRUSTED_PROXIES)", () => {
  it("reads none, addresses, CIDR ranges and loopback", () => {
    expect(trustedProxyEntries("none")).toEqual([]);
    expect(trustedProxyEntries(" loopback , 10.0.0.0/8,::1, fd00::/8 ")).toEqual([
      "loopback",
      "10.0.0.0/8",
      "::1",
      "fd00::/8",
    ]);
  });

  it("refuses anything else", () => {
    for (const value of [
      "",
      ",",
      "true",
      "example.com",
      "10.0.0.0/33",
      "::/129",
      "10.0.0.1/8/1",
      "none,loopback",
    ]) {
      expect(trustedProxyEntries(value), value).toBeUndefined();
    }
  });
});
