import { Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessControl } from "./service.ts";
import { mint, startTestService } from "./test-support.ts";

// Over a real socket: request targets reach the service byte for byte (inject would resolve dot
// segments), and bodies the service never reads must not disturb the next request on the connection.
let service: AccessControl;
let port: number;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const token = mint("REGULAR", { userId: 77, name: "bob" });

beforeAll(async () => {
  service = await startTestService();
  await service.app.listen({ port: 0, host: "127.0.0.1" });
  port = (service.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  agent.destroy();
  await service.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers, agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const bearer = { authorization: `Bearer ${token}` };

describe("authorize over a socket", () => {
  it("refuses raw dot segments in the Envoy path", async () => {
    for (const path of [
      "/api/agents/../auth",
      "/api/agents/./x",
      "/api/agents/..",
      "/api/agents/x/../../auth",
    ]) {
      const answer = await send("GET", `/api/auth${path}`, bearer);
      expect({ path, status: answer.status }).toEqual({ path, status: 403 });
      expect(answer.headers["x-user-id"]).toBeUndefined();
    }
    expect((await send("GET", "/api/auth/api/agents/x", bearer)).status).toBe(200);
  });

  it("never reads a body: any content type, chunked or not, keep-alive intact", async () => {
    const bodies: [string, Record<string, string>, string][] = [
      ["POST", { "content-type": "application/json" }, "{definitely not json"],
      ["PUT", { "content-type": "application/x-unknown" }, "x".repeat(3 * 1024 * 1024)],
      ["PATCH", { "content-type": "multipart/form-data; boundary=zz" }, "--zz\r\nbroken"],
      ["DELETE", { "transfer-encoding": "chunked", "content-type": "text/plain" }, "hello"],
      ["OPTIONS", {}, "no content type at all"],
      ["POST", { "content-type": ";;=/" }, "an unparsable content type"],
      ["DELETE", { "content-type": "application/json", "content-length": "0" }, ""],
    ];
    for (const [method, headers, body] of bodies) {
      const answer = await send(method, "/api/auth/api/agents/x", { ...bearer, ...headers }, body);
      expect({ method, status: answer.status }).toEqual({ method, status: 200 });
      expect(answer.headers["x-user-name"]).toBe("bob");
      // the next request on the same connection is answered normally
      const next = await send("GET", "/api/auth", { "x-original-uri": "/api/agents" });
      expect(next.status).toBe(401);
    }
  });

  it("answers HEAD with the headers and no body", async () => {
    const answer = await send("HEAD", "/api/auth", { ...bearer, "x-original-uri": "/api/agents/1/react" });
    expect(answer.status).toBe(200);
    expect(answer.headers["x-user-role"]).toBe("REGULAR");
    expect(answer.body).toBe("");
  });

  it("answers undecodable Envoy paths with 403 and over-long ones with a 4xx, never 5xx", async () => {
    for (const path of ["/api/agents/%zz", "/api/agents/%", "/api/agents/%E0%A4%A"]) {
      const answer = await send("GET", `/api/auth${path}`, bearer);
      expect({ path, status: answer.status }).toEqual({ path, status: 403 });
    }
    expect((await send("GET", `/api/auth/api/agents/${"a".repeat(5000)}`, bearer)).status).toBe(200);
    const huge = await send("GET", `/api/auth/api/agents/${"a".repeat(20_000)}`, bearer);
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
  });
});
