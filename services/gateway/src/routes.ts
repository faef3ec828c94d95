/**
 * Which requests the gateway lets through, and how. The same table as deploy/single-node/nginx.conf:
 * - `/api/agents` and below: authorize subrequest first, then agent-service (REST and WebSocket).
 * - `/api/healthcheck`: agent-service, open.
 * - `/api/auth/login`, `/api/auth/users...`: access-control-service, which authenticates these itself.
 * - any other `/api/...`: 404. Everything else: the web app.
 */
export type Route =
  | { kind: "protected"; upstream: "agent" }
  | { kind: "open"; upstream: "agent" | "access-control" }
  | { kind: "static" }
  | { kind: "not-found" }
  | { kind: "bad-path" };

export function routeFor(url: string): Route {
  const path = pathOf(url);
  if (!isCanonicalPath(path)) return { kind: "bad-path" };
  if (path === "/api/agents" || path.startsWith("/api/agents/"))
    return { kind: "protected", upstream: "agent" };
  if (path === "/api/healthcheck") return { kind: "open", upstream: "agent" };
  if (path === "/api/auth/login") return { kind: "open", upstream: "access-control" };
  if (path === "/api/auth/users" || path.startsWith("/api/auth/users/")) {
    return { kind: "open", upstream: "access-control" };
  }
  if (path === "/api" || path.startsWith("/api/")) return { kind: "not-found" };
  return { kind: "static" };
}

export function pathOf(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}

/**
 * The gateway matches routes on the raw path and forwards it unchanged, so a path that another server could
 * read differently (dot segments, doubled or encoded slashes, backslashes, encoded dots) is refused instead of
 * normalised: `/api/healthcheck/../agents` must never reach agent-service without the subrequest.
 */
function isCanonicalPath(path: string): boolean {
  if (!path.startsWith("/")) return false;
  if (path.includes("//") || path.includes("\\")) return false;
  if (/%(2e|2f|5c|00)/i.test(path)) return false;
  return !path.split("/").some((segment) => segment === "." || segment === "..");
}
