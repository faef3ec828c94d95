/**
 * The gateway contract, run against a whole system started as `npm start` does: once through the built-in
 * gateway (gateway.system.test.ts) and once through real nginx with deploy/single-node/nginx.conf
 * (nginx.system.test.ts). Same routes, same header handling, same fail-closed rule.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Agent, AgentList, ServerFrame } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayKind, type RunningSystem, startSystem } from "./harness.ts";
import { openSocket, type SocketOutcome } from "./security-clients.ts";

type Identity =
  | "no token"
  | "malformed token"
  | "forged token"
  | "expired token"
  | "INACTIVE user"
  | "deactivated user"
  | "another user"
  | "ADMIN"
  | "owner";

const REFUSED: Record<string, 401 | 403> = {
  "no token": 401,
  "malformed token": 401,
  "forged token": 401,
  "expired token": 401,
  "INACTIVE user": 403,
  "deactivated user": 403,
};
/** Owner last: DELETE must come after every other caller has tried the agent. */
const IDENTITIES: Identity[] = [
  "no token",
  "malformed token",
  "forged token",
  "expired token",
  "INACTIVE user",
  "deactivated user",
  "another user",
  "ADMIN",
  "owner",
];

interface RouteCase {
  method: string;
  path: string;
  body?: unknown;
  /** Status for the owner (and for anyone allowed, on routes without an agent id). */
  ok: number;
}

const DEMO_MODEL = "demo-offline-model";
const ROUTES: RouteCase[] = [
  { method: "GET", path: "/api/agents/models", ok: 200 },
  { method: "POST", path: "/api/agents", body: { modelType: DEMO_MODEL, name: "matrix" }, ok: 200 },
  { method: "GET", path: "/api/agents", ok: 200 },
  { method: "GET", path: "/api/agents/:id", ok: 200 },
  { method: "GET", path: "/api/agents/:id/settings", ok: 200 },
  { method: "PATCH", path: "/api/agents/:id/settings", body: { temperature: 0.5 }, ok: 200 },
  { method: "POST", path: "/api/agents/:id/stop", ok: 200 },
  { method: "POST", path: "/api/agents/:id/clear", ok: 200 },
  { method: "GET", path: "/api/agents/:id/react-steps", ok: 200 },
  { method: "GET", path: "/api/agents/:id/workflow", ok: 200 },
  { method: "GET", path: "/api/agents/:id/operator-results", ok: 200 },
  { method: "GET", path: "/api/agents/datasets", ok: 200 },
  { method: "DELETE", path: "/api/agents/:id", ok: 200 },
];

