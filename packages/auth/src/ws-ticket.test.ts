import { describe, expect, it } from "vitest";
import { createSigner } from "./sign.ts";
import { mintRaw } from "./testing.ts";
import { createVerifier } from "./verify.ts";
import { createTicketSigner, createTicketVerifier, ticketFromQuery } from "./ws-ticket.ts";

const SECRET = "Ticket-Test-Secret-0123456789-ABCDEFGHIJ";
const AGENT = "6f1c1a52-3e0e-4b8e-9a57-5d0f3e0b2a11";
let clock = new Date("2026-11-28T12:00:00Z");
const now = () => clock;
const issue = createTicketSigner({ secret: SECRET, currentDate: now });
const verifyTicket = createTicketVerifier({ secret: SECRET, currentDate: now });
const verifyJwt = createVerifier({ secret: SECRET, currentDate: now, cacheSize: 0 });
const subject = {
  userId: 7,
  userName: "alice",
  email: "a@example.org",
  role: "REGULAR" as const,
  agentId: AGENT,
};

const code = (fn: () => unknown) => {
  try {
    fn();
    return "accepted";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
};

describe("WebSocket tickets", () => {
  it("verify with their claims, each with a fresh jti, valid for 30 s", () => {
    const a = issue(subject);
    const b = issue(subject);
    expect(a.claims.jti).not.toBe(b.claims.jti);
    expect(verifyTicket(a.ticket)).toEqual(a.claims);
    expect(a.claims).toMatchObject({ uid: 7, sub: "alice", role: "REGULAR", aid: AGENT, pur: "ws-ticket" });
    expect(a.claims.exp - a.claims.iat).toBe(30);
  });

  it("carry the expiry of the token they were issued for, so its socket can end with it", () => {
    const tokenExp = Math.floor(clock.getTime() / 1000) + 600;
    const a = issue({ ...subject, tokenExp });
    expect(verifyTicket(a.ticket).tex).toBe(tokenExp);
    expect(verifyTicket(issue(subject).ticket).tex).toBeUndefined();
  });

  it("expire (after the 5 s tolerance)", () => {
    const { ticket } = issue(subject);
    const start = clock;
    clock = new Date(start.getTime() + 34_000);
    expect(code(() => verifyTicket(ticket))).toBe("accepted");
    clock = new Date(start.getTime() + 36_000);
    expect(code(() => verifyTicket(ticket))).toBe("ERR_JWT_EXPIRED");
    clock = start;
  });

  it("are never user tokens, and user tokens are never tickets", () => {
    const { ticket } = issue(subject);
    expect(code(() => verifyJwt(ticket))).toBe("ERR_JWT_SIGNATURE_INVALID");
    const jwt = createSigner({ secret: SECRET, expiresInMinutes: 5, currentDate: now })({
      userName: "alice",
      userId: 7,
      role: "REGULAR",
    }).token;
    expect(code(() => verifyTicket(jwt))).toBe("ERR_JWT_SIGNATURE_INVALID");
    // even signed with the raw secret and carrying every ticket claim, a JWT is refused as a ticket
    const raw = mintRaw({ alg: "HS256", typ: "ws-ticket" }, issue(subject).claims, SECRET.toLowerCase());
    expect(code(() => verifyTicket(raw))).toBe("ERR_JWT_SIGNATURE_INVALID");
  });

  it("refuse another secret, a tampered payload, garbage", () => {
    const other = createTicketSigner({ secret: `${SECRET}-other`, currentDate: now })(subject).ticket;
    expect(code(() => verifyTicket(other))).toBe("ERR_JWT_SIGNATURE_INVALID");
    const [h, p, s] = issue(subject).ticket.split(".");
    const body = JSON.parse(Buffer.from(p!, "base64url").toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...body, uid: 8 })).toString("base64url")}.${s}`;
    expect(code(() => verifyTicket(forged))).toBe("ERR_JWT_SIGNATURE_INVALID");
    expect(code(() => verifyTicket("a.b.c"))).toBe("ERR_JWT_MALFORMED");
    expect(code(() => verifyTicket(42))).toBe("ERR_JWT_MALFORMED");
    expect(code(() => verifyTicket("x".repeat(5000)))).toBe("ERR_JWT_TOO_LARGE");
  });

  it("are read from the ticket query parameter", () => {
    expect(ticketFromQuery("/api/agents/x/react?ticket=abc&y=1")).toBe("abc");
    expect(ticketFromQuery("/api/agents/x/react?access-token=abc")).toBeUndefined();
    expect(ticketFromQuery("/api/agents/x/react")).toBeUndefined();
  });
});
