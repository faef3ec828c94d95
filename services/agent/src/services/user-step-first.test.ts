import { stepKind } from "@texera-agent/protocol";
import { expect, it } from "vitest";
import { createRepositories } from "../repositories/index.ts";
import { FrameClient, startHarness } from "../testing/harness.ts";

it("saves the user's step and the run row before the LLM request goes out", async () => {
  const h = await startHarness({ sim: { faults: { "sim-small": { latencyMs: 300 } } } });
  try {
    await h.listen();
    const id = await h.createAgent();
    const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
    await c.next("init");
    c.send({ type: "message", content: "tokens: 3" });
    const until = Date.now() + 3_000;
    while (h.sim.counters.chatRequests === 0 && Date.now() < until) await new Promise((r) => setImmediate(r));
    expect(h.sim.counters.chatRequests).toBe(1);
    // the request is at the simulator, which holds its answer for 300 ms: the run is still going
    const repos = createRepositories(h.database.sql);
    const steps = await repos.steps.list(id);
    expect(steps.map((s) => [stepKind(s), s.content])).toEqual([["user", "tokens: 3"]]);
    expect((await repos.runs.listRunning()).map((r) => r.id)).toEqual([steps[0]!.runId]);
    await c.next("complete");
    expect((await repos.runs.get(steps[0]!.runId))?.status).toBe("done");
    await c.close();
  } finally {
    await h.close();
  }
});
