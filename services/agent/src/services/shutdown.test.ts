import { stepKind } from "@texera-agent/protocol";
import { expect, it } from "vitest";
import { createRepositories } from "../repositories/index.ts";
import { eventually, FrameClient, startHarness } from "../testing/harness.ts";
import { STOPPED_BY_SHUTDOWN } from "./runs.service.ts";

it("closing the app stops runs in progress and records why", async () => {
  const h = await startHarness({ sim: { faults: { "sim-small": { tokensPerSecond: 20 } } } });
  await h.listen();
  const id = await h.createAgent();
  const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
  await c.next("init");
  c.send({ type: "message", content: "tokens: 300" });
  await c.next("delta");
  const closed = new Promise((resolve) => c.ws.once("close", resolve));
  const t0 = performance.now();
  await h.app.close();
  expect(performance.now() - t0).toBeLessThan(3_000);
  await closed;
  await eventually(() => h.sim.counters.aborted === 1, 2_000, "upstream abort");
  const repos = createRepositories(h.database.sql);
  const steps = await repos.steps.list(id);
  expect(steps.map((s) => stepKind(s))).toEqual(["user", "system"]);
  expect(steps[1]!.content).toBe(STOPPED_BY_SHUTDOWN);
  expect(await repos.runs.get(steps[0]!.runId)).toMatchObject({ status: "interrupted" });
  await h.close();
});
