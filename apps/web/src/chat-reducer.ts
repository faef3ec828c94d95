import {
  type Agent,
  type AgentState,
  emptyWorkflow,
  pathToHead,
  type ReActStep,
  ROOT_STEP_ID,
  type ServerFrame,
  stepKind,
  touchedBy,
  type Workflow,
} from "@texera-agent/protocol";
import type { ConnectionStatus } from "./agent-socket.ts";
import { lastRunEnd, type RunEnd } from "./run-end.ts";

export interface ChatNotice {
  id: number;
  tone: "error" | "info";
  message: string;
  code?: string;
}

/** Everything the chat and workflow panels draw for one agent, built from server frames only. */
export interface ChatState {
  agent: Agent | null;
  /** null until the first `init` frame */
  agentState: AgentState | null;
  /** every step of every branch, in the order they were made */
  steps: ReActStep[];
  /** the step the conversation continues from (Texera's HEAD); "step-initial" is the root */
  headId: string;
  /** model text of the step in progress, as `delta` frames arrive */
  streaming: { index: number; text: string } | null;
  workflow: Workflow;
  /** operators that the latest step of the current run to touch any created, changed or deleted */
  touchedOperators: string[];
  /** a message sent and not yet confirmed by its `user` step; `accepted` once the agent started on it */
  pending: { content: string; accepted: boolean } | null;
  /** a message the server refused; the input takes it back */
  returnedDraft: string | null;
  notices: ChatNotice[];
  /** how the latest run ended: from its `complete` frame, or (after a reload) from its saved steps */
  lastRun: RunEnd | null;
  connection: ConnectionStatus;
  /** true once this connection delivered its `init` frame */
  synced: boolean;
  nextNoticeId: number;
}

export type ChatAction =
  | { type: "frame"; frame: ServerFrame }
  | { type: "connection"; status: ConnectionStatus }
  | { type: "sent"; content: string }
  | { type: "send-failed"; content: string; message: string }
  | { type: "notice"; tone: ChatNotice["tone"]; message: string }
  | { type: "dismiss"; id: number }
  | { type: "draft-taken" }
  | { type: "cleared" }
  | { type: "workflow"; workflow: Workflow };

const MAX_NOTICES = 5;

export function initialChatState(): ChatState {
  return {
    agent: null,
    agentState: null,
    steps: [],
    headId: ROOT_STEP_ID,
    streaming: null,
    workflow: emptyWorkflow(),
    touchedOperators: [],
    pending: null,
    returnedDraft: null,
    notices: [],
    lastRun: null,
    connection: { kind: "connecting", attempt: 0 },
    synced: false,
    nextNoticeId: 1,
  };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "frame":
      return applyFrame(state, action.frame);
    case "connection":
      return {
        ...state,
        connection: action.status,
        synced: action.status.kind === "open" ? state.synced && state.connection.kind === "open" : false,
      };
    case "sent":
      return {
        ...state,
        pending: { content: action.content, accepted: false },
        returnedDraft: null,
        lastRun: null,
      };
    case "send-failed":
      return addNotice(
        { ...state, pending: null, returnedDraft: action.content },
        { tone: "error", message: action.message },
      );
    case "notice":
      return addNotice(state, { tone: action.tone, message: action.message });
    case "dismiss":
      return { ...state, notices: state.notices.filter((notice) => notice.id !== action.id) };
    case "draft-taken":
      return { ...state, returnedDraft: null };
    case "cleared":
      return {
        ...state,
        steps: [],
        headId: ROOT_STEP_ID,
        streaming: null,
        touchedOperators: [],
        lastRun: null,
        notices: [],
      };
    case "workflow":
      return { ...state, workflow: action.workflow };
  }
}

