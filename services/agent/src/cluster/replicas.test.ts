// Two agent-service replicas in one process over one PostgreSQL database: what one replica does to an
// agent, the sockets of the other see. (Killing a replica's process is in test/system/cluster-*.)
import { randomUUID } from "node:crypto";
import { createTestDatabase } from "@texera-agent/db/testing";
import { type ServerFrame, stepKind } from "@texera-agent/protocol";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FrameClient, type Harness, startHarness } from "../testing/harness.ts";

const PG = process.env.TEST_POSTGRES_URL;
const SWEEP_MS = 200;

/** Frames after init, without the text pieces (their cut depends on timing): what every socket must agree on. */
const outline = (frames: ServerFrame[]) =>
  frames
    .slice(frames.findIndex((f) => f.type === "init") + 1)
    .filter((f) => f.type !== "delta")
    .map((f) =>
      f.type === "step" ? `step:${f.step.index}:${stepKind(f.step)}` : f.type === "state" ? f.state : f.type,
    );

const textOf = (frames: ServerFrame[], index: number) =>
  frames
    .filter((f): f is Extract<ServerFrame, { type: "delta" }> => f.type === "delta" && f.index === index)
    .map((f) => f.text)
    .join("");

/** A socket on the agent through replica `h`, once its init has arrived. */
async function watch(h: Harness, id: string): Promise<FrameClient> {
  const client = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
  await client.next("init");
  return client;
}

/** A metric's value (summed over its series) from the replica's /metrics. */
async function metric(h: Harness, name: string): Promise<number> {
  const text = (await h.app.inject({ url: "/metrics" })).body;
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.split(" ").at(-1));
  }
  return sum;
}

