import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** Identity headers the gateway sets from the authorize answer (packages/protocol USER_HEADERS). */
export const IDENTITY_HEADERS = ["x-user-id", "x-user-name", "x-user-email", "x-user-role"] as const;

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Headers to send upstream: hop-by-hop headers and every client-sent `x-user-*` header dropped (only the
 * authorize answer may say who the caller is), forwarding headers added.
 */
export function upstreamHeaders(
  headers: IncomingHttpHeaders,
  remoteAddress: string | undefined,
  identity: Record<string, string> = {},
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith("x-user-")) continue;
    out[name] = value;
  }
  const prior = headers["x-forwarded-for"];
  const forwardedFor = Array.isArray(prior) ? prior.join(", ") : prior;
  if (remoteAddress)
    out["x-forwarded-for"] = forwardedFor ? `${forwardedFor}, ${remoteAddress}` : remoteAddress;
  out["x-forwarded-proto"] = "http";
  for (const [name, value] of Object.entries(identity)) out[name] = value;
  return out;
}

/** Response headers to pass back to the client: hop-by-hop headers dropped (Node writes its own framing). */
export function downstreamHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/** The identity headers of an authorize answer; the ones that are absent or empty are left out. */
export function identityFrom(headers: IncomingHttpHeaders): Record<string, string> {
  const identity: Record<string, string> = {};
  for (const name of IDENTITY_HEADERS) {
    const value = headers[name];
    if (typeof value === "string" && value !== "") identity[name] = value;
  }
  return identity;
}
