import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  deadUrl,
  type Stub,
  startTestGateway,
  stubAccessControl,
  stubAgentService,
} from "./testing/stubs.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(acMode?: Parameters<typeof stubAccessControl>[0]) {
  const ac = await stubAccessControl(acMode);
  const agent = await stubAgentService();
  const gw = await startTestGateway({
    ACCESS_CONTROL_URL: ac.url,
    AGENT_SERVICE_URL: agent.url,
    AUTH_TIMEOUT_MS: "300",
  });
  cleanups.push(ac.close, agent.close, gw.gateway.close);
  return { ac, agent, url: gw.url };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const agentRequests = (s: Stub) => s.seen.filter((r) => r.url.startsWith("/api/agents"));

describe("gateway: /api/agents behind the authorize subrequest", () => {
  it("forwards an allowed request with identity from the answer only, and the body streamed", async () => {
    const { ac, agent, url } = await setup();
    const res = await fetch(`${url}/api/agents?x=1`, {
      method: "POST",
      headers: {
        ...bearer("good"),
        "content-type": "application/json",
        "x-user-id": "999",
        "X-User-Role": "ADMIN",
        "x-user-extra": "sneaky",
        "x-original-uri": "/api/healthcheck",
      },
      body: JSON.stringify({ modelType: "m" }),
    });
    expect(res.status).toBe(200);
    const echoed = (await res.json()) as {
      method: string;
      url: string;
      headers: Record<string, string>;
      body: string;
    };
    expect(echoed).toMatchObject({ method: "POST", url: "/api/agents?x=1", body: '{"modelType":"m"}' });
    expect(echoed.headers["x-user-id"]).toBe("7");
    expect(echoed.headers["x-user-role"]).toBe("REGULAR");
    expect(echoed.headers["x-user-name"]).toBe("alice");
    expect(echoed.headers).not.toHaveProperty("x-user-extra");
    expect(echoed.headers).not.toHaveProperty("x-user-email");
    expect(echoed.headers.authorization).toBe("Bearer good");

    expect(ac.seen).toHaveLength(1);
    const sub = ac.seen[0]!;
    expect(sub).toMatchObject({ method: "GET", url: "/api/auth", body: "" });
    expect(sub.headers["x-original-uri"]).toBe("/api/agents?x=1");
    expect(sub.headers["x-original-method"]).toBe("POST");
    expect(sub.headers).not.toHaveProperty("content-length");
    expect(sub.headers).not.toHaveProperty("x-user-id");
    expect(agentRequests(agent)).toHaveLength(1);
  });

  it("passes 401 with WWW-Authenticate and 403 through, never reaching agent-service", async () => {
    const { agent, url } = await setup();
    const none = await fetch(`${url}/api/agents`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    expect(await none.json()).toEqual({ error: "sign in first" });
    const bad = await fetch(`${url}/api/agents/abc/settings`, {
      method: "PATCH",
      headers: bearer("nope"),
      body: "{}",
    });
    expect(bad.status).toBe(401);
    const inactive = await fetch(`${url}/api/agents`, { headers: bearer("inactive") });
    expect(inactive.status).toBe(403);
    expect(((await inactive.json()) as { error: string }).error).toMatch(/INACTIVE/);
    expect(agentRequests(agent)).toHaveLength(0);
  });

  it("takes the access-token query parameter through to the subrequest", async () => {
    const { ac, url } = await setup();
    const res = await fetch(`${url}/api/agents/a1/react-steps?access-token=good`);
    expect(res.status).toBe(200);
    expect(ac.seen[0]!.headers["x-original-uri"]).toBe("/api/agents/a1/react-steps?access-token=good");
  });

  it("passes agent-service's own statuses through unchanged", async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/api/agents/teapot`, { headers: bearer("good") });
    expect(res.status).toBe(418);
  });

  it.each([
    ["stopped", undefined, 503],
    ["answering 500", "error500", 502],
    ["too slow", "hang", 503],
    ["allowing without x-user-id", "allow-without-identity", 502],
  ] as const)("fails closed while access control is %s", async (_what, mode, status) => {
    const agent = await stubAgentService();
    const ac = mode ? await stubAccessControl({ mode }) : undefined;
    const acUrl = ac?.url ?? (await deadUrl());
    const gw = await startTestGateway({
      ACCESS_CONTROL_URL: acUrl,
      AGENT_SERVICE_URL: agent.url,
      AUTH_TIMEOUT_MS: "300",
    });
    cleanups.push(agent.close, gw.gateway.close, ...(ac ? [ac.close] : []));
    const res = await fetch(`${gw.url}/api/agents`, { method: "POST", headers: bearer("good"), body: "{}" });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toMatch(/access control is unavailable/);
    expect(agentRequests(agent)).toHaveLength(0);
  });

  it("answers 502 in JSON when agent-service is down", async () => {
    const ac = await stubAccessControl();
    const gw = await startTestGateway({ ACCESS_CONTROL_URL: ac.url, AGENT_SERVICE_URL: await deadUrl() });
    cleanups.push(ac.close, gw.gateway.close);
    const res = await fetch(`${gw.url}/api/agents`, { headers: bearer("good") });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: "agent-service is unavailable; try again shortly" });
  });
});

describe("gateway: open routes and the rest of /api", () => {
  it("forwards login and the healthcheck without a subrequest, dropping client x-user-*", async () => {
    const { ac, agent, url } = await setup();
    const login = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-user-role": "ADMIN" },
      body: '{"username":"a","password":"b"}',
    });
    expect(await login.json()).toEqual({ login: true, body: '{"username":"a","password":"b"}' });
    expect(ac.seen.map((r) => r.url)).toEqual(["/api/auth/login"]);
    expect(ac.seen[0]!.headers).not.toHaveProperty("x-user-role");

    const health = await fetch(`${url}/api/healthcheck`, { headers: { "x-user-id": "1" } });
    expect(health.status).toBe(200);
    expect(agent.seen.map((r) => r.url)).toEqual(["/api/healthcheck"]);
    expect(agent.seen[0]!.headers).not.toHaveProperty("x-user-id");
    expect(ac.seen).toHaveLength(1);
  });

  it("answers 404 for other /api paths and 400 for paths another server could read differently", async () => {
    const { ac, agent, url } = await setup();
    const other = await fetch(`${url}/api/auth`, { headers: bearer("good") });
    expect(other.status).toBe(404);
    for (const path of [
      "/api/healthcheck/../agents",
      "/api/agents/%2e%2e/x",
      "/api//agents",
      "/api/agents/a%2Fb",
    ]) {
      expect(await rawStatus(url, path), path).toBe(400);
    }
    expect(ac.seen).toHaveLength(0);
    expect(agent.seen).toHaveLength(0);
  });
});

/** GET with the path sent byte for byte (fetch would normalise dot segments away). */
function rawStatus(base: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { path, headers: bearer("good") }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}
