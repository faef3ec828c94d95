/** The app's pages, kept in the URL hash so a reload (or a shared link) opens the same place. */
export type Route = { page: "agents"; agentId: string | null } | { page: "admin" };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/^\/+/, "");
  const [first, second] = path.split("/");
  if (first === "admin") return { page: "admin" };
  if (first === "agents" && second) {
    try {
      return { page: "agents", agentId: decodeURIComponent(second) };
    } catch {
      return { page: "agents", agentId: null };
    }
  }
  return { page: "agents", agentId: null };
}

export function routeHash(route: Route): string {
  if (route.page === "admin") return "#/admin";
  return route.agentId ? `#/agents/${encodeURIComponent(route.agentId)}` : "#/agents";
}
