import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  ClaimInvalid,
  SignatureInvalid,
  TokenExpired,
  TokenMalformed,
  TokenNotYetValid,
  TokenTooLarge,
} from "./errors.ts";
import { isRole, type Role } from "./roles.ts";
import { keyFromSecret } from "./secret.ts";

/**
 * WebSocket tickets: short-lived, single-use credentials with which a browser opens
 * `GET /api/agents/<agentId>/react` instead of putting its long-lived JWT in the URL.
 *
 * A ticket is a compact HS256 JWS, but it can never pass as a user token nor a user token as a ticket:
 * - it is signed with a key derived from the shared secret (HMAC(secret, "ws-ticket/v1")), not the secret
 *   itself, so neither verifier accepts the other's signature;
 * - its header says `typ: "ws-ticket"` and its payload `pur: "ws-ticket"`, both checked;
 * - its claims have other names (`uid`, `aid`) than Texera's (`userId`), so even parsing it as a user
 *   token fails.
 * Single use is the consumer's job (agent-service keeps spent `jti`s until they expire).
 */
export const TICKET_PURPOSE = "ws-ticket";
export const TICKET_TTL_SEC = 30;
const MAX_TICKET_BYTES = 2048;
const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: TICKET_PURPOSE })).toString("base64url");
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JTI = /^[A-Za-z0-9_-]{16,64}$/;

export interface TicketClaims {
  pur: typeof TICKET_PURPOSE;
  /** user id */
  uid: number;
  /** user name */
  sub: string;
  email?: string;
  role: Role;
  /** the agent whose socket the ticket opens */
  aid: string;
  /** random id; a consumer accepts each at most once */
  jti: string;
  iat: number;
  /** seconds since the epoch */
  exp: number;
  /** when the token the ticket was issued for expires (seconds): a socket opened with it ends then */
  tex?: number;
}

export interface TicketSubject {
  userId: number;
  userName: string;
  email?: string;
  role: Role;
  agentId: string;
  /** The `exp` of the token that asked for the ticket. */
  tokenExp?: number;
}

export interface TicketOptions {
  /** The configured JWT secret, as an operator wrote it. */
  secret: string;
  currentDate?: () => Date;
  /** Lifetime of an issued ticket (default 30 s). */
  ttlSec?: number;
  /** Allowed clock skew on `exp` when verifying (default 5 s: services on different hosts). */
  clockToleranceSec?: number;
}

function ticketKey(secret: string): Buffer {
  return createHmac("sha256", keyFromSecret(secret)).update("ws-ticket/v1").digest();
}

function sign(key: Buffer, input: string): string {
  return createHmac("sha256", key).update(input).digest("base64url");
}

/** Issues tickets. */
export function createTicketSigner(
  options: TicketOptions,
): (subject: TicketSubject) => { ticket: string; claims: TicketClaims } {
  const ttl = options.ttlSec ?? TICKET_TTL_SEC;
  if (!(ttl > 0)) throw new TypeError("ttlSec must be > 0");
  const key = ticketKey(options.secret);
  const now = options.currentDate ?? (() => new Date());
  return (subject) => {
    if (!UUID.test(subject.agentId)) throw new TypeError("agentId must be a UUID");
    const iat = Math.floor(now().getTime() / 1000);
    const claims: TicketClaims = {
      pur: TICKET_PURPOSE,
      uid: subject.userId,
      sub: subject.userName,
      role: subject.role,
      aid: subject.agentId,
      jti: randomBytes(16).toString("base64url"),
      iat,
      exp: iat + ttl,
    };
    if (subject.email !== undefined) claims.email = subject.email;
    if (subject.tokenExp !== undefined) claims.tex = subject.tokenExp;
    const input = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
    return { ticket: `${input}.${sign(key, input)}`, claims };
  };
}

/** Verifies a ticket's form, signature, purpose, claims and expiry. Does not consume it. */
export function createTicketVerifier(options: TicketOptions): (ticket: unknown) => TicketClaims {
  const key = ticketKey(options.secret);
  const now = options.currentDate ?? (() => new Date());
  const tolerance = options.clockToleranceSec ?? 5;
  return (ticket) => {
    if (typeof ticket !== "string") throw new TokenMalformed("the ticket must be a string");
    if (ticket.length > MAX_TICKET_BYTES) throw new TokenTooLarge(MAX_TICKET_BYTES);
    if (!COMPACT.test(ticket)) throw new TokenMalformed("the ticket is not a well-formed WebSocket ticket");
    const dot = ticket.lastIndexOf(".");
    const expected = Buffer.from(sign(key, ticket.slice(0, dot)));
    const given = Buffer.from(ticket.slice(dot + 1));
    // the signature first: nothing of an unsigned ticket is read
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new SignatureInvalid();
    const [header, body] = ticket.split(".");
    if (header !== HEADER) throw new TokenMalformed("not a WebSocket ticket");
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body!, "base64url").toString("utf8"));
    } catch {
      throw new TokenMalformed("the ticket payload is not JSON");
    }
    const claims = parseTicketClaims(payload);
    const seconds = now().getTime() / 1000;
    if (seconds > claims.exp + tolerance) throw new TokenExpired();
    if (claims.iat > seconds + tolerance) throw new TokenNotYetValid();
    return claims;
  };
}

function parseTicketClaims(payload: unknown): TicketClaims {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    throw new ClaimInvalid("payload", "invalid");
  }
  const p = payload as Record<string, unknown>;
  if (p.pur !== TICKET_PURPOSE) throw new ClaimInvalid("pur", p.pur === undefined ? "missing" : "invalid");
  if (!Number.isSafeInteger(p.uid) || (p.uid as number) < 0) throw new ClaimInvalid("uid", "invalid");
  if (typeof p.sub !== "string" || p.sub.trim() === "") throw new ClaimInvalid("sub", "invalid");
  if (p.email !== undefined && typeof p.email !== "string") throw new ClaimInvalid("email", "invalid");
  if (!isRole(p.role)) throw new ClaimInvalid("role", "invalid");
  if (typeof p.aid !== "string" || !UUID.test(p.aid)) throw new ClaimInvalid("aid", "invalid");
  if (typeof p.jti !== "string" || !JTI.test(p.jti)) throw new ClaimInvalid("jti", "invalid");
  if (typeof p.iat !== "number" || !Number.isFinite(p.iat)) throw new ClaimInvalid("iat", "invalid");
  if (typeof p.exp !== "number" || !Number.isFinite(p.exp)) throw new ClaimInvalid("exp", "invalid");
  if (p.tex !== undefined && (typeof p.tex !== "number" || !Number.isFinite(p.tex))) {
    throw new ClaimInvalid("tex", "invalid");
  }
  const claims: TicketClaims = {
    pur: TICKET_PURPOSE,
    uid: p.uid as number,
    sub: p.sub,
    role: p.role,
    aid: p.aid,
    jti: p.jti,
    iat: p.iat,
    exp: p.exp,
  };
  if (p.email !== undefined) claims.email = p.email;
  if (p.tex !== undefined) claims.tex = p.tex as number;
  return claims;
}

/** The `ticket` query parameter of a request URI. */
export function ticketFromQuery(uri: string): string | undefined {
  const q = uri.indexOf("?");
  if (q < 0) return undefined;
  const value = new URLSearchParams(uri.slice(q + 1)).get("ticket");
  return value ? value : undefined;
}
