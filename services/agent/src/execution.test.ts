import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { OperatorResultsResponse, ReActStep, StepFrame } from "@texera-agent/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_SAMPLES_DIR } from "./engine/engine.ts";
import { testEngine } from "./engine/testing.ts";
import { FrameClient, type Harness, startHarness } from "./testing/harness.ts";

// agent-service as started in production: the engine wired in (execution tools, datasets routes,
// operator results, the data's columns in the system prompt), driven by the offline demo scenario.
let h: Harness;
let t: Awaited<ReturnType<typeof testEngine>>;
beforeAll(async () => {
  t = await testEngine({ samplesDir: DEFAULT_SAMPLES_DIR });
  const scenario = JSON.parse(readFileSync(join(DEFAULT_SAMPLES_DIR, "demo-scenario.json"), "utf8"));
  h = await startHarness({ engine: t.engine, sim: { models: ["sim-small"], scenario } });
  await h.listen();
});
afterAll(async () => {
  await h.close();
  t.cleanup();
});

it("runs the demo workflow: steps carry row counts, operator-results has the rows, prompts show the data", async () => {
  const id = await h.createAgent();
  const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
  await c.next("init");
  c.send({ type: "message", content: "Build me a workflow over orders.csv" });
  await c.next("complete");
  await c.close();

  const stepFrames = c.frames.filter((f): f is StepFrame => f.type === "step");
  const executed = stepFrames.map((f) => f.step).find((s: ReActStep) => s.operatorResults !== undefined);
  expect(executed, "a step that executed the workflow").toBeDefined();
  const summaries = executed!.operatorResults!;
  expect(summaries.length).toBeGreaterThanOrEqual(4);
  expect(summaries.every((r) => r.error === undefined && r.rowCount >= 0)).toBe(true);
  expect(summaries.every((r) => !("rows" in r))).toBe(true);

  const res = await h.app.inject({
    url: `/api/agents/${id}/operator-results`,
    headers: h.auth(h.tokens.owner),
  });
  expect(res.statusCode).toBe(200);
  // Texera's shape: keyed by operator id, rows as records (frontend agent.service.ts:103-115, :1333-1344)
  const { results } = res.json() as OperatorResultsResponse;
  const sort = Object.values(results).find((r) => r.operatorType === "Sort")!;
  expect(sort.sampleRecords?.length).toBe(sort.outputTuples);
  expect(Object.keys(sort.sampleRecords![0]!)).toContain("region");
  expect(sort).toMatchObject({ state: "Completed", totalRowCount: sort.outputTuples });
  for (const s of summaries) expect(results[s.operatorId]?.outputTuples).toBe(s.rowCount);

  // The saved steps keep the summaries, so a reloaded page can draw the row counts too.
  const saved = await h.app.inject({ url: `/api/agents/${id}/react-steps`, headers: h.auth(h.tokens.owner) });
  expect((saved.json().steps as ReActStep[]).some((s) => s.operatorResults?.length)).toBe(true);

  // The model saw the datasets and, once operators existed, their columns.
  const prompts = h.sim.requests.map(
    (r) => (r.body as { messages: { content: string }[] }).messages[0]!.content,
  );
  expect(prompts[0]).toContain("orders.csv");
  expect(prompts.at(-1)).toMatch(/Output columns of each operator/);
});

it("operator results follow the version tree: a checkout to before the execution hides them, back shows them", async () => {
  const id = await h.createAgent();
  const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
  await c.next("init");
  c.send({ type: "message", content: "Build me a workflow over orders.csv" });
  await c.next("complete");
  const results = async () =>
    Object.keys(
      (
        (
          await h.app.inject({ url: `/api/agents/${id}/operator-results`, headers: h.auth(h.tokens.owner) })
        ).json() as OperatorResultsResponse
      ).results,
    );
  const shown = await results();
  expect(shown.length).toBeGreaterThanOrEqual(4);
  const steps = (
    await h.app.inject({ url: `/api/agents/${id}/react-steps`, headers: h.auth(h.tokens.owner) })
  ).json().steps as ReActStep[];
  const checkout = async (stepId: string) => {
    const res = await h.app.inject({
      method: "POST",
      url: `/api/agents/${id}/checkout`,
      headers: h.auth(h.tokens.owner),
      payload: { stepId },
    });
    expect(res.statusCode).toBe(200);
    return c.next("headChange", (f) => f.headId === stepId);
  };
  // back to the root: nothing had run there
  const atRoot = await checkout("step-initial");
  expect(atRoot.operatorResults).toEqual({});
  expect(await results()).toEqual([]);
  // back to the run's last step: the execution is on its path again
  const last = steps.at(-1)!;
  const again = await checkout(last.id);
  expect(Object.keys(again.operatorResults).sort()).toEqual([...shown].sort());
  expect((await results()).sort()).toEqual([...shown].sort());
  await c.close();
});

it("answers another user's operator results and an unknown agent with the same 404", async () => {
  const id = await h.createAgent();
  const theirs = await h.app.inject({
    url: `/api/agents/${id}/operator-results`,
    headers: h.auth(h.tokens.other),
  });
  const unknownId = "00000000-0000-4000-8000-000000000000";
  const missing = await h.app.inject({
    url: `/api/agents/${unknownId}/operator-results`,
    headers: h.auth(h.tokens.owner),
  });
  expect(theirs.statusCode).toBe(404);
  expect(theirs.body).toBe(missing.body.replace(unknownId, id));
  const none = await h.app.inject({
    url: `/api/agents/${id}/operator-results`,
    headers: h.auth(h.tokens.owner),
  });
  expect(none.json()).toEqual({ results: {} });
});

it("serves the datasets routes under /api/agents behind the same guard", async () => {
  const anonymous = await h.app.inject({ url: "/api/agents/datasets" });
  expect(anonymous.statusCode).toBe(401);
  const listed = await h.app.inject({ url: "/api/agents/datasets", headers: h.auth(h.tokens.owner) });
  expect(listed.statusCode).toBe(200);
  expect(listed.json().datasets.map((d: { name: string }) => d.name)).toContain("orders.csv");
});
