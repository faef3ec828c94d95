import type { Scenario } from "@texera-agent/llm-sim";
import { type ReActStep, stepKind, type Workflow } from "@texera-agent/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventually, FrameClient, type Harness, startHarness, USERS } from "../testing/harness.ts";
import { addCsvRule } from "../testing/scenarios.ts";

const SCENARIO: Scenario = {
  rules: [
    { name: "tokens", match: { lastUser: "^tokens: (\\d+)$" }, reply: { tokens: "{{match:1}}" } },
    addCsvRule({ content: "I will add a CSV scan." }),
    {
      name: "bad-tool",
      match: { lastUser: "break a tool", assistantTurns: 0 },
      reply: {
        toolCalls: [
          {
            name: "addOperator",
            arguments: { operatorId: "op1", operatorType: "NoSuchOperator", properties: {}, summary: "s" },
          },
          { name: "deleteOperator", arguments: { operatorId: "x" } },
          { name: "nope", arguments: {} },
          { name: "getWorkflow", arguments: "{not json" },
        ],
      },
    },
    { name: "loop", match: { lastUser: "loop forever" }, reply: { toolCalls: [{ name: "getWorkflow" }] } },
    {
      name: "after-tool",
      match: { afterToolResult: true },
      reply: { content: "Done: the workflow changed." },
    },
  ],
  fallback: { content: "{{lastUser}}" },
};

/** The steps of the frames, the last version of each (a run's last step comes twice). */
const latest = (frames: FrameClient["frames"]): ReActStep[] => {
  const byIndex = new Map<number, ReActStep>();
  for (const f of frames) if (f.type === "step") byIndex.set(f.step.index, f.step);
  return [...byIndex.values()];
};

/** The parts of a chat request these tests read. */
interface SimBody {
  model: string;
  temperature: number;
  tools: { function: { name: string } }[];
  messages: { role: string; content: string }[];
}
const bodyOf = (i: number) => h.sim.requests[i]!.body as SimBody;

let h: Harness;
const clients: FrameClient[] = [];
/** A socket that asks for streamed deltas (`?deltas=1`), as this service's web app does. */
const open = async (id: string) => {
  const c = await FrameClient.open(h.wsUrl(`/api/agents/${id}/react`));
  clients.push(c);
  await c.next("init");
  return c;
};

beforeAll(async () => {
  h = await startHarness({ sim: { scenario: SCENARIO } });
  await h.listen();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  h.sim.setFault("sim-small", undefined);
  h.sim.reset();
});
afterAll(() => h.close());

