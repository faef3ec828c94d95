import { type ServerFrame, stepKind, type Workflow } from "@texera-agent/protocol";
import { describe, expect, it } from "vitest";
import {
  type ChatAction,
  type ChatState,
  canSend,
  chatReducer,
  initialChatState,
  isRunning,
  sendBlockedReason,
  visibleSteps,
} from "./chat-reducer.ts";
import { makeAgent, makeStep, makeWorkflow } from "./test-fixtures.ts";

const frame = (f: ServerFrame): ChatAction => ({ type: "frame", frame: f });
const run = (actions: ChatAction[], from: ChatState = initialChatState()) =>
  actions.reduce(chatReducer, from);
const open: ChatAction = { type: "connection", status: { kind: "open" } };
type InitOverrides = Partial<Omit<Extract<ServerFrame, { type: "init" }>, "workflowContent">> & {
  workflow?: Workflow;
};
/** An init frame; HEAD defaults to the newest step (a single branch). */
const init = ({ workflow, ...overrides }: InitOverrides = {}): ChatAction => {
  const steps = overrides.steps ?? [];
  const newest = [...steps].sort((a, b) => b.index - a.index)[0];
  return frame({
    type: "init",
    agent: makeAgent(),
    state: "AVAILABLE",
    steps,
    headId: newest?.id ?? "step-initial",
    operatorResults: {},
    workflowContent: workflow ?? makeWorkflow(),
    ...overrides,
  });
};

