import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, upgradeStatus } from "../testing/harness.ts";

// Every route × every kind of caller. "other" is a REGULAR user who does not own the agent; "admin" is an
// ADMIN who does not own it either (ADMIN gets only the list of everyone's agents, not their agents).
type Caller = "none" | "malformed" | "expired" | "inactive" | "restricted" | "owner" | "other" | "admin";
const CALLERS: Caller[] = [
  "none",
  "malformed",
  "expired",
  "inactive",
  "restricted",
  "owner",
  "other",
  "admin",
];

interface RouteCase {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  url: (id: string) => string;
  body?: unknown;
  /** The answer to the owner (and to other/admin when the route is not about one agent). */
  ok: number;
  /** Whether the route is about one agent (then other and admin get 404). */
  perAgent: boolean;
}

const ROUTES: RouteCase[] = [
  { method: "GET", url: () => "/api/agents/models", ok: 200, perAgent: false },
  { method: "POST", url: () => "/api/agents", body: { modelType: "sim-small" }, ok: 200, perAgent: false },
  { method: "GET", url: () => "/api/agents", ok: 200, perAgent: false },
  { method: "GET", url: (id) => `/api/agents/${id}`, ok: 200, perAgent: true },
  { method: "GET", url: (id) => `/api/agents/${id}/settings`, ok: 200, perAgent: true },
  {
    method: "PATCH",
    url: (id) => `/api/agents/${id}/settings`,
    body: { temperature: 0.5 },
    ok: 200,
    perAgent: true,
  },
  { method: "POST", url: (id) => `/api/agents/${id}/stop`, ok: 200, perAgent: true },
  { method: "POST", url: (id) => `/api/agents/${id}/clear`, ok: 200, perAgent: true },
  { method: "GET", url: (id) => `/api/agents/${id}/react-steps`, ok: 200, perAgent: true },
  { method: "GET", url: (id) => `/api/agents/${id}/workflow`, ok: 200, perAgent: true },
  { method: "DELETE", url: (id) => `/api/agents/${id}`, ok: 200, perAgent: true },
];

function expected(route: RouteCase, caller: Caller): number {
  if (caller === "none" || caller === "malformed" || caller === "expired") return 401;
  if (caller === "inactive" || caller === "restricted") return 403;
  if (caller === "owner") return route.ok;
  return route.perAgent ? 404 : route.ok;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.listen();
});
afterAll(() => h.close());

function tokenOf(caller: Caller): string | undefined {
  return caller === "none" ? undefined : h.tokens[caller];
}

describe("the guard on every REST route", () => {
  for (const route of ROUTES) {
    it(`${route.method} ${route.url(":id")}`, async () => {
      for (const caller of CALLERS) {
        const id = await h.createAgent(); // a fresh agent per call: DELETE and clear change things
        const token = tokenOf(caller);
        const res = await h.app.inject({
          method: route.method,
          url: route.url(id),
          headers: token ? { authorization: `Bearer ${token}` } : {},
          ...(route.body ? { payload: route.body as object } : {}),
        });
        expect({ caller, status: res.statusCode }).toEqual({ caller, status: expected(route, caller) });
        if (res.statusCode === 401) expect(res.headers["www-authenticate"]).toBe("Bearer");
        if (res.statusCode >= 400) expect(typeof res.json().error).toBe("string");
        if (res.statusCode === 404) {
          // Not yours and not there read the same.
          const missing = await h.app.inject({
            method: route.method,
            url: route.url("00000000-0000-4000-8000-000000000000"),
            headers: { authorization: `Bearer ${token}` },
            ...(route.body ? { payload: route.body as object } : {}),
          });
          expect(missing.statusCode).toBe(404);
          expect(res.json().error.replace(id, "ID")).toBe(
            missing.json().error.replace("00000000-0000-4000-8000-000000000000", "ID"),
          );
        }
      }
    });
  }

  it("answers 404 for an id that is not a UUID", async () => {
    for (const id of ["123", "not-a-uuid", "x".repeat(300), "../../etc"]) {
      const res = await h.app.inject({
        url: `/api/agents/${encodeURIComponent(id)}`,
        headers: h.auth(h.tokens.owner),
      });
      expect(res.statusCode).toBe(404);
    }
  });

  it("keeps /api/healthcheck open", async () => {
    expect((await h.app.inject("/api/healthcheck")).json()).toEqual({ status: "ok" });
  });

  it("does not take the query token on REST routes", async () => {
    const res = await h.app.inject(`/api/agents?access-token=${h.tokens.owner}`);
    expect(res.statusCode).toBe(401);
  });
});

describe("the guard on the WebSocket, before the upgrade", () => {
  it("refuses a caller without a valid token or role with HTTP status; a foreign or unknown agent opens and says 'Agent not found'", async () => {
    const id = await h.createAgent();
    const path = `/api/agents/${id}/react`;
    const cases: [Caller, number][] = [
      ["none", 401],
      ["malformed", 401],
      ["expired", 401],
      ["inactive", 403],
      ["restricted", 403],
      // Texera's answer for an agent that is not the caller's: a socket, an error frame, a close (§3.2)
      ["other", 101],
      ["admin", 101],
      ["owner", 101],
    ];
    for (const [caller, status] of cases) {
      expect({ caller, status: await upgradeStatus(h.wsUrl(path, tokenOf(caller) ?? null)) }).toEqual({
        caller,
        status,
      });
    }
    expect(await upgradeStatus(h.wsUrl("/api/agents/00000000-0000-4000-8000-000000000000/react"))).toBe(101);
    expect(await upgradeStatus(h.wsUrl("/api/agents/nope/react"))).toBe(101);
  });

  it("refuses through injectWS as well", async () => {
    const id = await h.createAgent();
    await expect(h.app.injectWS(`/api/agents/${id}/react`)).rejects.toThrow(/401/);
    await expect(h.app.injectWS(`/api/agents/${id}/react?access-token=${h.tokens.inactive}`)).rejects.toThrow(
      /403/,
    );
    // The frame can come in the tick the socket opens: listen from onInit on.
    let first: (data: string) => void = () => {};
    const firstFrame = new Promise<string>((resolve) => {
      first = resolve;
    });
    const ws = await h.app.injectWS(
      `/api/agents/${id}/react?access-token=${h.tokens.owner}`,
      {},
      { onInit: (socket) => socket.once("message", (d) => first(d.toString())) },
    );
    expect(JSON.parse(await firstFrame).type).toBe("init");
    ws.terminate();
  });
});
