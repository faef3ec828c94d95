/**
 * The security suite of "Scale-out and hardening", against the whole system as `npm start` runs it, through
 * both gateways (the built-in one and real nginx with deploy/single-node/nginx.conf): hostile tokens,
 * x-user-* spoofing, another user's agent on every route, WebSocket tickets, oversized bodies, frames and
 * headers, and slow clients. Every case asserts the answer; every refused case also asserts, through the
 * recording tap between the gateway and agent-service, that nothing reached agent-service.
 */
import { randomUUID } from "node:crypto";
import type { Agent, AgentList, User, WsTicketResponse } from "@texera-agent/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayKind, type RunningSystem, startSystem } from "./harness.ts";
import {
  claimsFor,
  closeCodeOf,
  craftToken,
  httpRequest,
  oldTicket,
  openSocket,
  rawRequest,
  type SlowClient,
  secretOf,
  slowClient,
} from "./security-clients.ts";

const DEMO_MODEL = "demo-offline-model";
/** agent-service's bodyLimit and WebSocket maxPayload (services/agent/src/app.ts). */
const AGENT_SERVICE_LIMIT = 256 * 1024;
/**
 * How long a gateway may keep a client that never finishes its request. nginx.conf sets no client
 * timeouts, so nginx's defaults hold: client_header_timeout and client_body_timeout 60 s. The built-in
 * gateway sets `headersTimeout = 30 s`, enforced by Node's connection check every 30 s: at most 60 s.
 */
const SLOW_CLIENT_LIMIT_MS = 60_000;
const SLOW_CLIENT_MARGIN_MS = 5_000;

type Person = User & { token: string };

interface Fixture {
  sys: RunningSystem;
  secret: string;
  alice: Person;
  bob: Person;
  /** alice's agents A and B, bob's agent. */
  a: Agent;
  b: Agent;
  bobs: Agent;
  slow: SlowClient[];
}

const KINDS: GatewayKind[] = ["builtin", "nginx"];
const fixtures = new Map<GatewayKind, Fixture>();

async function setUp(kind: GatewayKind): Promise<Fixture> {
  const sys = await startSystem({ gateway: kind, tap: true });
  const alice = await sys.createUser({ username: "alice", role: "REGULAR", email: "alice@example.org" });
  const bob = await sys.createUser({ username: "bob", role: "REGULAR" });
  const create = async (who: Person, name: string) => {
    const res = await fetch(`${sys.url}/api/agents`, {
      method: "POST",
      headers: { authorization: `Bearer ${who.token}`, "content-type": "application/json" },
      body: JSON.stringify({ modelType: DEMO_MODEL, name }),
    });
    if (res.status !== 200) throw new Error(`create agent: ${res.status} ${await res.text()}`);
    return (await res.json()) as Agent;
  };
  const [a, b, bobs] = await Promise.all([create(alice, "A"), create(alice, "B"), create(bob, "bob's")]);
  // Slow clients start now and are judged at the end of the gateway's block: the other cases run meanwhile.
  const port = sys.ports.gateway;
  const slow = [
    slowClient("idle (connects, sends nothing)", port, ""),
    slowClient(
      "headers sent one byte a second, never finished",
      port,
      "GET /api/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-Client: ",
      "abcdefghij",
    ),
    slowClient(
      "body announced but never sent (valid token)",
      port,
      `POST /api/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${alice.token}\r\n` +
        `Content-Type: application/json\r\nX-Slow-Client: body\r\nContent-Length: 1000\r\n\r\n{"modelType":`,
    ),
  ];
  return { sys, secret: secretOf(sys.dataDir), alice, bob, a, b, bobs, slow };
}

