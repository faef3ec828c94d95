import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startTestGateway, stubAccessControl, stubAgentService } from "./testing/stubs.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(env: Record<string, string> = {}) {
  const ac = await stubAccessControl();
  const agent = await stubAgentService();
  const gw = await startTestGateway({
    ACCESS_CONTROL_URL: ac.url,
    AGENT_SERVICE_URL: agent.url,
    GATEWAY_BODY_LIMIT_BYTES: "1024",
    DATASET_MAX_BYTES: "4096",
    ...env,
  });
  cleanups.push(ac.close, agent.close, gw.gateway.close);
  return { ac, agent, url: gw.url };
}

const post = (url: string, body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { authorization: "Bearer good", ...headers },
    body,
    duplex: "half",
  } as RequestInit);

describe("gateway: request bodies", () => {
  it("refuses a declared oversized body with 413 in JSON, before the subrequest, forwarding nothing", async () => {
    const { ac, agent, url } = await setup();
    const res = await post(`${url}/api/agents`, "x".repeat(2048), { "content-type": "application/json" });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/larger than the 1 KiB/);
    expect(ac.seen).toHaveLength(0);
    expect(agent.seen.filter((r) => r.url.startsWith("/api/agents"))).toHaveLength(0);
  });

  it("gives dataset uploads their own limit", async () => {
    const { url } = await setup();
    expect((await post(`${url}/api/agents/datasets?name=a.csv`, "y".repeat(2048))).status).toBe(200);
    expect((await post(`${url}/api/agents/datasets?name=a.csv`, "y".repeat(8192))).status).toBe(413);
  });

  it("counts a body sent without Content-Length and cuts it off at the limit", async () => {
    const { agent, url } = await setup();
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode("z".repeat(512)));
        controller.close();
      },
    });
    const res = await post(`${url}/api/agents`, chunks, { "content-type": "application/json" });
    expect(res.status).toBe(413);
    expect(agent.seen.filter((r) => r.url === "/api/agents" && r.body.length > 1024)).toHaveLength(0);
  });

  it("cuts off a body that stalls, with 408", async () => {
    const { url } = await setup({ GATEWAY_BODY_TIMEOUT_MS: "300" });
    const { port } = new URL(url);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          "POST /api/agents HTTP/1.1\r\nhost: x\r\nauthorization: Bearer good\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
        );
      });
      let text = "";
      socket.on("data", (d) => {
        text += d.toString();
      });
      socket.on("close", () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain("stalled");
  });
});
