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