describe.skipIf(!PG)("replicas over PostgreSQL", () => {
  let a: Harness;
  let b: Harness;
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase(PG!, "cluster");
    const options = {
      databaseUrl: url,
      cluster: { url, sweepMs: SWEEP_MS },
      sim: { faults: { "*": { tokensPerSecond: 200 } } },
    };
    a = await startHarness(options);
    b = await startHarness(options);
    await a.listen();
    await b.listen();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it("a socket on one replica sees the run another replica executes, frame for frame", async () => {
    const id = await a.createAgent();
    const [runner, watcher] = await Promise.all([watch(a, id), watch(b, id)]);
    runner.send({ type: "message", content: "tokens:40" });
    await runner.next("complete");
    const done = await watcher.next("complete");
    expect(done.reason).toBe("done");
    expect(outline(watcher.frames)).toEqual(outline(runner.frames));
    expect(outline(runner.frames)).toEqual([
      "GENERATING",
      "step:0:user",
      "step:1:agent",
      "step:1:agent", // Texera sends a run's last step twice, the second time ending the message
      "complete",
    ]);
    // every piece of text, once, in order, on both
    const step = (await runner.next("step", (f) => stepKind(f.step) === "agent")).step;
    expect(textOf(runner.frames, step.index)).toBe(step.content);
    expect(textOf(watcher.frames, step.index)).toBe(step.content);
    await Promise.all([runner.close(), watcher.close()]);
  });

  it("one run per agent across replicas: a message on the other replica is refused while it runs", async () => {
    const id = await a.createAgent();
    const [onA, onB] = await Promise.all([watch(a, id), watch(b, id)]);
    onA.send({ type: "message", content: "tokens:400" });
    await onB.next("state", (f) => f.state === "GENERATING");
    onB.send({ type: "message", content: "me too" });
    expect((await onB.next("error")).code).toBe("AGENT_BUSY");
    // REST on B knows it runs, too
    const res = await b.app.inject({ url: `/api/agents/${id}`, headers: b.auth(b.tokens.owner) });
    expect(res.json().state).toBe("GENERATING");
    // stop asked on B ends the run on A
    const stop = await b.app.inject({
      method: "POST",
      url: `/api/agents/${id}/stop`,
      headers: b.auth(b.tokens.owner),
    });
    expect(stop.statusCode).toBe(200);
    expect((await onA.next("complete")).reason).toBe("stopped");
    expect((await onB.next("complete")).reason).toBe("stopped");
    // and the agent is free again, on either replica
    onB.send({ type: "message", content: "tokens:3" });
    await onB.next("complete", (f) => f.reason === "done");
    await Promise.all([onA.close(), onB.close()]);
  });

  it("frames larger than one notification cross replicas whole", async () => {
    const id = await a.createAgent();
    const watcher = await watch(b, id);
    const runner = await watch(a, id);
    const long = `${"ünïcode 😀 ".repeat(1_500)}end`;
    runner.send({ type: "message", content: long });
    const user = await watcher.next("step", (f) => stepKind(f.step) === "user");
    expect(Buffer.byteLength(JSON.stringify(user))).toBeGreaterThan(8_000);
    expect(user.step.content).toBe(long);
    runner.send({ type: "stop" });
    await watcher.next("complete");
    await Promise.all([runner.close(), watcher.close()]);
  });

  it("deleting on one replica stops the run on the other and closes every socket", async () => {
    const id = await a.createAgent();
    const [onA, onB] = await Promise.all([watch(a, id), watch(b, id)]);
    const closedA = new Promise<number>((resolve) => onA.ws.once("close", resolve));
    const closedB = new Promise<number>((resolve) => onB.ws.once("close", resolve));
    onA.send({ type: "message", content: "tokens:200" });
    await onB.next("state", (f) => f.state === "GENERATING");
    const res = await b.app.inject({
      method: "DELETE",
      url: `/api/agents/${id}`,
      headers: b.auth(b.tokens.owner),
    });
    expect(res.statusCode).toBe(200);
    expect(await closedA).toBe(4404);
    expect(await closedB).toBe(4404);
    const steps = await a.database.db.selectFrom("steps").select("idx").where("agent_id", "=", id).execute();
    expect(steps).toEqual([]);
  });

  it("a run left by a replica that is gone ends with an INTERRUPTED step every socket sees", async () => {
    const id = await a.createAgent();
    const [onA, onB] = await Promise.all([watch(a, id), watch(b, id)]);
    const orphansBefore = (
      await Promise.all([a, b].map((h) => metric(h, "agent_orphaned_runs_closed_total")))
    ).reduce((x, y) => x + y, 0);
    // what a replica killed mid-run leaves: a run row still 'running', and nobody holding the agent's lock
    const runId = randomUUID();
    await a.database.db
      .insertInto("runs")
      .values({
        id: runId,
        agent_id: id,
        status: "running",
        started_at: new Date().toISOString(),
        ended_at: null,
        error: null,
      })
      .execute();
    const started = Date.now();
    const [stepA, stepB] = await Promise.all([
      onA.next("step", (f) => f.step.runId === runId, 5_000),
      onB.next("step", (f) => f.step.runId === runId, 5_000),
    ]);
    expect(Date.now() - started).toBeLessThan(SWEEP_MS * 5 + 1_000);
    expect(stepA.step).toEqual(stepB.step);
    expect(stepA.step).toMatchObject({ role: "agent", isEnd: true, error: "INTERRUPTED" });
    expect((await onB.next("complete", (f) => f.runId === runId)).reason).toBe("error");
    // exactly one step was written, whichever replica swept first
    const rows = await a.database.db
      .selectFrom("steps")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("run_id", "=", runId)
      .execute();
    expect(Number(rows[0]!.n)).toBe(1);
    // …and counted once, by the replica that closed it
    const closedBy = await Promise.all([a, b].map((h) => metric(h, "agent_orphaned_runs_closed_total")));
    expect(closedBy[0]! + closedBy[1]!).toBe(orphansBefore + 1);
    onA.send({ type: "message", content: "tokens:2" });
    await onA.next("complete", (f) => f.runId !== runId);
    await Promise.all([onA.close(), onB.close()]);
  });

  it("a replica that loses its database connection stops its runs, says so, and resyncs its sockets", async () => {
    const id = await a.createAgent();
    const [onA, onB] = await Promise.all([watch(a, id), watch(b, id)]);
    onA.send({ type: "message", content: "tokens:300" });
    await onA.next("step", (f) => stepKind(f.step) === "user");
    // cut A's link (its lock and LISTEN connection), as a database restart would
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const { rows } = await admin.query<{ pid: number }>(
      "select pid from pg_stat_activity where application_name = 'agent-service cluster link' and pid <> pg_backend_pid() order by backend_start limit 1",
    );
    // A's link opened first (a was built first)
    await admin.query("select pg_terminate_backend($1)", [rows[0]!.pid]);
    await admin.end();
    expect((await onA.next("error", (f) => f.code === "DATABASE_UNAVAILABLE", 5_000)).error).toMatch(
      /database/,
    );
    expect((await onA.next("complete", () => true, 5_000)).reason).toBe("error");
    // back: A's socket gets the conversation again, the run closed, and the agent takes messages
    const inits = () => onA.frames.filter((f) => f.type === "init").length;
    const until = Date.now() + 8_000;
    while (inits() < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(inits()).toBe(2);
    expect(await metric(a, "agent_cluster_link_up")).toBe(1);
    await new Promise((r) => setTimeout(r, SWEEP_MS * 3));
    onB.send({ type: "message", content: "tokens:2" });
    const done = await onB.next("complete", (f) => f.reason === "done", 5_000);
    expect(done.reason).toBe("done");
    const runs = await a.database.db
      .selectFrom("runs")
      .select("status")
      .where("agent_id", "=", id)
      .orderBy("started_at")
      .execute();
    expect(runs.map((r) => r.status)).toEqual(["interrupted", "done"]);
    await Promise.all([onA.close(), onB.close()]);
  });
});