export function describeGatewayContract(kind: GatewayKind): void {
  describe(`${kind === "nginx" ? "nginx (deploy/single-node/nginx.conf)" : "built-in gateway"}: the agent-service contract through the gateway`, () => {
    let sys: RunningSystem;
    let webDist: string;
    const tokens = {} as Record<Identity, string | undefined>;
    const ids = { owner: 0, other: 0 };
    const used: string[] = [];

    beforeAll(async () => {
      webDist = mkdtempSync(join(tmpdir(), "texera-web-"));
      mkdirSync(join(webDist, "assets"));
      writeFileSync(join(webDist, "index.html"), "<!doctype html><title>texera agents</title>");
      writeFileSync(join(webDist, "assets/app-abc123.js"), "export {}");
      sys = await startSystem({ gateway: kind, tap: true, webDist });

      const owner = await sys.createUser({ username: "alice", role: "REGULAR", email: "alice@example.org" });
      const other = await sys.createUser({ username: "bob", role: "REGULAR" });
      const inactive = await sys.createUser({ username: "ina", role: "INACTIVE" });
      const deactivated = await sys.createUser({ username: "dora", role: "REGULAR" });
      await sys.setRole(deactivated.id, "INACTIVE");
      ids.owner = owner.id;
      ids.other = other.id;
      Object.assign(tokens, {
        "no token": undefined,
        "malformed token": "not-a.jwt",
        "forged token": sys.mint({
          userName: "alice",
          userId: owner.id,
          role: "ADMIN",
          secret: "an-entirely-different-secret-of-enough-bytes",
        }),
        "expired token": sys.mint({
          userName: "alice",
          userId: owner.id,
          role: "REGULAR",
          expiresInMinutes: 60,
          issuedAt: new Date(Date.now() - 3 * 3600_000),
        }),
        "INACTIVE user": inactive.token,
        "deactivated user": deactivated.token,
        "another user": other.token,
        ADMIN: await sys.login(sys.admin.username, sys.admin.password),
        owner: owner.token,
      });
      used.push(...(Object.values(tokens).filter(Boolean) as string[]));
    });
    afterAll(async () => {
      await sys?.stop();
      rmSync(webDist, { recursive: true, force: true });
    });

    const headersOf = (who: Identity, extra: Record<string, string> = {}) => {
      const token = tokens[who];
      return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
    };
    const call = (
      who: Identity,
      method: string,
      path: string,
      body?: unknown,
      extra?: Record<string, string>,
    ) =>
      fetch(`${sys.url}${path}`, {
        method,
        headers: headersOf(
          who,
          body === undefined ? extra : { "content-type": "application/json", ...extra },
        ),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const newAgent = async (name = "matrix") => {
      const res = await call("owner", "POST", "/api/agents", { modelType: DEMO_MODEL, name });
      expect(res.status).toBe(200);
      return (await res.json()) as Agent;
    };

    for (const route of ROUTES) {
      describe(`${route.method} ${route.path}`, () => {
        let agent: Agent;
        beforeAll(async () => {
          agent = await newAgent();
        });
        for (const who of IDENTITIES) {
          const refused = REFUSED[who];
          const needsOwner = route.path.includes(":id") && (who === "another user" || who === "ADMIN");
          const expected = refused ?? (needsOwner ? 404 : route.ok);
          it(`${who} → ${expected}`, async () => {
            const reached = sys.tap!.seen.length;
            const res = await call(who, route.method, route.path.replace(":id", agent.id), route.body);
            expect(res.status).toBe(expected);
            const text = await res.text();
            if (expected !== 204) expect(() => JSON.parse(text), text).not.toThrow();
            if (refused) {
              expect(JSON.parse(text).error).toEqual(expect.any(String));
              if (refused === 401) expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
              expect(sys.tap!.seen.length, "a refused request reached agent-service").toBe(reached);
            }
            if (needsOwner) expect(JSON.parse(text).error).toMatch(/no agent with id/);
            if (route.method === "GET" && route.path === "/api/agents" && !refused) {
              const list = (JSON.parse(text) as AgentList).agents;
              expect(list.some((a) => a.id === agent.id)).toBe(who === "owner");
            }
          });
        }
      });
    }

    describe("WebSocket /api/agents/:id/react", () => {
      let agent: Agent;
      beforeAll(async () => {
        agent = await newAgent("socket");
      });
      for (const who of IDENTITIES) {
        // Not the owner but allowed in: Texera's answer for an agent that is not theirs, on an open socket.
        const expected = REFUSED[who] ?? 101;
        it(`${who} → ${expected}${!REFUSED[who] && who !== "owner" ? " + Agent not found" : ""}`, async () => {
          const reached = sys.tap!.seen.length;
          const outcome = await openSocketWithToken(sys.wsUrl, agent.id, tokens[who]);
          if (expected === 101) {
            expect(outcome.opened).toBe(true);
            if (outcome.opened) {
              if (who === "owner") expect(outcome.first.type).toBe("init");
              else
                expect(outcome.first).toEqual({
                  type: "error",
                  error: "Agent not found",
                  code: "AGENT_NOT_FOUND",
                });
              outcome.ws.close();
            }
            return;
          }
          expect(outcome).toMatchObject({ opened: false, status: expected });
          if (REFUSED[who])
            expect(sys.tap!.seen.length, "a refused upgrade reached agent-service").toBe(reached);
        });
      }

      it("carries a whole chat: the offline demo model builds its sample workflow", async () => {
        const fresh = await newAgent("demo chat");
        // deltas=1: this service streams the text only to a client that asks (as its web app does)
        const outcome = await openSocket(
          sys.wsUrl,
          fresh.id,
          `?access-token=${encodeURIComponent(tokens.owner!)}&deltas=1`,
        );
        if (!outcome.opened) throw new Error(`socket refused: ${outcome.status}`);
        const frames: ServerFrame[] = [];
        const done = new Promise<void>((resolve, reject) => {
          outcome.ws.on("message", (data) => {
            const frame = JSON.parse(data.toString()) as ServerFrame;
            frames.push(frame);
            if (frame.type === "complete") resolve();
            if (frame.type === "error") reject(new Error(JSON.stringify(frame)));
          });
        });
        outcome.ws.send(JSON.stringify({ type: "message", content: "show me what you can do" }));
        await done;
        outcome.ws.close();
        expect(frames.some((f) => f.type === "delta")).toBe(true);
        const workflow = (await (await call("owner", "GET", `/api/agents/${fresh.id}/workflow`)).json()) as {
          operators: Array<{ operatorType: string }>;
          links: unknown[];
        };
        expect(workflow.operators.map((o) => o.operatorType)).toEqual([
          "CSVFileScan",
          "Filter",
          "Aggregate",
          "Sort",
        ]);
        expect(workflow.links).toHaveLength(3);
      });
    });

    describe("identity headers", () => {
      it("never passes a client's x-user-* on: only the authorize answer's reach agent-service", async () => {
        const before = sys.tap!.seen.length;
        const forged = {
          "x-user-id": String(ids.other),
          "x-user-name": "bob",
          "x-user-role": "ADMIN",
          "x-user-email": "bob@example.org",
          "x-user-extra": "anything",
        };
        const res = await call("owner", "GET", "/api/agents", undefined, forged);
        expect(res.status).toBe(200);
        const seen = sys.tap!.seen.slice(before);
        expect(seen).toHaveLength(1);
        expect(seen[0]!.headers).toMatchObject({
          "x-user-id": String(ids.owner),
          "x-user-name": "alice",
          "x-user-role": "REGULAR",
          "x-user-email": "alice@example.org",
        });
        expect(seen[0]!.headers).not.toHaveProperty("x-user-extra");

        // A forged role changes nothing either: listing everyone's agents stays ADMIN-only.
        const all = await call("owner", "GET", "/api/agents?all=true", undefined, forged);
        expect(all.status).toBe(403);
      });

      it("sets identity headers on the WebSocket upgrade from the answer too", async () => {
        const agent = await newAgent("headers");
        const before = sys.tap!.seen.length;
        const outcome = await openSocketWithToken(sys.wsUrl, agent.id, tokens.owner, {
          "x-user-id": String(ids.other),
        });
        expect(outcome.opened).toBe(true);
        if (outcome.opened) outcome.ws.close();
        const upgrade = sys.tap!.seen.slice(before).find((r) => r.upgrade);
        expect(upgrade?.headers["x-user-id"]).toBe(String(ids.owner));
      });
    });

    describe("open routes and the rest", () => {
      it("lets login and the healthcheck through without a token", async () => {
        expect((await fetch(`${sys.url}/api/healthcheck`)).status).toBe(200);
        const bad = await fetch(`${sys.url}/api/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username: "alice", password: "wrong password" }),
        });
        expect(bad.status).toBe(401);
        expect(typeof (await sys.login("bob", "pw-bob-0123456789"))).toBe("string");
      });

      it("forwards the user directory, which checks ADMIN itself", async () => {
        expect((await call("ADMIN", "GET", "/api/auth/users")).status).toBe(200);
        expect((await call("owner", "GET", "/api/auth/users")).status).toBe(403);
        expect((await call("no token", "GET", "/api/auth/users")).status).toBe(401);
      });

      it("does not expose the authorize endpoint or other API paths", async () => {
        for (const path of ["/api/auth", "/api/auth/api/agents", "/api/nothing"]) {
          const res = await call("owner", "GET", path);
          expect(res.status, path).toBe(404);
        }
      });

      it("serves the web app with its SPA fallback", async () => {
        const index = await fetch(`${sys.url}/agents/some-id`);
        expect(index.status).toBe(200);
        expect(await index.text()).toContain("<title>texera agents</title>");
        const asset = await fetch(`${sys.url}/assets/app-abc123.js`);
        expect(asset.status).toBe(200);
        expect(asset.headers.get("cache-control")).toMatch(/immutable/);
        expect((await fetch(`${sys.url}/assets/missing.js`)).status).toBe(404);
      });
    });

    describe("logs", () => {
      it("hold no token", () => {
        const logs = [sys.output()];
        if (sys.accessLog) {
          const access = readFileSync(sys.accessLog, "utf8");
          expect(access).toContain("/react?[REDACTED]");
          logs.push(access);
        } else {
          expect(sys.linesOf("gateway").join("\n")).toContain("access-token=[REDACTED]");
        }
        for (const text of logs) {
          for (const token of used) {
            expect(text.includes(token), "a token was logged").toBe(false);
            // The signature alone would be enough to replay nothing, but it must not appear either.
            expect(text.includes(token.split(".")[2] ?? token)).toBe(false);
          }
          expect(text.includes(sys.admin.password)).toBe(false);
          expect(text.includes(sys.masterKey)).toBe(false);
        }
      });
    });

    describe("fail closed", () => {
      it("refuses /api/agents while access-control-service is stopped, and agent-service sees nothing", async () => {
        const agent = await newAgent("before the outage");
        await sys.stopService("access-control");
        const reached = sys.tap!.seen.length;
        const agentLines = sys.linesOf("agent").length;

        for (const [method, path, body] of [
          ["GET", "/api/agents", undefined],
          ["POST", "/api/agents", { modelType: DEMO_MODEL }],
          ["DELETE", `/api/agents/${agent.id}`, undefined],
        ] as const) {
          const res = await call("owner", method, path, body);
          expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(500);
          expect(JSON.parse(await res.text()).error).toMatch(/access control is unavailable/);
        }
        const socket = await openSocketWithToken(sys.wsUrl, agent.id, tokens.owner);
        expect(socket.opened).toBe(false);
        if (!socket.opened) expect(socket.status).toBeGreaterThanOrEqual(500);

        await new Promise((r) => setTimeout(r, 300));
        expect(sys.tap!.seen.length, "requests reached agent-service").toBe(reached);
        const newLines = sys.linesOf("agent").slice(agentLines);
        expect(newLines.filter((l) => l.includes("/api/agents"))).toEqual([]);
        // Open routes that do not need access control still answer.
        expect((await fetch(`${sys.url}/api/healthcheck`)).status).toBe(200);
      });
    });
  });
}

/** The react socket opened with a JWT in `access-token` (the Texera path), or with none. */
function openSocketWithToken(
  wsUrl: string,
  agentId: string,
  token: string | undefined,
  headers: Record<string, string> = {},
): Promise<SocketOutcome> {
  return openSocket(wsUrl, agentId, token ? `?access-token=${encodeURIComponent(token)}` : "", headers);
}
