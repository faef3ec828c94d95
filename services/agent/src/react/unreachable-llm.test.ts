import { stepKind } from "@texera-agent/protocol";
import { afterEach, expect, it } from "vitest";
import { FrameClient, type Harness, startHarness } from "../testing/harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close().catch(() => {});
  h = undefined;
});

// Issue 16: an unreachable LLM showed `connect ECONNREFUSED 127.0.0.1:… LLM_UNREACHABLE` to a regular user.
it("tells the chat that the LLM cannot be reached, keeps the code, and names no address", async () => {
  h = await startHarness({ policy: { retryBaseMs: 5, retryMaxDelayMs: 20 } });
  await h.listen();
  const id = await h.createAgent();
  const { host, port } = new URL(h.sim.url);
  await h.sim.close();

  const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
  try {
    await c.next("init");
    c.send({ type: "message", content: "hello" });
    const complete = await c.next("complete");
    expect(complete).toMatchObject({ reason: "error" });
    const error = c.frames.find((f) => f.type === "error");
    expect(error).toMatchObject({ type: "error", code: "LLM_UNREACHABLE" });
    const system = c.frames.flatMap((f) =>
      f.type === "step" && stepKind(f.step) === "system" ? [f.step] : [],
    );
    expect(system.at(-1)).toMatchObject({ error: "LLM_UNREACHABLE" });
    for (const text of [error?.type === "error" ? error.error : "", system.at(-1)?.content ?? ""]) {
      expect(text).toMatch(/cannot be reached right now/);
      expect(text).not.toContain(host);
      expect(text).not.toContain(port);
      expect(text).not.toMatch(/ECONNREFUSED|\d+\.\d+\.\d+\.\d+/);
    }
    // the service log keeps the whole cause for an operator
    expect(h.logs.join("\n")).toMatch(/ECONNREFUSED/);
  } finally {
    await c.close();
  }
});
