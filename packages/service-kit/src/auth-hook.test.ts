import { createSigner, createVerifier, type Role } from "@texera-agent/auth";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { installAuthHook } from "./auth-hook.ts";
import { installErrorHandling } from "./errors.ts";
import { redactUrlTokens } from "./redact.ts";

const secret = "service-kit-test-secret-0123456789abcdef";
const sign = createSigner({ secret, expiresInMinutes: 5 });
const token = (role: Role) => sign({ userName: "u", userId: 1, role }).token;

async function app() {
  const a = Fastify();
  installErrorHandling(a);
  installAuthHook(a, { verify: createVerifier({ secret }) });
  a.get("/open", { config: { auth: "open" } }, async () => ({ ok: true }));
  a.get("/closed", async (req) => ({ user: req.user?.sub }));
  a.get("/admin", { config: { auth: "admin" } }, async () => ({ ok: true }));
  a.get("/ws", { config: { queryToken: true } }, async () => ({ ok: true }));
  return a;
}

describe("installAuthHook", () => {
  it("lets open routes through and closes the rest by default", async () => {
    const a = await app();
    expect((await a.inject("/open")).statusCode).toBe(200);
    const r = await a.inject("/closed");
    expect(r.statusCode).toBe(401);
    expect(r.headers["www-authenticate"]).toBe("Bearer");
    expect(r.json().error).toMatch(/bearer token/);
  });

  it("applies role rules", async () => {
    const a = await app();
    const get = (url: string, role: Role) =>
      a.inject({ url, headers: { authorization: `Bearer ${token(role)}` } });
    expect((await get("/closed", "REGULAR")).json()).toEqual({ user: "u" });
    expect((await get("/closed", "INACTIVE")).statusCode).toBe(403);
    expect((await get("/closed", "RESTRICTED")).statusCode).toBe(403);
    expect((await get("/admin", "REGULAR")).statusCode).toBe(403);
    expect((await get("/admin", "ADMIN")).statusCode).toBe(200);
  });

  it("takes the query token only where the route allows it", async () => {
    const a = await app();
    expect((await a.inject(`/ws?access-token=${token("REGULAR")}`)).statusCode).toBe(200);
    expect((await a.inject(`/closed?access-token=${token("REGULAR")}`)).statusCode).toBe(401);
  });

  it("answers 404 in JSON for unknown routes", async () => {
    const a = await app();
    const r = await a.inject("/nope?access-token=abc");
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toBe("no such route: GET /nope");
  });
});

describe("redactUrlTokens", () => {
  it("hides token query values", () => {
    expect(redactUrlTokens("/a?x=1&access-token=abc.def.ghi&y=2")).toBe("/a?x=1&access-token=[REDACTED]&y=2");
  });
});
