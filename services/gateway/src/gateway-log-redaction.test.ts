import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { loadConfig } from "./config.ts";
import { createGateway, createGatewayLogger, type Gateway } from "./gateway.ts";
import { type Stub, stubAccessControl, stubAgentService } from "./testing/stubs.ts";

// The gateway's log lines, as main.ts writes them (createGatewayLogger), for requests that carry a
// credential under a percent-encoded parameter name: the services decode the name (URLSearchParams), so
// `access%2Dtoken` is read as `access-token`, and its value must never reach the log.
const lines: string[] = [];
let gateway: Gateway;
let url: string;
let stubs: Stub[];

beforeAll(async () => {
  const ac = await stubAccessControl();
  const agent = await stubAgentService();
  stubs = [ac, agent];
  const capture = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    ACCESS_CONTROL_URL: ac.url,
    AGENT_SERVICE_URL: agent.url,
  });
  gateway = createGateway(config, { logger: createGatewayLogger(capture) });
  url = await gateway.listen();
});
afterAll(async () => {
  await gateway.close();
  for (const stub of stubs) await stub.close();
});

describe("gateway log", () => {
  it("redacts credentials under encoded parameter names, for requests and WebSocket upgrades", async () => {
    // `good` is the token the stub accepts: the request goes all the way through
    const rest = await fetch(`${url}/api/agents?access%2Dtoken=good&secret-marker=1`);
    expect(rest.status).toBe(200);
    const refused = await fetch(`${url}/api/agents?tick%65t=never-logged-ticket-value`);
    expect(refused.status).toBe(401);
    const ws = new WebSocket(`${url.replace("http", "ws")}/api/agents/a1/react?x=1&access%2dtoken=good`);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    ws.close();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const log = lines.join("");
    expect(log).toContain("access%2Dtoken=[REDACTED]");
    expect(log).toContain("tick%65t=[REDACTED]");
    expect(log).toContain("access%2dtoken=[REDACTED]");
    expect(log).not.toContain("access%2Dtoken=good");
    expect(log).not.toContain("access%2dtoken=good");
    expect(log).not.toContain("never-logged-ticket-value");
  });
});
