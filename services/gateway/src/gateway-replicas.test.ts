import { request } from "node:http";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
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

/** A replica that accepts TCP connections and drops them at once (a crashing process), counting them. */
async function resettingReplica(): Promise<{ url: string; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${port}`, connections: () => count };
}

async function gatewayOver(replicaUrls: string[], failTimeoutMs = 5000) {
  const ac = await stubAccessControl();
  const gw = await startTestGateway({
    ACCESS_CONTROL_URL: ac.url,
    AGENT_SERVICE_URL: replicaUrls.join(","),
    GATEWAY_UPSTREAM_FAIL_TIMEOUT_MS: String(failTimeoutMs),
    AUTH_TIMEOUT_MS: "1000",
  });
  cleanups.push(ac.close, gw.gateway.close);
  return { url: gw.url, ws: gw.url.replace("http:", "ws:") };
}

async function replicas(n: number): Promise<Stub[]> {
  const stubs = await Promise.all(Array.from({ length: n }, () => stubAgentService()));
  for (const s of stubs) cleanups.push(s.close);
  return stubs;
}

const health = async (url: string) => (await fetch(`${url}/api/healthcheck`)).status;
const healthSeen = (s: Stub) => s.seen.filter((r) => r.url === "/api/healthcheck").length;
const postAgent = (url: string) =>
  fetch(`${url}/api/agents`, {
    method: "POST",
    headers: { authorization: "Bearer good", "content-type": "application/json" },
    body: '{"modelType":"m"}',
  });

function openSocket(url: string): Promise<{ opened: boolean; status?: number; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once("open", () => resolve({ opened: true, ws }));
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      resolve({ opened: false, status: res.statusCode ?? 0 });
    });
    ws.once("error", reject);
  });
}

describe("gateway: several agent-service replicas", () => {
  it("spreads requests round-robin, one at a time in order", async () => {
    const [a, b] = await replicas(2);
    const { url } = await gatewayOver([a!.url, b!.url]);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const before = healthSeen(a!);
      expect(await health(url)).toBe(200);
      order.push(healthSeen(a!) > before ? "a" : "b");
    }
    expect(order).toEqual(["a", "b", "a", "b", "a", "b"]);
    expect([healthSeen(a!), healthSeen(b!)]).toEqual([3, 3]);
  });

  it("spreads WebSocket upgrades too", async () => {
    const [a, b] = await replicas(2);
    const { ws } = await gatewayOver([a!.url, b!.url]);
    for (let i = 0; i < 4; i++) {
      const s = await openSocket(`${ws}/api/agents/a${i}/react?access-token=good`);
      expect(s.opened).toBe(true);
      s.ws!.close();
    }
    expect([a!.seen.length, b!.seen.length]).toEqual([2, 2]);
  });

  it("retries a GET on the next replica when the first refuses the connection", async () => {
    const dead = await deadUrl();
    const [live] = await replicas(1);
    const { url } = await gatewayOver([dead, live!.url]);
    const res = await fetch(`${url}/api/agents?page=1`, { headers: { authorization: "Bearer good" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ method: "GET", url: "/api/agents?page=1" });
    expect(live!.seen).toHaveLength(1);
  });

  it("retries a WebSocket upgrade on the next replica", async () => {
    const dead = await deadUrl();
    const [live] = await replicas(1);
    const { ws } = await gatewayOver([dead, live!.url]);
    const s = await openSocket(`${ws}/api/agents/a1/react?access-token=good`);
    expect(s.opened).toBe(true);
    s.ws!.send("hi");
    expect(await new Promise((r) => s.ws!.once("message", (d) => r(d.toString())))).toBe("7:hi");
    s.ws!.close();
  });

  it("skips a replica that failed for fail_timeout, then tries it again", async () => {
    const broken = await resettingReplica();
    const [live] = await replicas(1);
    // 600 ms: six loopback requests take a few ms, with room to spare on a busy machine.
    const { url } = await gatewayOver([broken.url, live!.url], 600);
    for (let i = 0; i < 6; i++) expect(await health(url)).toBe(200);
    expect(broken.connections()).toBe(1); // the first request only; it was retried on the live replica
    expect(healthSeen(live!)).toBe(6);
    await new Promise((r) => setTimeout(r, 650));
    for (let i = 0; i < 2; i++) expect(await health(url)).toBe(200);
    expect(broken.connections()).toBe(2); // back in rotation, failed again, skipped again
  });

  it("answers 502 to a POST whose replica is down, without sending it elsewhere; the next POST avoids it", async () => {
    const dead = await deadUrl();
    const [live] = await replicas(1);
    const { url } = await gatewayOver([dead, live!.url]);
    const first = await postAgent(url);
    expect(first.status).toBe(502);
    expect(await first.json()).toEqual({ error: "agent-service is unavailable; try again shortly" });
    expect(live!.seen).toHaveLength(0);
    // Round-robin alone would send every other POST to the dead replica; marked down, it gets none.
    for (let i = 0; i < 3; i++) expect((await postAgent(url)).status).toBe(200);
    expect(live!.seen).toHaveLength(3);
  });

  it("does not retry a GET that carries a body", async () => {
    const dead = await deadUrl();
    const [live] = await replicas(1);
    const { url } = await gatewayOver([dead, live!.url]);
    const status = await getWithBody(url); // fetch refuses a body on GET; node:http sends it
    expect(status).toBe(502);
    expect(live!.seen).toHaveLength(0);
  });

  it("answers 502 when every replica is dead, for requests and upgrades", async () => {
    const { url, ws } = await gatewayOver([await deadUrl(), await deadUrl()]);
    expect(await health(url)).toBe(502);
    expect(await openSocket(`${ws}/api/agents/a1/react?access-token=good`)).toMatchObject({
      opened: false,
      status: 502,
    });
  });

  it("keeps working when one of two live replicas is stopped", async () => {
    const [a, b] = await replicas(2);
    const { url } = await gatewayOver([a!.url, b!.url]);
    for (let i = 0; i < 4; i++) expect(await health(url)).toBe(200);
    await b!.close();
    for (let i = 0; i < 6; i++) expect(await health(url)).toBe(200);
    expect(healthSeen(a!)).toBe(2 + 6);
  });
});

function getWithBody(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/agents`, {
      method: "GET",
      headers: { authorization: "Bearer good", "content-length": "2" },
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end("{}");
  });
}
