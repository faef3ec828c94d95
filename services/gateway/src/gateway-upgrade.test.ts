import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { deadUrl, startTestGateway, stubAccessControl, stubAgentService } from "./testing/stubs.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

type Outcome =
  | { opened: true; ws: WebSocket }
  | { opened: false; status: number; body: string; headers: Record<string, unknown> };

function connect(url: string, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => resolve({ opened: true, ws }));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c));
      res.on("end", () =>
        resolve({ opened: false, status: res.statusCode ?? 0, body, headers: res.headers }),
      );
    });
    ws.once("error", reject);
  });
}

const nextMessage = (ws: WebSocket) =>
  new Promise<string>((resolve) => ws.once("message", (data) => resolve(data.toString())));

async function setup(acUrl?: string) {
  const agent = await stubAgentService();
  const ac = acUrl ? undefined : await stubAccessControl();
  const gw = await startTestGateway({
    ACCESS_CONTROL_URL: acUrl ?? ac!.url,
    AGENT_SERVICE_URL: agent.url,
    AUTH_TIMEOUT_MS: "300",
  });
  cleanups.push(agent.close, gw.gateway.close, ...(ac ? [ac.close] : []));
  return { agent, ac, ws: gw.url.replace("http:", "ws:") };
}

describe("gateway: WebSocket upgrades", () => {
  it("authorizes with the access-token query value and pipes frames both ways", async () => {
    const { agent, ac, ws } = await setup();
    const outcome = await connect(`${ws}/api/agents/a1/react?access-token=good`, { "x-user-id": "999" });
    expect(outcome.opened).toBe(true);
    if (!outcome.opened) return;
    outcome.ws.send("hello");
    expect(await nextMessage(outcome.ws)).toBe("7:hello");
    outcome.ws.send("again");
    expect(await nextMessage(outcome.ws)).toBe("7:again");
    outcome.ws.close();
    expect(ac!.seen[0]!.headers["x-original-uri"]).toBe("/api/agents/a1/react?access-token=good");
    expect(ac!.seen[0]!.headers["x-original-method"]).toBe("GET");
    expect(agent.seen).toHaveLength(1);
  });

  it("refuses bad tokens before any upstream connection", async () => {
    const { agent, ws } = await setup();
    const bad = await connect(`${ws}/api/agents/a1/react?access-token=forged`);
    expect(bad).toMatchObject({ opened: false, status: 401, headers: { "www-authenticate": "Bearer" } });
    const none = await connect(`${ws}/api/agents/a1/react`);
    expect(none).toMatchObject({ opened: false, status: 401 });
    const inactive = await connect(`${ws}/api/agents/a1/react?access-token=inactive`);
    expect(inactive).toMatchObject({ opened: false, status: 403 });
    expect(agent.seen).toHaveLength(0);
  });

  it("passes agent-service's own refusal of the upgrade through", async () => {
    const { ws } = await setup();
    const outcome = await connect(`${ws}/api/agents/missing/react?access-token=good`);
    expect(outcome).toMatchObject({ opened: false, status: 404, body: '{"error":"no such id"}' });
  });

  it("fails closed while access control is down", async () => {
    const { agent, ws } = await setup(await deadUrl());
    const outcome = await connect(`${ws}/api/agents/a1/react?access-token=good`);
    expect(outcome).toMatchObject({ opened: false, status: 503 });
    expect(agent.seen).toHaveLength(0);
  });

  it("has no WebSocket endpoint outside /api/agents", async () => {
    const { ws } = await setup();
    expect(await connect(`${ws}/api/healthcheck`)).toMatchObject({ opened: false, status: 404 });
  });
});