describe("a ReAct run over the WebSocket", () => {
  it("does not compress frames, though the client offers permessage-deflate", async () => {
    const c = await open(await h.createAgent());
    expect(c.ws.extensions).toBe("");
  });

  it("streams init, state, delta, step, complete in order and edits the workflow", async () => {
    const id = await h.createAgent(h.tokens.owner, {
      modelType: "sim-small",
      settings: { temperature: 0.7 },
    });
    const c = await open(id);
    c.send({ type: "message", content: "please add a csv" });
    const complete = await c.next("complete");
    expect(complete.reason).toBe("done");

    const types = c.frames.map((f) => f.type);
    expect(types[0]).toBe("init");
    const firstAgentStep = c.frames.findIndex((f) => f.type === "step" && stepKind(f.step) === "agent");
    const order = [
      types.indexOf("init"),
      types.indexOf("state"),
      types.indexOf("delta"),
      firstAgentStep,
      types.indexOf("complete"),
    ];
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(types.slice(0, 3)).toEqual(["init", "state", "step"]); // the user's step first
    expect(types.at(-1)).toBe("complete");
    expect(complete.state).toBe("AVAILABLE");

    const steps = c.frames.flatMap((f) => (f.type === "step" ? [f] : []));
    // Texera's order: the last step twice, first not ending the message, then ending it
    expect(steps.map((s) => [stepKind(s.step), s.step.index, s.step.isEnd])).toEqual([
      ["user", 0, true],
      ["agent", 1, false],
      ["agent", 2, false],
      ["agent", 2, true],
    ]);
    expect(steps.map((s) => s.step.parentId)).toEqual([
      "step-initial",
      steps[0]!.step.id,
      steps[1]!.step.id,
      steps[1]!.step.id,
    ]);
    expect(new Set(steps.map((s) => s.step.messageId)).size).toBe(1);
    expect(steps.map((s) => s.step.stepId)).toEqual([0, 1, 2, 2]);
    const toolStep = steps[1]!;
    expect(toolStep.step.toolCalls?.[0]).toMatchObject({ toolName: "addOperator" });
    expect(toolStep.step.toolResults?.[0]).toMatchObject({ isError: false });
    expect(toolStep.step.operatorAccess?.["0"]?.addedOperatorIds).toHaveLength(1);
    expect(toolStep.step.beforeWorkflowContent?.operators).toEqual([]);
    expect(toolStep.step.afterWorkflowContent?.operators[0]).toMatchObject({ operatorType: "CSVFileScan" });
    expect(toolStep.step.usage?.totalTokens).toBeGreaterThan(0);
    expect(steps[2]!.step.afterWorkflowContent).toEqual(toolStep.step.afterWorkflowContent);
    expect(steps[2]!.step.content).toBe("Done: the workflow changed.");

    // deltas of a step add up to its text
    const deltaText = (index: number) =>
      c.frames.flatMap((f) => (f.type === "delta" && f.index === index ? [f.text] : [])).join("");
    expect(deltaText(1)).toBe("I will add a CSV scan.");
    expect(deltaText(2)).toBe("Done: the workflow changed.");

    // saved, and the same over REST
    const saved = (
      await h.app.inject({ url: `/api/agents/${id}/react-steps`, headers: h.auth(h.tokens.owner) })
    ).json().steps as ReActStep[];
    expect(saved).toEqual([steps[0]!.step, steps[1]!.step, steps[3]!.step]);
    const wf = (
      await h.app.inject({ url: `/api/agents/${id}/workflow`, headers: h.auth(h.tokens.owner) })
    ).json() as Workflow;
    expect(wf.operators.map((o) => o.operatorType)).toEqual(["CSVFileScan"]);

    // what LiteLLM saw: the user id, the settings, usage in the stream, the tools, the workflow in the prompt
    expect(h.sim.requests).toHaveLength(2);
    for (const r of h.sim.requests) {
      const body = r.body as SimBody;
      expect(r.user).toBe(String(USERS.owner));
      expect(body).toMatchObject({
        model: "sim-small",
        temperature: 0.7,
        stream: true,
        stream_options: { include_usage: true },
      });
      expect(body.tools.map((t) => t.function.name)).toContain("addOperator");
      expect(body.messages[0]!.role).toBe("system");
      expect(body.messages[0]!.content).toContain("CSVFileScan");
    }
    const second = bodyOf(1).messages;
    expect(second[0]!.content).toContain("- op1 CSVFileScan"); // the workflow summary after the edit
    expect(second.at(-1)).toMatchObject({ role: "tool" });
  });

  it("sends tool failures back to the model and goes on", async () => {
    const id = await h.createAgent();
    await h.app.inject({
      method: "PATCH",
      url: `/api/agents/${id}/settings`,
      headers: h.auth(h.tokens.owner),
      payload: { disabledTools: ["deleteOperator"] },
    });
    const c = await open(id);
    c.send({ type: "message", content: "break a tool" });
    expect((await c.next("complete")).reason).toBe("done");
    const steps = latest(c.frames);
    const results = steps[1]!.toolResults!;
    expect(results.map((r) => r.isError)).toEqual([true, true, true, true]);
    expect(results[0]!.output).toMatch(/NoSuchOperator/);
    expect(results[1]!.output).toMatch(/disabled/);
    expect(results[2]!.output).toMatch(/no tool "nope"/);
    expect(results[3]!.output).toMatch(/not valid JSON/);
    expect(steps[2]!.content).toBe("Done: the workflow changed.");
    // a disabled tool is not offered
    const offered = bodyOf(0).tools.map((t) => t.function.name);
    expect(offered).not.toContain("deleteOperator");
    expect(offered).toContain("addOperator");
  });

  it("ends at maxSteps with a system step", async () => {
    const id = await h.createAgent(h.tokens.owner, { modelType: "sim-small", settings: { maxSteps: 2 } });
    const c = await open(id);
    c.send({ type: "message", content: "loop forever" });
    expect((await c.next("complete")).reason).toBe("max_steps");
    const steps = latest(c.frames);
    expect(steps.map((s) => stepKind(s))).toEqual(["user", "agent", "agent", "system"]);
    expect(steps[3]).toMatchObject({ error: "MAX_STEPS", isEnd: true });
    expect(steps[3]!.content).toMatch(/2 steps/);
    expect(h.sim.requests).toHaveLength(2);
  });

  it("fans out to every socket, refuses a second message, and survives a dropped socket", async () => {
    h.sim.setFault("sim-small", { tokensPerSecond: 100 });
    const id = await h.createAgent();
    const a = await open(id);
    const b = await open(id);
    a.send({ type: "message", content: "tokens: 40" });
    await a.next("delta");
    a.send({ type: "message", content: "another one" });
    const refused = await a.next("error");
    expect(refused.code).toBe("AGENT_BUSY");
    await a.close(); // the run goes on
    await b.next("delta");
    const late = await open(id); // joins in the middle
    const init = late.frames[0]!;
    expect(init.type === "init" && init.state).toBe("GENERATING");
    expect(init.type === "init" && init.steps.map((s) => stepKind(s))).toEqual(["user"]);
    await b.next("complete");
    await late.next("complete");
    const answer = b.frames.flatMap((f) =>
      f.type === "step" && stepKind(f.step) === "agent" ? [f.step.content] : [],
    );
    expect(answer[0]!.split(" ")).toHaveLength(40);
    // the late joiner got the text so far plus the rest: the whole answer
    const lateText = late.frames.flatMap((f) => (f.type === "delta" ? [f.text] : [])).join("");
    expect(lateText).toBe(answer[0]);
    expect(h.sim.counters.chatRequests).toBe(1); // the refused message was not queued
    const again = await open(id);
    expect(again.frames[0]!.type === "init" && again.frames[0]!.steps.length).toBe(2);
  });

  it("stop aborts the upstream request at once and leaves the agent usable", async () => {
    h.sim.setFault("sim-small", { tokensPerSecond: 50 });
    const id = await h.createAgent();
    const c = await open(id);
    c.send({ type: "message", content: "tokens: 500" });
    await c.next("delta");
    const t0 = performance.now();
    c.send({ type: "stop" });
    await eventually(() => h.sim.counters.aborted === 1, 2_000, "upstream abort");
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect((await c.next("complete")).reason).toBe("stopped");
    expect(c.frames.some((f) => f.type === "state" && f.state === "STOPPING")).toBe(true);
    const steps = latest(c.frames);
    // Texera's stop step (texera-agent.ts:669-695): an agent step that ends the message
    expect(steps.at(-1)).toMatchObject({
      role: "agent",
      content: "Generation stopped by user.",
      isBegin: false,
      isEnd: true,
      error: "STOPPED",
    });
    const agent = (await h.app.inject({ url: `/api/agents/${id}`, headers: h.auth(h.tokens.owner) })).json();
    expect(agent.state).toBe("AVAILABLE");

    h.sim.setFault("sim-small", undefined);
    c.send({ type: "message", content: "hello again" });
    await c.next("complete", (f) => f.reason === "done");
  });

  it("a stop right behind the message stops its run as it starts", async () => {
    const id = await h.createAgent();
    const c = await open(id);
    const requests = h.sim.counters.chatRequests;
    // both frames in one TCP write, so that the service reads them together: the stop comes before the
    // message's run has begun (it waits for its turn, services/start-turns.ts) and must not be lost
    const raw = (c.ws as unknown as { _socket: import("node:net").Socket })._socket;
    raw.cork();
    c.send({ type: "message", content: "tokens: 5" });
    c.send({ type: "stop" });
    raw.uncork();
    expect((await c.next("complete")).reason).toBe("stopped");
    expect(latest(c.frames).at(-1)).toMatchObject({
      content: "Generation stopped by user.",
      error: "STOPPED",
    });
    expect(h.sim.counters.chatRequests).toBe(requests); // stopped before the model was asked
    c.send({ type: "message", content: "hello again" });
    await c.next("complete", (f) => f.reason === "done");
  });

  it("REST stop and clear", async () => {
    h.sim.setFault("sim-small", { tokensPerSecond: 50 });
    const id = await h.createAgent();
    const c = await open(id);
    c.send({ type: "message", content: "tokens: 500" });
    await c.next("delta");
    const clear = await h.app.inject({
      method: "POST",
      url: `/api/agents/${id}/clear`,
      headers: h.auth(h.tokens.owner),
    });
    expect(clear.statusCode).toBe(409);
    const stop = await h.app.inject({
      method: "POST",
      url: `/api/agents/${id}/stop`,
      headers: h.auth(h.tokens.owner),
    });
    expect(stop.json()).toEqual({ status: "stopping" });
    await eventually(() => h.sim.counters.aborted === 1, 2_000, "upstream abort");
    await c.next("complete");
    const cleared = await h.app.inject({
      method: "POST",
      url: `/api/agents/${id}/clear`,
      headers: h.auth(h.tokens.owner),
    });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toEqual({ status: "cleared" });
    const steps = await h.app.inject({
      url: `/api/agents/${id}/react-steps`,
      headers: h.auth(h.tokens.owner),
    });
    expect(steps.json()).toEqual({ steps: [], state: "AVAILABLE" });
    const init = await c.next("init", (f) => f.steps.length === 0);
    expect(init.state).toBe("AVAILABLE");
    expect(init.headId).toBe("step-initial");
  });

  it("deleting a running agent aborts upstream and closes its sockets", async () => {
    h.sim.setFault("sim-small", { tokensPerSecond: 50 });
    const id = await h.createAgent();
    const c = await open(id);
    const closed = new Promise<number>((resolve) => c.ws.once("close", (code) => resolve(code)));
    c.send({ type: "message", content: "tokens: 500" });
    await c.next("delta");
    const del = await h.app.inject({
      method: "DELETE",
      url: `/api/agents/${id}`,
      headers: h.auth(h.tokens.owner),
    });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ deleted: true });
    expect(h.sim.counters.aborted + h.sim.counters.inFlight).toBeGreaterThanOrEqual(1);
    await eventually(() => h.sim.counters.aborted === 1, 2_000, "upstream abort");
    expect(await closed).toBe(4404);
    const gone = await h.app.inject({ url: `/api/agents/${id}`, headers: h.auth(h.tokens.owner) });
    expect(gone.statusCode).toBe(404);
  });

  it("answers bad frames with an error frame", async () => {
    const id = await h.createAgent();
    const c = await open(id);
    c.ws.send("not json");
    expect((await c.next("error")).error).toMatch(/JSON/);
    c.send({ type: "message", content: "" });
    await c.next("error", (f) => /non-empty/.test(f.error));
    expect(h.sim.counters.chatRequests).toBe(0);
  });
});

describe("keep-alive", () => {
  it("drops a socket that stops answering pings, keeps one that answers", async () => {
    const local = await startHarness({ pingIntervalMs: 50 });
    try {
      await local.listen();
      const id = await local.createAgent();
      const live = await FrameClient.open(local.wsUrl(`/api/agents/${id}/react`));
      const dead = await FrameClient.open(local.wsUrl(`/api/agents/${id}/react`));
      await dead.next("init");
      // a peer that vanished: its socket no longer reads, so no pong comes back
      // ws keeps its TCP socket in `_socket` (not public API): paused, it reads nothing and sends no pong
      const socket: import("node:net").Socket = Reflect.get(dead.ws, "_socket");
      socket.pause();
      await eventually(
        () => local.app.websocketServer.clients.size === 1,
        2_000,
        "the silent socket to be dropped",
      );
      expect(live.ws.readyState).toBe(live.ws.OPEN);
      await live.close();
      dead.ws.terminate();
    } finally {
      await local.close();
    }
  });
});