function applyFrame(state: ChatState, frame: ServerFrame): ChatState {
  switch (frame.type) {
    case "init": {
      const steps = sortSteps(frame.steps);
      const path = pathToHead(steps, frame.headId);
      const pending = state.pending;
      const pendingSaved =
        pending !== null && steps.some((step) => step.role === "user" && step.content === pending.content);
      return {
        ...state,
        agent: frame.agent,
        agentState: frame.state,
        steps,
        headId: frame.headId,
        streaming: null,
        workflow: frame.workflowContent,
        touchedOperators: lastTouched(path),
        pending: pendingSaved ? null : pending,
        // A reload gets no complete frame: the saved steps tell how the latest run ended. A complete frame
        // of that run already seen says it more exactly (e.g. "error" of a run whose step was lost).
        lastRun:
          !pendingSaved && pending !== null
            ? null // a message on its way starts a new run
            : state.lastRun !== null && state.lastRun.runId === path[path.length - 1]?.runId
              ? state.lastRun
              : lastRunEnd(path, frame.state),
        synced: true,
      };
    }
    case "state":
      return {
        ...state,
        agentState: frame.state,
        agent: state.agent ? { ...state.agent, state: frame.state } : state.agent,
        pending:
          state.pending && frame.state === "GENERATING"
            ? { ...state.pending, accepted: true }
            : state.pending,
      };
    case "delta": {
      if (state.steps.some((step) => step.index === frame.index)) return state; // late: already complete
      const text = state.streaming?.index === frame.index ? state.streaming.text + frame.text : frame.text;
      return { ...state, streaming: { index: frame.index, text } };
    }
    case "step": {
      const { step } = frame;
      const steps = upsertStep(state.steps, step);
      const touched = touchedBy(step);
      return {
        ...state,
        steps,
        // every step moves HEAD to itself (Texera's frontend does the same, agent.service.ts:511-514)
        headId: step.id,
        streaming: state.streaming && state.streaming.index <= step.index ? null : state.streaming,
        workflow: step.afterWorkflowContent ?? state.workflow,
        // A new message starts a new run: the highlight shows what this run changes.
        touchedOperators: touched.length > 0 ? touched : step.role === "user" ? [] : state.touchedOperators,
        pending: step.role === "user" ? null : state.pending,
        // The run's error frame and its saved step say the same thing: keep the step only.
        notices:
          stepKind(step) === "system"
            ? state.notices.filter(
                (notice) => notice.message !== step.content && `Error: ${notice.message}` !== step.content,
              )
            : state.notices,
      };
    }
    case "headChange":
      return {
        ...state,
        steps: sortSteps(frame.steps),
        headId: frame.headId,
        workflow: frame.workflowContent,
        streaming: null,
        touchedOperators: [],
        lastRun: null,
      };
    case "complete":
      // Texera's complete carries the state after the run (there is no state frame for it)
      return {
        ...state,
        agentState: frame.state,
        agent: state.agent ? { ...state.agent, state: frame.state } : state.agent,
        streaming: null,
        lastRun: { runId: frame.runId, reason: frame.reason },
      };
    case "error": {
      // A refused message (agent busy, too long) comes back to the input instead of vanishing.
      const refused = state.pending && !state.pending.accepted ? state.pending.content : null;
      return addNotice(
        {
          ...state,
          pending: refused === null ? state.pending : null,
          returnedDraft: refused ?? state.returnedDraft,
        },
        { tone: "error", message: frame.error, code: frame.code },
      );
    }
  }
}

function upsertStep(steps: ReActStep[], step: ReActStep): ReActStep[] {
  const at = steps.findIndex((existing) => existing.index === step.index);
  if (at >= 0) return steps.map((existing, i) => (i === at ? step : existing));
  const last = steps[steps.length - 1];
  if (!last || last.index < step.index) return [...steps, step];
  return sortSteps([...steps, step]);
}

function sortSteps(steps: ReActStep[]): ReActStep[] {
  return [...steps].sort((a, b) => a.index - b.index);
}

/** What the latest run touched last (nothing when it touched nothing). */
function lastTouched(steps: ReActStep[]): string[] {
  const runId = steps[steps.length - 1]?.runId;
  for (let i = steps.length - 1; i >= 0 && steps[i]?.runId === runId; i--) {
    const step = steps[i];
    const touched = step ? touchedBy(step) : [];
    if (touched.length > 0) return touched;
  }
  return [];
}

function addNotice(state: ChatState, notice: Omit<ChatNotice, "id">): ChatState {
  const entry: ChatNotice = { id: state.nextNoticeId, ...notice };
  if (entry.code === undefined) delete entry.code;
  return {
    ...state,
    notices: [...state.notices, entry].slice(-MAX_NOTICES),
    nextNoticeId: state.nextNoticeId + 1,
  };
}

/** The conversation HEAD sees: the steps on the path from the root to HEAD, oldest first. */
export function visibleSteps(state: Pick<ChatState, "steps" | "headId">): ReActStep[] {
  return pathToHead(state.steps, state.headId);
}

/** The agent takes a message only when connected, synced, idle, and not waiting for the last one. */
export function canSend(state: ChatState): boolean {
  return (
    state.connection.kind === "open" &&
    state.synced &&
    (state.pending === null || state.pending.accepted) &&
    (state.agentState === "AVAILABLE" || state.agentState === null)
  );
}

export function isRunning(state: ChatState): boolean {
  return state.agentState === "GENERATING" || state.agentState === "STOPPING" || state.streaming !== null;
}

/** Why the input is disabled, in words; null when it is not. */
export function sendBlockedReason(state: ChatState): string | null {
  if (state.connection.kind === "closed") return state.connection.reason;
  if (state.connection.kind !== "open" || !state.synced) return "Connecting to the agent…";
  if (state.pending !== null && !state.pending.accepted) return "Sending…";
  if (state.agentState === "GENERATING") return "The agent is working. Stop it to send a new message.";
  if (state.agentState === "STOPPING") return "The agent is stopping…";
  if (state.agentState === "UNAVAILABLE") return "The agent is unavailable right now.";
  return null;
}
