import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { type Harness, startHarness } from "../testing/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.listen();
});
afterAll(() => h.close());

it("closes the socket with 1009 (not a bare reset) for a frame over the size limit", async () => {
  const id = await h.createAgent();
  const ws = new WebSocket(h.wsUrl(`/api/agents/${id}/react`));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  ws.on("error", () => {});
  ws.send(JSON.stringify({ type: "message", content: "y".repeat(300 * 1024) }));
  expect(await closed).toBe(1009);
  // the service goes on serving
  const again = await h.app.inject({ url: `/api/agents/${id}`, headers: h.auth(h.tokens.owner) });
  expect(again.statusCode).toBe(200);
});

it("answers a refused upgrade with Connection: close, so a proxy does not reuse the dead connection", async () => {
  const { request } = await import("node:http");
  const url = new URL(
    h.wsUrl("/api/agents/00000000-0000-4000-8000-000000000000/react", null).replace("ws:", "http:"),
  );
  const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: "upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    req.on("response", (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
    });
    req.on("upgrade", () => reject(new Error("upgraded")));
    req.on("error", reject);
    req.end();
  });
  expect(answer).toEqual({ status: 401, connection: "close" });
});
