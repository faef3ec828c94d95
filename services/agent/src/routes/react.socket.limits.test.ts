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
