import { afterAll, beforeAll, expect, it } from "vitest";
import { EngineError } from "./errors.ts";
import { executeWorkflow } from "./execute-workflow.ts";
import { testEngine, workflow } from "./testing.ts";

let t: Awaited<ReturnType<typeof testEngine>>;
const [ALICE, BOB] = [1, 2];
const scan = workflow([["s", "CSVFileScan", { fileName: "one.csv" }]]);

beforeAll(async () => {
  t = await testEngine({ maxConcurrentRuns: 2, maxConcurrentRunsPerUser: 1, maxQueuedRunsPerUser: 1 });
  await t.upload(ALICE, "one.csv", "a\n1\n");
  await t.upload(BOB, "one.csv", "a\n2\n");
});
afterAll(() => t.cleanup());

it("one user's executions wait for their share while another user's run at once; too many waiting are refused", async () => {
  // alice's heavy query holds her one slot.
  const heavy = await t.engine.runs.acquire(new AbortController().signal, String(ALICE));
  const aliceWaits = executeWorkflow(t.engine, { workflow: scan, userId: ALICE, timeoutMs: 20_000 });
  const refused = await executeWorkflow(t.engine, { workflow: scan, userId: ALICE }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(EngineError);
  expect(refused).toMatchObject({ code: "busy" });
  expect((refused as Error).message).toMatch(
    /1 workflow executions waiting .*ENGINE_MAX_QUEUED_RUNS_PER_USER/,
  );

  // bob is not behind alice: the free slot is his.
  const bob = await executeWorkflow(t.engine, { workflow: scan, userId: BOB, timeoutMs: 2_000 });
  expect(bob.results[0]!.rows).toEqual([[2]]);

  heavy();
  expect((await aliceWaits).results[0]!.rows).toEqual([[1]]);

  // A wait that uses up the time limit says so.
  const again = await t.engine.runs.acquire(new AbortController().signal, String(ALICE));
  const timedOut = await executeWorkflow(t.engine, { workflow: scan, userId: ALICE, timeoutMs: 1_200 }).catch(
    (e: unknown) => e,
  );
  again();
  expect(timedOut).toMatchObject({ code: "timeout" });
  expect((timedOut as Error).message).toMatch(
    /ms of it waiting for an engine slot: at most 1 of your executions/,
  );
  expect(t.engine.runs.holders()).toBe(0);
});
