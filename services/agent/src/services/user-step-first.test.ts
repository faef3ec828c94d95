import { stepKind } from "@texera-agent/protocol";
import { expect, it } from "vitest";
import { createRepositories } from "../repositories/index.ts";
import type { SqlStatement } from "../repositories/sql.ts";
import { FrameClient, type Harness, startHarness } from "../testing/harness.ts";

/**
 * Holds every commit that starts a run (the one that inserts its row) until `release` is called, or fails
 * it with `fail`: the user's step is then "being saved" for as long as the test likes.
 */
function holdRunStarts(h: Harness) {
  const sql = h.database.sql;
  const batch = sql.batch.bind(sql);
  let release!: (error?: Error) => void;
  const released = new Promise<Error | undefined>((resolve) => {
    release = resolve;
  });
  sql.batch = async (statements: readonly SqlStatement[]) => {
    if (statements.some((s) => s.text.startsWith('insert into "runs"'))) {
      const error = await released;
      if (error) throw error;
    }
    return batch(statements);
  };
  return { release: () => release(), fail: (error: Error) => release(error) };
}

/** An agent, its socket, and a message sent while the commit of its run's start is held. */
async function sendWithCommitHeld(h: Harness) {
  await h.listen();
  const id = await h.createAgent();
  const hold = holdRunStarts(h);
  const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
  await c.next("init");
  c.send({ type: "message", content: "tokens: 3" });
  const until = Date.now() + 3_000;
  while (h.sim.counters.chatRequests === 0 && Date.now() < until) await new Promise((r) => setImmediate(r));
  return { id, hold, c };
}

it("sends the LLM request while the user's step is saved, and shows nothing of the answer before it is", async () => {
  const h = await startHarness();
  try {
    const { id, hold, c } = await sendWithCommitHeld(h);
    // the request went out (the simulator answers it at once) while the commit is held
    expect(h.sim.counters.chatRequests).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    const repos = createRepositories(h.database.sql);
    expect(await repos.steps.list(id)).toEqual([]);
    const frames = () => c.frames.slice(1); // after init
    // the whole answer is in, but not a word of it went out, nor the state: it leaves with the user's step
    expect(frames()).toEqual([]);
    hold.release();
    await c.next("complete");
    const kinds = frames().map((f) => (f.type === "step" ? `step:${stepKind(f.step)}` : f.type));
    expect(kinds.slice(0, 3)).toEqual(["state", "step:user", "delta"]);
    expect(kinds.at(-1)).toBe("complete");
    const steps = await repos.steps.list(id);
    expect(steps.map((s) => stepKind(s))).toEqual(["user", "agent"]);
    expect((await repos.runs.get(steps[0]!.runId))?.status).toBe("done");
    await c.close();
  } finally {
    await h.close();
  }
});

it("a user's step that cannot be saved ends the run: the answer is never shown or saved", async () => {
  const h = await startHarness();
  try {
    const { id, hold, c } = await sendWithCommitHeld(h);
    await new Promise((r) => setTimeout(r, 100));
    hold.fail(new Error("disk full"));
    await c.next("complete");
    const frames = c.frames;
    expect(frames.some((f) => f.type === "delta")).toBe(false);
    expect(frames.find((f) => f.type === "complete")).toMatchObject({ reason: "error" });
    const saved = await createRepositories(h.database.sql).steps.list(id);
    expect(saved.map((s) => s.content)).not.toContain("tokens: 3");
    expect(saved.some((s) => stepKind(s) === "agent" && !s.content.startsWith("Error:"))).toBe(false);
    await c.close();
  } finally {
    await h.close();
  }
});
