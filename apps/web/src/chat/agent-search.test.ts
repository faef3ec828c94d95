import { describe, expect, it } from "vitest";
import { makeAgent } from "../test-fixtures.ts";
import { filterAgents } from "./agent-search.ts";

describe("filterAgents", () => {
  const agents = [
    makeAgent({ id: "a", name: "Sales", createdAt: "2026-01-01T00:00:00.000Z" }),
    makeAgent({
      id: "b",
      name: "Weather",
      createdAt: "2025-01-01T00:00:00.000Z",
      lastActivityAt: "2026-02-01T00:00:00.000Z",
      preview: "Average rainfall per city",
    }),
    makeAgent({ id: "c", name: "Stock sales", createdAt: "2025-06-01T00:00:00.000Z" }),
  ];

  it("lists the most recently active first", () => {
    expect(filterAgents(agents, "").map((a) => a.id)).toEqual(["b", "a", "c"]);
  });

  it("matches every word in the name or the latest message, in any case", () => {
    expect(filterAgents(agents, "SALES").map((a) => a.id)).toEqual(["a", "c"]);
    expect(filterAgents(agents, "rain city").map((a) => a.id)).toEqual(["b"]);
    expect(filterAgents(agents, "rain sales")).toEqual([]);
  });
});
