import { describe, expect, it } from "vitest";
import { parseRoute, routeHash } from "./route.ts";

describe("route", () => {
  it("round-trips every page", () => {
    const routes = [
      { page: "agents", agentId: null },
      { page: "agents", agentId: "5f0c7a52-8f1e-4a7a-9a52-1f2e3d4c5b6a" },
      { page: "agents", agentId: "odd/id?" },
      { page: "admin" },
    ] as const;
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
  });

  it("falls back to the agent list for anything else", () => {
    for (const hash of ["", "#", "#/", "#/nowhere", "#/agents/%E0%A4%A"]) {
      expect(parseRoute(hash)).toEqual({ page: "agents", agentId: null });
    }
  });
});