beforeAll(async () => {
  // Both systems at once, so the slow clients of both wait out their timeouts together.
  const started = await Promise.allSettled(KINDS.map(async (kind) => fixtures.set(kind, await setUp(kind))));
  const failed = started.find((s) => s.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}, 240_000);

afterAll(async () => {
  for (const f of fixtures.values()) for (const s of f.slow) s.destroy();
  await Promise.all([...fixtures.values()].map((f) => f.sys.stop()));
});

describe.each(KINDS)("%s gateway", (kind) => {
  let f: Fixture;
  beforeAll(() => {
    f = fixtures.get(kind)!;
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  /** Runs `act`, then asserts that agent-service saw nothing of it. */
  async function unreached<T>(act: () => Promise<T>): Promise<T> {
    const before = f.sys.tap!.seen.length;
    const result = await act();
    // a refused upgrade or an answer that raced ahead of its forwarding would show up by now
    await new Promise((r) => setTimeout(r, 50));
    expect(f.sys.tap!.seen.slice(before), "a refused request reached agent-service").toEqual([]);
    return result;
  }
  async function refused(res: Response, status: 401 | 403 | 404 | 413): Promise<void> {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expect(JSON.parse(text).error, text).toEqual(expect.any(String));
    if (status === 401) expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  }
  const list = async (headers: Record<string, string>, query = "") =>
    fetch(`${f.sys.url}/api/agents${query}`, { headers });
  const ticketFor = async (who: Person, agent: Agent): Promise<WsTicketResponse> => {
    const res = await fetch(`${f.sys.url}/api/agents/${agent.id}/ws-ticket`, {
      method: "POST",
      headers: bearer(who.token),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as WsTicketResponse;
  };
  const idsIn = async (res: Response) => ((await res.json()) as AgentList).agents.map((a) => a.id);

  describe("hostile tokens", () => {
    type Case = { name: string; token: () => string };
    const cases: Case[] = [
      { name: "alg none", token: () => craftNone("none") },
      { name: "alg None", token: () => craftNone("None") },
      { name: "alg NONE, no signature part", token: () => craftNone("NONE").replace(/\.$/, "") },
      {
        name: "HS512 with the real key",
        token: () => craftToken(f.secret, { alg: "HS512", typ: "JWT" }, claimsFor(f.alice), "sha512"),
      },
      {
        name: "RS256-headed, HMAC-signed with the real key",
        token: () => craftToken(f.secret, { alg: "RS256", typ: "JWT" }, claimsFor(f.alice)),
      },
      {
        name: "tampered payload (role ADMIN, signature kept)",
        token: () => {
          const [h, p, s] = f.alice.token.split(".");
          const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
          return `${h}.${Buffer.from(JSON.stringify({ ...claims, role: "ADMIN" })).toString("base64url")}.${s}`;
        },
      },
      {
        name: "expired",
        token: () =>
          f.sys.mint({
            userName: "alice",
            userId: f.alice.id,
            role: "REGULAR",
            expiresInMinutes: 60,
            issuedAt: new Date(Date.now() - 2 * 3600_000),
          }),
      },
      {
        name: "nbf 10 minutes ahead",
        token: () =>
          craftToken(
            f.secret,
            { alg: "HS256", typ: "JWT" },
            claimsFor(f.alice, { nbf: Math.floor(Date.now() / 1000) + 600 }),
          ),
      },
      {
        name: "unknown role SUPERUSER",
        token: () => craftToken(f.secret, { alg: "HS256" }, claimsFor(f.alice, { role: "SUPERUSER" })),
      },
      {
        name: "role in lower case (admin)",
        token: () => craftToken(f.secret, { alg: "HS256" }, claimsFor(f.alice, { role: "admin" })),
      },
      {
        name: "no role claim",
        token: () => craftToken(f.secret, { alg: "HS256" }, claimsFor(f.alice, { role: undefined })),
      },
    ];
    function craftNone(alg: string): string {
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
      return `${b64({ alg, typ: "JWT" })}.${b64(claimsFor(f.alice, { role: "ADMIN" }))}.`;
    }

    it("control: a hand-made HS256 token with the real key and right claims is accepted", async () => {
      const token = craftToken(f.secret, { alg: "HS256", typ: "JWT" }, claimsFor(f.alice));
      const res = await list(bearer(token));
      expect(res.status).toBe(200);
      expect(await idsIn(res)).toContain(f.a.id);
      const socket = await openSocket(f.sys.wsUrl, f.a.id, `?access-token=${token}`);
      expect(socket.opened).toBe(true);
      if (socket.opened) socket.ws.close();
    });

    for (const c of cases) {
      it(`${c.name}: 401 on REST and on the WebSocket, agent-service sees neither`, async () => {
        const token = c.token();
        await unreached(async () => refused(await list(bearer(token)), 401));
        await unreached(async () => refused(await list(bearer(token), "?all=true"), 401));
        const socket = await unreached(() =>
          openSocket(f.sys.wsUrl, f.a.id, `?access-token=${encodeURIComponent(token)}`),
        );
        expect(socket).toMatchObject({ opened: false, status: 401 });
      });
    }

    it("a 100 KiB token: 4xx from the gateway, in the header and in the socket URL", async () => {
      const token = `${f.alice.token.split(".")[0]}.${"A".repeat(100 * 1024)}.${f.alice.token.split(".")[2]}`;
      const rest = await unreached(() =>
        httpRequest(`${f.sys.url}/api/agents`, "GET", ["authorization", `Bearer ${token}`]),
      );
      expect(rest.status).toBeGreaterThanOrEqual(400);
      expect(rest.status).toBeLessThan(500);
      const ws = await unreached(() =>
        rawRequest(
          f.sys.ports.gateway,
          `GET /api/agents/${f.a.id}/react?access-token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        ),
      );
      expect(ws.status).toBeGreaterThanOrEqual(400);
      expect(ws.status).toBeLessThan(500);
    });

    it("a 9 KiB token (over access-control's 8 KiB limit): refused, not forwarded", async () => {
      const token = `${f.alice.token.split(".")[0]}.${"A".repeat(9 * 1024)}.${f.alice.token.split(".")[2]}`;
      const res = await unreached(() => list(bearer(token)));
      expect([400, 401, 431]).toContain(res.status);
    });

    it("a token split by a space: 401", async () => {
      const t = f.alice.token;
      await unreached(async () =>
        refused(await list({ authorization: `Bearer ${t.slice(0, 40)} ${t.slice(40)}` }), 401),
      );
    });

    it("a newline injected after the token (bare LF, then a forged header): 400, or the token's own identity", async () => {
      for (const sep of ["\n", "\r\n "]) {
        const before = f.sys.tap!.seen.length;
        const res = await rawRequest(
          f.sys.ports.gateway,
          `GET /api/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${f.bob.token}${sep}` +
            `X-User-Id: ${f.alice.id}\r\nConnection: close\r\n\r\n`,
        );
        const seen = f.sys.tap!.seen.slice(before);
        console.log(`${kind}: Authorization followed by ${JSON.stringify(sep)} → ${res.status}`);
        if (res.status === 200) {
          // parsed as two headers: the forged one is dropped, bob stays bob
          expect(seen.map((s) => s.headers["x-user-id"])).toEqual([String(f.bob.id)]);
          expect(res.body).toContain(f.bobs.id);
          expect(res.body).not.toContain(f.a.id);
        } else {
          expect([400, 401], `${JSON.stringify(sep)}: ${res.head}`).toContain(res.status);
          expect(seen, "a refused request reached agent-service").toEqual([]);
        }
      }
    });

    it("two tokens in one header (Bearer a, Bearer b): 401", async () => {
      await unreached(async () =>
        refused(await list({ authorization: `Bearer ${f.bob.token}, Bearer ${f.alice.token}` }), 401),
      );
    });

    it("two Authorization headers: refused, or the first one alone decides everywhere", async () => {
      const before = f.sys.tap!.seen.length;
      const res = await httpRequest(`${f.sys.url}/api/agents`, "GET", [
        "authorization",
        `Bearer ${f.bob.token}`,
        "authorization",
        `Bearer ${f.alice.token}`,
      ]);
      const seen = f.sys.tap!.seen.slice(before);
      console.log(`${kind}: two Authorization headers → ${res.status}`);
      if (res.status === 200) {
        expect(seen).toHaveLength(1);
        expect(seen[0]!.headers["x-user-id"]).toBe(String(f.bob.id));
        expect(seen[0]!.headers.authorization).toBe(`Bearer ${f.bob.token}`);
        expect(res.body).toContain(f.bobs.id);
        expect(res.body).not.toContain(f.a.id);
      } else {
        expect([400, 401]).toContain(res.status);
        expect(seen).toEqual([]);
      }
    });

    it("a token in both the header and the query: the header wins", async () => {
      // On the socket (where the query token belongs): bob's header decides, so alice's agent is not his.
      const before = f.sys.tap!.seen.length;
      const socket = await openSocket(
        f.sys.wsUrl,
        f.a.id,
        `?access-token=${f.alice.token}`,
        bearer(f.bob.token),
      );
      // alice's agent is not bob's: Texera's answer for an agent that is not the caller's
      expect(socket).toMatchObject({ opened: true, first: { type: "error", error: "Agent not found" } });
      if (socket.opened) socket.ws.terminate();
      expect(f.sys.tap!.seen.slice(before).map((s) => s.headers["x-user-id"])).toEqual([String(f.bob.id)]);
      const own = await openSocket(
        f.sys.wsUrl,
        f.bobs.id,
        `?access-token=${f.alice.token}`,
        bearer(f.bob.token),
      );
      expect(own.opened).toBe(true);
      if (own.opened) own.ws.close();
      // On REST the gateway passes it on as bob; agent-service refuses the unknown query parameter itself.
      const mid = f.sys.tap!.seen.length;
      const rest = await list(bearer(f.bob.token), `?access-token=${f.alice.token}`);
      expect(rest.status).toBe(400);
      expect(f.sys.tap!.seen.slice(mid).map((s) => s.headers["x-user-id"])).toEqual([String(f.bob.id)]);
      // a bad header token is not retried with the good query token
      await unreached(async () =>
        refused(await list(bearer("not-a.jwt"), `?access-token=${f.alice.token}`), 401),
      );
      const bad = await unreached(() =>
        openSocket(f.sys.wsUrl, f.a.id, `?access-token=${f.alice.token}`, bearer("not-a.jwt")),
      );
      expect(bad).toMatchObject({ opened: false, status: 401 });
    });

    it("a ws-ticket used as a bearer token on REST: 401", async () => {
      const { ticket } = await ticketFor(f.alice, f.a);
      await unreached(async () => refused(await list(bearer(ticket)), 401));
      await unreached(async () =>
        refused(await fetch(`${f.sys.url}/api/agents/${f.a.id}`, { headers: bearer(ticket) }), 401),
      );
      // nor as the query's access-token, nor as ticket= on a REST route
      await unreached(async () => refused(await list({}, `?access-token=${ticket}`), 401));
      await unreached(async () =>
        refused(await fetch(`${f.sys.url}/api/agents/${f.a.id}?ticket=${ticket}`), 401),
      );
      // the ticket is still unspent: it opens its socket
      const socket = await openSocket(f.sys.wsUrl, f.a.id, `?ticket=${ticket}`);
      expect(socket.opened).toBe(true);
      if (socket.opened) socket.ws.close();
    });

    it("a JWT passed as ticket=: 401 before the upgrade", async () => {
      const socket = await unreached(() => openSocket(f.sys.wsUrl, f.a.id, `?ticket=${f.alice.token}`));
      expect(socket).toMatchObject({ opened: false, status: 401 });
    });
  });

  describe("x-user-* header spoofing", () => {
    const spoofs = (): Array<[string, string[]]> => {
      const bob = String(f.bob.id);
      return [
        [
          "lower case",
          ["x-user-id", bob, "x-user-name", "bob", "x-user-role", "ADMIN", "x-user-email", "b@x"],
        ],
        ["upper case", ["X-USER-ID", bob, "X-USER-NAME", "bob", "X-USER-ROLE", "ADMIN"]],
        ["mixed case", ["X-User-Id", bob, "x-User-Role", "ADMIN"]],
        [
          "duplicated",
          [
            "x-user-id",
            bob,
            "x-user-id",
            bob,
            "X-User-Id",
            bob,
            "x-user-role",
            "ADMIN",
            "x-user-role",
            "ADMIN",
          ],
        ],
        ["underscores", ["x_user_id", bob, "x_user_name", "bob", "x_user_role", "ADMIN"]],
      ];
    };

    it.each([0, 1, 2, 3, 4])("spoof set %i with a REGULAR token changes nothing", async (i) => {
      const [name, headers] = spoofs()[i]!;
      const before = f.sys.tap!.seen.length;
      const res = await httpRequest(`${f.sys.url}/api/agents`, "GET", [
        "authorization",
        `Bearer ${f.alice.token}`,
        ...headers,
      ]);
      expect(res.status, name).toBe(200);
      const ids = (JSON.parse(res.body) as AgentList).agents.map((a) => a.id);
      expect(ids, name).toEqual(expect.arrayContaining([f.a.id, f.b.id]));
      expect(ids, name).not.toContain(f.bobs.id);
      const seen = f.sys.tap!.seen.slice(before);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.headers).toMatchObject({
        "x-user-id": String(f.alice.id),
        "x-user-name": "alice",
        "x-user-role": "REGULAR",
      });
      // listing everyone's agents stays ADMIN-only
      const all = await httpRequest(`${f.sys.url}/api/agents?all=true`, "GET", [
        "authorization",
        `Bearer ${f.alice.token}`,
        ...headers,
      ]);
      expect(all.status, name).toBe(403);
    });

    it.each([0, 1, 2, 3, 4])("spoof set %i without a token: 401, agent-service sees nothing", async (i) => {
      const [name, headers] = spoofs()[i]!;
      const res = await unreached(() => httpRequest(`${f.sys.url}/api/agents`, "GET", headers));
      expect(res.status, name).toBe(401);
      expect(JSON.parse(res.body).error).toEqual(expect.any(String));
      const socket = await unreached(() =>
        rawRequest(
          f.sys.ports.gateway,
          `GET /api/agents/${f.a.id}/react HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
            `${headers.map((h, j) => (j % 2 ? `${h}\r\n` : `${h}: `)).join("")}` +
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        ),
      );
      expect(socket.status, name).toBe(401);
    });
  });

  describe("another user's agent answers exactly like a missing one", () => {
    const ROUTES: Array<[string, string, unknown?]> = [
      ["GET", ""],
      ["GET", "/settings"],
      ["PATCH", "/settings", { temperature: 0.3 }],
      ["POST", "/stop"],
      ["POST", "/clear"],
      ["GET", "/react-steps"],
      ["GET", "/workflow"],
      ["GET", "/operator-results"],
      ["POST", "/ws-ticket"],
      ["DELETE", ""],
    ];
    for (const [method, suffix, body] of ROUTES) {
      it(`${method} /api/agents/:id${suffix}`, async () => {
        const call = (id: string) =>
          fetch(`${f.sys.url}/api/agents/${id}${suffix}`, {
            method,
            headers: {
              ...bearer(f.bob.token),
              ...(body === undefined ? {} : { "content-type": "application/json" }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
        const missing = randomUUID();
        const before = f.sys.tap!.seen.length;
        const theirs = await call(f.a.id);
        const none = await call(missing);
        expect(theirs.status).toBe(404);
        expect(none.status).toBe(404);
        expect((await theirs.text()).replace(f.a.id, "ID")).toBe((await none.text()).replace(missing, "ID"));
        expect(theirs.headers.get("content-type")).toBe(none.headers.get("content-type"));
        // they reached agent-service as bob, nobody else
        const seen = f.sys.tap!.seen.slice(before);
        expect(seen.map((s) => s.headers["x-user-id"])).toEqual([String(f.bob.id), String(f.bob.id)]);
        // alice's agent is untouched
        const mine = await fetch(`${f.sys.url}/api/agents/${f.a.id}`, { headers: bearer(f.alice.token) });
        expect(mine.status).toBe(200);
      });
    }

    it("the WebSocket with bob's access-token: answered as a missing id (Texera's 'Agent not found' frame, then a normal close)", async () => {
      const missing = randomUUID();
      const outcomes = [];
      for (const id of [f.a.id, missing]) {
        const socket = await openSocket(f.sys.wsUrl, id, `?access-token=${f.bob.token}`);
        expect(socket).toMatchObject({ opened: true });
        if (!socket.opened) continue;
        const code = await new Promise<number>((resolve) => {
          if (socket.ws.readyState === socket.ws.CLOSED) resolve(1000);
          else socket.ws.once("close", (c) => resolve(c));
        });
        outcomes.push({ first: socket.first, code });
      }
      // the same words for "not yours" and "does not exist", and nothing of alice's agent
      expect(outcomes).toEqual([
        { first: { type: "error", error: "Agent not found", code: "AGENT_NOT_FOUND" }, code: 1000 },
        { first: { type: "error", error: "Agent not found", code: "AGENT_NOT_FOUND" }, code: 1000 },
      ]);
    });

    it("the WebSocket with bob's ticket (for his own agent) on alice's agent: 401, not forwarded", async () => {
      const { ticket } = await ticketFor(f.bob, f.bobs);
      const socket = await unreached(() => openSocket(f.sys.wsUrl, f.a.id, `?ticket=${ticket}`));
      expect(socket).toMatchObject({ opened: false, status: 401 });
    });
  });

  describe("WebSocket tickets", () => {
    it("open their socket once; the second upgrade is refused with 401 by agent-service", async () => {
      const { ticket, path, expiresAt } = await ticketFor(f.alice, f.a);
      expect(path).toBe(`/api/agents/${f.a.id}/react?ticket=${encodeURIComponent(ticket)}`);
      const ttl = Date.parse(expiresAt) - Date.now();
      expect(ttl).toBeGreaterThan(20_000);
      expect(ttl).toBeLessThanOrEqual(31_000);
      const first = await openSocket(f.sys.wsUrl, f.a.id, `?ticket=${ticket}`);
      expect(first.opened).toBe(true);
      if (first.opened) {
        expect(first.first.type).toBe("init");
        first.ws.close();
      }
      const before = f.sys.tap!.seen.length;
      const second = await openSocket(f.sys.wsUrl, f.a.id, `?ticket=${ticket}`);
      expect(second).toMatchObject({ opened: false, status: 401 });
      if (!second.opened) expect(JSON.parse(second.body).error).toMatch(/already used/);
      // The gateway cannot know a ticket was spent (agent-service keeps the spent ids): the replay reaches
      // agent-service authenticated as alice, and agent-service refuses it before upgrading.
      const seen = f.sys.tap!.seen.slice(before);
      expect(seen.map((s) => [s.upgrade, s.headers["x-user-id"]])).toEqual([[true, String(f.alice.id)]]);
    });

    it("expired (genuinely signed, issued 2 minutes ago): 401, not forwarded", async () => {
      // control: the same signer with a 20 s old ticket opens the socket
      const fresh = oldTicket(f.secret, f.alice, f.a.id, 20);
      const ok = await openSocket(f.sys.wsUrl, f.a.id, `?ticket=${fresh}`);
      expect(ok.opened).toBe(true);
      if (ok.opened) ok.ws.close();
      const stale = oldTicket(f.secret, f.alice, f.a.id, 120);
      const socket = await unreached(() => openSocket(f.sys.wsUrl, f.a.id, `?ticket=${stale}`));
      expect(socket).toMatchObject({ opened: false, status: 401 });
    });

    it("a ticket for agent A on agent B's socket: 401, not forwarded, and A's ticket stays unspent", async () => {
      const { ticket } = await ticketFor(f.alice, f.a);
      const wrong = await unreached(() => openSocket(f.sys.wsUrl, f.b.id, `?ticket=${ticket}`));
      expect(wrong).toMatchObject({ opened: false, status: 401 });
      const right = await openSocket(f.sys.wsUrl, f.a.id, `?ticket=${ticket}`);
      expect(right.opened).toBe(true);
      if (right.opened) right.ws.close();
    });

    it("a tampered ticket (agent id swapped, signature kept): 401, not forwarded", async () => {
      const { ticket } = await ticketFor(f.alice, f.a);
      const [h, p, s] = ticket.split(".");
      const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, aid: f.b.id })).toString("base64url")}.${s}`;
      const socket = await unreached(() => openSocket(f.sys.wsUrl, f.b.id, `?ticket=${forged}`));
      expect(socket).toMatchObject({ opened: false, status: 401 });
    });
  });

  // Both gateways refuse a body over agent-service's limit themselves, before the subrequest (size first, as
  // nginx does), with a JSON 413, and read what the client is still sending before closing, so the client
  // sees the answer and not a reset. agent-service closes an oversized frame with 1009 and lets the close
  // handshake finish.
  describe("oversized input", () => {
    const bigAgent = (bytes: number) => JSON.stringify({ modelType: DEMO_MODEL, name: "x".repeat(bytes) });

    it("a JSON body over agent-service's 256 KiB limit: 413 with a JSON error, promptly", async () => {
      const started = Date.now();
      const res = await fetch(`${f.sys.url}/api/agents`, {
        method: "POST",
        headers: { ...bearer(f.alice.token), "content-type": "application/json" },
        body: bigAgent(AGENT_SERVICE_LIMIT + 1024),
      });
      await refused(res, 413);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it("a 2 MiB JSON body: 413 with a JSON error, promptly, and the gateway keeps answering", async () => {
      const started = Date.now();
      const res = await fetch(`${f.sys.url}/api/agents`, {
        method: "POST",
        headers: { ...bearer(f.alice.token), "content-type": "application/json" },
        body: bigAgent(2 * 1024 * 1024),
      });
      await refused(res, 413);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await list(bearer(f.alice.token))).status).toBe(200);
    });

    it("an oversized body without a token: 413 before anything else, nothing forwarded", async () => {
      await unreached(async () =>
        refused(
          await fetch(`${f.sys.url}/api/agents`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: bigAgent(AGENT_SERVICE_LIMIT + 1024),
          }),
          413,
        ),
      );
    });

    it("a WebSocket frame over 256 KiB: the socket is closed with 1009", async () => {
      const { ticket } = await ticketFor(f.alice, f.a);
      const socket = await openSocket(f.sys.wsUrl, f.a.id, `?ticket=${ticket}`);
      if (!socket.opened) throw new Error(`socket refused: ${socket.status}`);
      const closed = closeCodeOf(socket.ws);
      socket.ws.send(JSON.stringify({ type: "message", content: "y".repeat(AGENT_SERVICE_LIMIT + 1024) }));
      expect(await closed).toBe(1009);
    });

    it("a 20 KiB URL: 4xx from the gateway, nothing forwarded", async () => {
      const res = await unreached(() =>
        httpRequest(`${f.sys.url}/api/agents?pad=${"p".repeat(20 * 1024)}`, "GET", [
          "authorization",
          `Bearer ${f.alice.token}`,
        ]),
      );
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    });

    it("a 20 KiB header: 4xx from the gateway, nothing forwarded", async () => {
      const res = await unreached(() =>
        httpRequest(`${f.sys.url}/api/agents`, "GET", [
          "authorization",
          `Bearer ${f.alice.token}`,
          "x-pad",
          "p".repeat(20 * 1024),
        ]),
      );
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    });

    it("many headers (500 of them): 4xx from the gateway, or a normal answer", async () => {
      const headers = ["authorization", `Bearer ${f.alice.token}`];
      for (let i = 0; i < 500; i++) headers.push(`x-h${i}`, "v");
      const res = await httpRequest(`${f.sys.url}/api/agents`, "GET", headers);
      expect(res.status === 200 || (res.status >= 400 && res.status < 500), String(res.status)).toBe(true);
    });
  });

  // A client that announces a body and never sends it: the built-in gateway cuts a stalled body after
  // GATEWAY_BODY_TIMEOUT_MS (60 s, 408), nginx after client_body_timeout (60 s).
  describe("slow clients", () => {
    it(
      `are cut off within the gateway's timeout (≤ ${SLOW_CLIENT_LIMIT_MS / 1000} s)`,
      async () => {
        const deadline =
          Math.max(...f.slow.map((s) => s.openedAt)) + SLOW_CLIENT_LIMIT_MS + SLOW_CLIENT_MARGIN_MS;
        await Promise.race([
          Promise.all(f.slow.map((s) => s.closed)),
          new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
        ]);
        const report = f.slow.map((s) => ({
          client: s.name,
          cutOffAfterMs: s.closedAt === undefined ? "still open" : s.closedAt - s.openedAt,
          answer: s.answer.split("\r\n")[0] ?? "",
        }));
        console.log(`${kind}: slow clients`, JSON.stringify(report));
        for (const s of f.slow) {
          expect(s.closedAt, `${s.name}: still open after ${Date.now() - s.openedAt} ms`).toBeDefined();
          expect(s.closedAt! - s.openedAt, s.name).toBeLessThanOrEqual(
            SLOW_CLIENT_LIMIT_MS + SLOW_CLIENT_MARGIN_MS,
          );
          // if the gateway answers at all, it is a 4xx (408 Request Timeout or 400), never a 5xx or a 200
          const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(s.answer)?.[1] ?? 0);
          if (status) expect(status >= 400 && status < 500, `${s.name}: ${s.answer}`).toBe(true);
        }
        // the unfinished headers never reached agent-service
        expect(
          f.sys.tap!.seen.filter((r) => r.headers["x-slow-client"] && r.headers["x-slow-client"] !== "body"),
        ).toEqual([]);
      },
      SLOW_CLIENT_LIMIT_MS + 30_000,
    );
  });
});