describe("chatReducer", () => {
  it("takes state, steps and workflow from init, sorted, with the last touched operators", () => {
    const state = run([
      open,
      init({
        steps: [
          makeStep(2, { touched: [] }),
          makeStep(0, { kind: "user" }),
          makeStep(1, { touched: ["op1"] }),
        ],
        workflow: makeWorkflow("op1", "op2"),
        state: "GENERATING",
      }),
    ]);
    expect(state.steps.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(state.agentState).toBe("GENERATING");
    expect(state.workflow.operators).toHaveLength(2);
    expect(state.touchedOperators).toEqual(["op1"]);
    expect(state.synced).toBe(true);
  });

  it("streams deltas into the step in progress and replaces them with the completed step", () => {
    let state = run([open, init(), frame({ type: "delta", index: 1, text: "Let me " })]);
    state = chatReducer(state, frame({ type: "delta", index: 1, text: "look." }));
    expect(state.streaming).toEqual({ index: 1, text: "Let me look." });
    expect(isRunning(state)).toBe(true);

    state = chatReducer(state, frame({ type: "delta", index: 2, text: "Next" }));
    expect(state.streaming).toEqual({ index: 2, text: "Next" });

    const workflow = makeWorkflow("scan");
    state = chatReducer(
      state,
      frame({ type: "step", step: makeStep(2, { touched: ["scan"], afterWorkflowContent: workflow }) }),
    );
    expect(state.streaming).toBeNull();
    expect(state.steps.map((s) => s.index)).toEqual([2]);
    expect(state.workflow).toBe(workflow);
    expect(state.touchedOperators).toEqual(["scan"]);

    // a late delta of a completed step is ignored
    expect(chatReducer(state, frame({ type: "delta", index: 2, text: "late" })).streaming).toBeNull();
  });

  it("keeps the workflow and highlight when a step changed nothing", () => {
    const workflow = makeWorkflow("a");
    let state = run([
      open,
      init({ workflow }),
      frame({ type: "step", step: makeStep(0, { touched: ["a"] }) }),
    ]);
    state = chatReducer(state, frame({ type: "step", step: makeStep(1) }));
    expect(state.workflow).toBe(workflow);
    expect(state.touchedOperators).toEqual(["a"]);
  });

  it("starts a new run's highlight empty, also after a reload", () => {
    let state = run([open, init(), frame({ type: "step", step: makeStep(0, { touched: ["a"] }) })]);
    state = chatReducer(state, frame({ type: "step", step: makeStep(1, { kind: "user", runId: "run-2" }) }));
    expect(state.touchedOperators).toEqual([]);
    const reloaded = chatReducer(
      state,
      init({ steps: [makeStep(0, { touched: ["a"] }), makeStep(1, { runId: "run-2" })] }),
    );
    expect(reloaded.touchedOperators).toEqual([]);
  });

  it("replaces a step that arrives twice and inserts out-of-order steps in place", () => {
    const state = run([
      open,
      init(),
      frame({ type: "step", step: makeStep(0) }),
      frame({ type: "step", step: makeStep(2) }),
      frame({ type: "step", step: makeStep(1) }),
      frame({ type: "step", step: makeStep(2, { content: "again" }) }),
    ]);
    expect(state.steps.map((s) => `${s.index}:${s.content}`)).toEqual(["0:step 0", "1:step 1", "2:again"]);
  });

  it("shows a sent message until its user step arrives", () => {
    let state = run([open, init(), { type: "sent", content: "build a filter" }]);
    expect(state.pending).toEqual({ content: "build a filter", accepted: false });
    expect(canSend(state)).toBe(false);
    expect(sendBlockedReason(state)).toBe("Sending…");
    state = chatReducer(state, frame({ type: "state", state: "GENERATING" }));
    expect(state.pending?.accepted).toBe(true);
    expect(state.agent?.state).toBe("GENERATING");
    state = chatReducer(
      state,
      frame({ type: "step", step: makeStep(0, { kind: "user", content: "build a filter" }) }),
    );
    expect(state.pending).toBeNull();
    expect(sendBlockedReason(state)).toMatch(/agent is working/);
  });

  it("gives a refused message back to the input with the server's words", () => {
    const state = run([
      open,
      init({ state: "AVAILABLE" }),
      { type: "sent", content: "hello" },
      frame({
        type: "error",
        error: "The agent is still working on your last message.",
        code: "AGENT_BUSY",
      }),
    ]);
    expect(state.pending).toBeNull();
    expect(state.returnedDraft).toBe("hello");
    expect(state.notices).toEqual([
      {
        id: 1,
        tone: "error",
        message: "The agent is still working on your last message.",
        code: "AGENT_BUSY",
      },
    ]);
    const taken = chatReducer(state, { type: "draft-taken" });
    expect(taken.returnedDraft).toBeNull();
    expect(chatReducer(taken, { type: "dismiss", id: 1 }).notices).toEqual([]);
  });

  it("an error during an accepted run does not give the message back", () => {
    const state = run([
      open,
      init(),
      { type: "sent", content: "hello" },
      frame({ type: "state", state: "GENERATING" }),
      frame({ type: "error", error: "The model gateway is unreachable." }),
    ]);
    expect(state.returnedDraft).toBeNull();
    expect(state.notices[0]?.message).toBe("The model gateway is unreachable.");
  });

  it("drops an error notice once the run's system step says the same", () => {
    const message = "the model gateway is unreachable; try again later";
    const state = run([
      open,
      init(),
      frame({ type: "error", error: "something else" }),
      frame({ type: "error", error: message, code: "LLM_UNAVAILABLE" }),
      frame({
        type: "step",
        // Texera's words for a failed run: "Error: " and the text of the error frame
        step: makeStep(3, { kind: "system", content: `Error: ${message}`, error: "LLM_UNAVAILABLE" }),
      }),
    ]);
    expect(state.notices.map((n) => n.message)).toEqual(["something else"]);
    expect(state.steps.map((s) => stepKind(s))).toEqual(["system"]);
  });

  it("clears the pending message when a reconnect's init shows it was saved", () => {
    const state = run([
      open,
      init(),
      { type: "sent", content: "hi" },
      { type: "connection", status: { kind: "reconnecting", attempt: 1, delayMs: 500 } },
      open,
      init({ steps: [makeStep(0, { kind: "user", content: "hi" }), makeStep(1)], state: "GENERATING" }),
    ]);
    expect(state.pending).toBeNull();
    expect(state.steps).toHaveLength(2);
  });

  it("is not synced, and refuses input, between a drop and the next init", () => {
    let state = run([open, init()]);
    expect(canSend(state)).toBe(true);
    expect(sendBlockedReason(state)).toBeNull();
    state = chatReducer(state, {
      type: "connection",
      status: { kind: "reconnecting", attempt: 1, delayMs: 700 },
    });
    expect(state.synced).toBe(false);
    state = chatReducer(state, open);
    expect(canSend(state)).toBe(false);
    expect(sendBlockedReason(state)).toMatch(/connecting/i);
    state = chatReducer(state, init());
    expect(canSend(state)).toBe(true);
    state = chatReducer(state, {
      type: "connection",
      status: { kind: "closed", reason: "This agent was deleted." },
    });
    expect(sendBlockedReason(state)).toBe("This agent was deleted.");
  });

  it("ends streaming and records the outcome on complete", () => {
    const state = run([
      open,
      init(),
      frame({ type: "delta", index: 0, text: "partial" }),
      frame({ type: "complete", state: "AVAILABLE", operatorResults: {}, runId: "run-1", reason: "stopped" }),
    ]);
    expect(state.streaming).toBeNull();
    expect(state.lastRun).toEqual({ runId: "run-1", reason: "stopped" });
  });

  it("keeps at most five notices, newest last", () => {
    const actions: ChatAction[] = Array.from({ length: 7 }, (_, i) => ({
      type: "notice",
      tone: "info",
      message: `n${i}`,
    }));
    const state = run(actions);
    expect(state.notices.map((n) => n.message)).toEqual(["n2", "n3", "n4", "n5", "n6"]);
    expect(new Set(state.notices.map((n) => n.id)).size).toBe(5);
  });

  it("empties the conversation after a clear", () => {
    const state = run([open, init({ steps: [makeStep(0, { touched: ["a"] })] }), { type: "cleared" }]);
    expect(state.steps).toEqual([]);
    expect(state.touchedOperators).toEqual([]);
  });

  it("after a reload (init without complete) shows how the latest saved run ended", () => {
    const steps = [
      makeStep(0, { kind: "user" }),
      makeStep(1),
      makeStep(2, { kind: "user", runId: "run-2" }),
      makeStep(3, { kind: "system", runId: "run-2", content: "Stopped by the user." }),
    ];
    expect(run([open, init({ steps })]).lastRun).toEqual({ runId: "run-2", reason: "stopped" });
    expect(run([open, init({ steps: steps.slice(0, 2) })]).lastRun).toEqual({
      runId: "run-1",
      reason: "done",
    });
    // still running: no outcome yet, then the live complete frame gives it
    const live = run([open, init({ steps: steps.slice(0, 3), state: "GENERATING" })]);
    expect(live.lastRun).toBeNull();
    expect(
      run(
        [
          frame({
            type: "complete",
            state: "AVAILABLE",
            operatorResults: {},
            runId: "run-2",
            reason: "error",
          }),
          frame({ type: "state", state: "AVAILABLE" }),
        ],
        live,
      ).lastRun,
    ).toEqual({ runId: "run-2", reason: "error" });
  });

  it("keeps a complete frame's outcome across a reconnect, and shows none for a message on its way", () => {
    const steps = [makeStep(0, { kind: "user" }), makeStep(1)];
    const completed = run([
      open,
      init({ steps }),
      frame({
        type: "complete",
        state: "AVAILABLE",
        operatorResults: {},
        runId: "run-1",
        reason: "max_steps",
      }),
    ]);
    expect(run([open, init({ steps })], completed).lastRun).toEqual({ runId: "run-1", reason: "max_steps" });
    const sending = run([{ type: "sent", content: "next question" }], completed);
    expect(run([open, init({ steps })], sending).lastRun).toBeNull();
  });

  it("takes the state after the run from complete (Texera sends no state frame for it)", () => {
    let state = run([open, init(), frame({ type: "state", state: "GENERATING" })]);
    expect(isRunning(state)).toBe(true);
    state = chatReducer(
      state,
      frame({ type: "complete", state: "AVAILABLE", operatorResults: {}, runId: "r", reason: "done" }),
    );
    expect(state.agentState).toBe("AVAILABLE");
    expect(isRunning(state)).toBe(false);
    expect(canSend(state)).toBe(true);
  });

  it("follows HEAD: each step moves it, headChange replaces the steps, the workflow and HEAD", () => {
    let state = run([open, init({ steps: [makeStep(0, { kind: "user" }), makeStep(1)] })]);
    expect(state.headId).toBe("s1");
    expect(visibleSteps(state).map((s) => s.id)).toEqual(["s0", "s1"]);
    const branch = makeStep(2, { kind: "user", id: "b0", parentId: "s0", runId: "run-2" });
    state = chatReducer(state, frame({ type: "step", step: branch }));
    expect(state.headId).toBe("b0");
    // the other branch's answer is kept but not shown
    expect(visibleSteps(state).map((s) => s.id)).toEqual(["s0", "b0"]);
    expect(state.steps).toHaveLength(3);
    const restored = makeWorkflow("scan");
    state = chatReducer(
      state,
      frame({
        type: "headChange",
        headId: "s1",
        steps: state.steps,
        workflowContent: restored,
        operatorResults: {},
      }),
    );
    expect(visibleSteps(state).map((s) => s.id)).toEqual(["s0", "s1"]);
    expect(state.workflow).toBe(restored);
  });
});
