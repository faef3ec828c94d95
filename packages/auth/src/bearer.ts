import { ticketFromQuery } from "./ws-ticket.ts";

/** `Authorization: Bearer <token>`, scheme in any letter case. Undefined when absent or another scheme. */
export function tokenFromAuthorization(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

/** The `access-token` query parameter of a request URI (browsers cannot set headers on a WebSocket). */
export function tokenFromQuery(uri: string): string | undefined {
  const q = uri.indexOf("?");
  if (q < 0) return undefined;
  const value = new URLSearchParams(uri.slice(q + 1)).get("access-token");
  return value ? value : undefined;
}

/** Header first, then the query parameter, as the gateway and agent-service both do. */
export function tokenFromRequest(
  authorization: string | string[] | undefined,
  uri: string,
): string | undefined {
  return tokenFromAuthorization(authorization) ?? tokenFromQuery(uri);
}

/** The credential a request carries, by the one rule access-control and agent-service both apply. */
export type Credential =
  | { kind: "token"; token: string; from: "header" | "query" }
  | { kind: "ticket"; ticket: string }
  | { kind: "none" }
  /** A WebSocket ticket together with a token: refused (401) by both services. */
  | { kind: "conflict" };

export const CREDENTIAL_CONFLICT =
  "send either a WebSocket ticket or a token (Authorization or access-token), not both";

const NONE: Credential = { kind: "none" };
const CONFLICT: Credential = { kind: "conflict" };

/**
 * `Authorization: Bearer` first, else the `access-token` query parameter, else the `ticket` query
 * parameter. A ticket beside either token is a conflict: the two could name different users, and a
 * gateway and a service that each picked another one would judge the request on different identities.
 */
export function credentialOf(authorization: string | string[] | undefined, uri: string): Credential {
  const header = tokenFromAuthorization(authorization);
  if (uri.indexOf("?") < 0) return header ? { kind: "token", token: header, from: "header" } : NONE;
  const ticket = ticketFromQuery(uri);
  const query = tokenFromQuery(uri);
  if (ticket && (header || query)) return CONFLICT;
  if (header) return { kind: "token", token: header, from: "header" };
  if (query) return { kind: "token", token: query, from: "query" };
  return ticket ? { kind: "ticket", ticket } : NONE;
}
