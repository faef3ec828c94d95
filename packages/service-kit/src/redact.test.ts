import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { loggerOptions } from "./logger.ts";
import { redactUrlTokens } from "./redact.ts";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

describe("redactUrlTokens", () => {
  it("hides token query values and keeps the rest", () => {
    expect(redactUrlTokens("/a?x=1&access-token=abc.def.ghi&y=2")).toBe("/a?x=1&access-token=[REDACTED]&y=2");
    expect(redactUrlTokens("/a/b")).toBe("/a/b");
    expect(redactUrlTokens("/a?x=1&model=gpt")).toBe("/a?x=1&model=gpt");
  });

  // The services read parameters through URLSearchParams, which decodes names: `access%2Dtoken` IS
  // `access-token` to them, so it must be to the log as well.
  it.each([
    "access-token",
    "access%2Dtoken",
    "access%2dtoken",
    "%61ccess-token",
    "ACCESS-TOKEN",
    "access_token",
    "token",
    "t%6Fken",
    "ticket",
    "tick%65t",
    "%74%69%63%6B%65%74",
    "ticket+",
    "api_key",
    "password",
  ])("hides the value of %s", (name) => {
    const out = redactUrlTokens(`/api/agents/1/react?x=1&${name}=${TOKEN}&y=2`);
    expect(out).not.toContain(TOKEN);
    expect(out).toContain(`&${name}=[REDACTED]&y=2`);
  });

  it("hides a value that runs past a '#', as the services' parsers read it", () => {
    expect(redactUrlTokens(`/a?access-token=${TOKEN.slice(0, 10)}#${TOKEN.slice(10)}`)).toBe(
      "/a?access-token=[REDACTED]",
    );
  });
});

describe("the services' request log lines", () => {
  it("never hold a token sent under an encoded parameter name", async () => {
    const lines: string[] = [];
    const app = Fastify({
      logger: loggerOptions({ level: "trace", stream: { write: (l) => void lines.push(l) } }),
    });
    app.get("/react", async () => ({ ok: true }));
    for (const name of ["access%2Dtoken", "tick%65t", "ACCESS%2dTOKEN"]) {
      expect((await app.inject(`/react?${name}=${TOKEN}`)).statusCode).toBe(200);
      expect((await app.inject(`/nowhere?${name}=${TOKEN}`)).statusCode).toBe(404);
    }
    await app.close();
    const log = lines.join("");
    expect(log).toContain("tick%65t=[REDACTED]");
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(TOKEN.slice(-12));
  });
});
