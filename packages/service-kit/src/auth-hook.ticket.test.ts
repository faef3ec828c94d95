import { createSigner, createTicketSigner, createTicketVerifier, createVerifier } from "@texera-agent/auth";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { installAuthHook } from "./auth-hook.ts";
import { installErrorHandling } from "./errors.ts";

const secret = "service-kit-test-secret-0123456789abcdef";
const AGENT = "6f1c1a52-3e0e-4b8e-9a57-5d0f3e0b2a11";
const jwt = createSigner({ secret, expiresInMinutes: 5 })({
  userName: "u",
  userId: 1,
  role: "REGULAR",
}).token;
const issue = createTicketSigner({ secret });
const ticketFor = (role: "REGULAR" | "RESTRICTED" = "REGULAR") =>
  issue({ userName: "u", userId: 1, role, agentId: AGENT }).ticket;

async function app() {
  const a = Fastify();
  installErrorHandling(a);
  const verifyTicket = createTicketVerifier({ secret });
  installAuthHook(a, {
    verify: createVerifier({ secret }),
    verifyTicket: (ticket) => {
      const c = verifyTicket(ticket);
      return { sub: c.sub, userId: c.uid, role: c.role, exp: c.exp };
    },
  });
  a.get("/ws", { config: { ticket: true, queryToken: true } }, async (req) => ({ user: req.user?.sub }));
  a.get("/rest", async (req) => ({ user: req.user?.sub }));
  return a;
}

describe("installAuthHook with tickets", () => {
  it("accepts a ticket only on routes that declare it", async () => {
    const a = await app();
    expect((await a.inject(`/ws?ticket=${ticketFor()}`)).json()).toEqual({ user: "u" });
    expect((await a.inject(`/rest?ticket=${ticketFor()}`)).statusCode).toBe(401);
  });

  it("never takes a ticket as a bearer token, nor a JWT as a ticket", async () => {
    const a = await app();
    const asBearer = await a.inject({ url: "/rest", headers: { authorization: `Bearer ${ticketFor()}` } });
    expect(asBearer.statusCode).toBe(401);
    const jwtAsTicket = await a.inject(`/ws?ticket=${jwt}`);
    expect(jwtAsTicket.statusCode).toBe(401);
    expect(jwtAsTicket.json().error).toMatch(/ticket was refused/);
    // a refused ticket does not fall back to an access-token beside it
    expect((await a.inject(`/ws?ticket=${jwt}&access-token=${jwt}`)).statusCode).toBe(401);
    expect((await a.inject(`/ws?access-token=${jwt}`)).statusCode).toBe(200);
  });

  it("refuses a ticket beside a token, as access-control's authorize does (one identity per request)", async () => {
    const a = await app();
    const other = createSigner({ secret, expiresInMinutes: 5 })({ userName: "v", userId: 2, role: "ADMIN" });
    for (const res of [
      await a.inject(`/ws?ticket=${ticketFor()}&access-token=${other.token}`),
      await a.inject(`/ws?access-token=${other.token}&tick%65t=${ticketFor()}`),
      await a.inject({
        url: `/ws?ticket=${ticketFor()}`,
        headers: { authorization: `Bearer ${other.token}` },
      }),
      await a.inject({ url: `/rest?ticket=x`, headers: { authorization: `Bearer ${other.token}` } }),
    ]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatch(/either a WebSocket ticket or a token/);
    }
  });

  it("applies the role rules to a ticket's role", async () => {
    const a = await app();
    expect((await a.inject(`/ws?ticket=${ticketFor("RESTRICTED")}`)).statusCode).toBe(403);
  });
});
