/** The subrequest prefix: nginx calls it exactly, Envoy appends the original path to it. */
export const AUTHORIZE_PREFIX = "/api/auth";

/** Longest original URI considered; nginx and Envoy refuse longer request lines anyway. */
export const MAX_ORIGINAL_URI = 16 * 1024;

/**
 * The original request's URI. Envoy ext_authz appends the original path (with its query) to the prefix,
 * so a subrequest path that continues with `/api/` carries it, and then client-supplied X-Original-*
 * headers (which Envoy may pass through) are ignored. Otherwise nginx's `X-Original-URI` is used; failing
 * both, whatever follows the prefix (which is then judged like any other path).
 */
export function originalUriOf(requestUrl: string, xOriginalUri: string | string[] | undefined): string {
  const rest = requestUrl.startsWith(AUTHORIZE_PREFIX) ? requestUrl.slice(AUTHORIZE_PREFIX.length) : "";
  if (rest.startsWith("/api/")) return rest;
  if (typeof xOriginalUri === "string" && xOriginalUri !== "") return xOriginalUri;
  return rest;
}

/**
 * The original method: the subrequest's own when Envoy appended the original path (it keeps the method),
 * else nginx's `X-Original-Method`, else the subrequest's own.
 */
export function originalMethodOf(
  requestUrl: string,
  method: string,
  xOriginalMethod: string | string[] | undefined,
): string {
  if (requestUrl.startsWith(`${AUTHORIZE_PREFIX}/api/`)) return method;
  return typeof xOriginalMethod === "string" && xOriginalMethod !== "" ? xOriginalMethod : method;
}

export type PathClass = "agents" | "other" | "refused";

const AGENTS = "/api/agents";
// After the prefix: segments of RFC 3986 path characters, none empty (a trailing slash is allowed), none
// made of dots only, and no percent-escape of '/', '\', '.', '%' or a control character: anything an
// upstream could normalise into another path is refused rather than guessed at.
const PCHAR = String.raw`(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%(?!2[EeFf]|25|5[Cc]|[01][0-9A-Fa-f]|7[Ff])[0-9A-Fa-f]{2})`;
const CANONICAL_AGENTS_PATH = new RegExp(String.raw`^/api/agents(?:/(?!\.+(?:/|$))${PCHAR}+)*/?$`);

/**
 * Sorts an original URI: "agents" for `/api/agents` or below in canonical form, "refused" for a path
 * under `/api/agents` in any other form, "other" for the rest (`/api/agentsX`, `/api/auth`, `/`, ...).
 */
export function classifyOriginalUri(uri: string): PathClass {
  if (uri.length > MAX_ORIGINAL_URI) return "refused";
  const q = uri.indexOf("?");
  const path = q < 0 ? uri : uri.slice(0, q);
  if (path.includes("#")) return "refused";
  if (path !== AGENTS && !path.startsWith(`${AGENTS}/`)) return "other";
  return CANONICAL_AGENTS_PATH.test(path) ? "agents" : "refused";
}
