import { type Static, Type } from "@sinclair/typebox";
import { Agent, AgentState } from "./agents.ts";
import { OperatorResultMap } from "./results.ts";
import { MessageSource, ReActStep } from "./steps.ts";
import { Workflow } from "./workflow.ts";

// The WebSocket /api/agents/:id/react as Texera's agent-service speaks it and its frontend reads it
// (apache/texera b29e5be1be08a6df37b7b3c0e45d19d1aa743342: agent-service/src/server.ts:441-470 and
// frontend agent.service.ts:460-590). Extras (fields marked so, the `delta` frame) never reach a client
// that did not ask for them, or are fields Texera's frontend ignores.

export const MAX_MESSAGE_CHARS = 20_000;

/** Query parameter that asks for streamed `delta` frames: `/api/agents/:id/react?deltas=1`. */
export const DELTAS_QUERY = "deltas";

/**
 * Close codes of an agent socket whose user lost access (application range 4000–4999, read like HTTP's):
 * the token expired (sign in again), or the account was deactivated or its role may no longer use agents.
 * An `error` frame saying so comes first.
 */
export const CLOSE_TOKEN_EXPIRED = 4401;
export const CLOSE_ACCESS_REVOKED = 4403;

/** Client → server frames. `messageSource` absent means "chat". */
export const ClientMessageFrame = Type.Object(
  {
    type: Type.Literal("message"),
    content: Type.String({ minLength: 1, maxLength: MAX_MESSAGE_CHARS }),
    messageSource: Type.Optional(MessageSource),
  },
  { additionalProperties: false },
);
export const ClientStopFrame = Type.Object({ type: Type.Literal("stop") }, { additionalProperties: false });
export const ClientFrame = Type.Union([ClientMessageFrame, ClientStopFrame]);
export type ClientFrame = Static<typeof ClientFrame>;

/**
 * First frame of every socket: the state, every step of every branch, HEAD, the latest results and the
 * workflow (Texera's frontend applies `workflowContent` to the canvas). Extra: `agent`.
 */
export const InitFrame = Type.Object({
  type: Type.Literal("init"),
  state: AgentState,
  steps: Type.Array(ReActStep),
  headId: Type.String(),
  operatorResults: OperatorResultMap,
  workflowContent: Workflow,
  agent: Agent,
});
export const StateFrame = Type.Object({ type: Type.Literal("state"), state: AgentState });
/** extra, only with `?deltas=1`: model text of the step in progress (`index` is the step's `index`). */
export const DeltaFrame = Type.Object({
  type: Type.Literal("delta"),
  index: Type.Integer(),
  text: Type.String(),
});
/** A step was made (or, for a run's last step, re-sent with `isEnd: true`). Results when it called tools. */
export const StepFrame = Type.Object({
  type: Type.Literal("step"),
  step: ReActStep,
  operatorResults: Type.Optional(OperatorResultMap),
});
export const RunEndReason = Type.Union([
  Type.Literal("done"),
  Type.Literal("stopped"),
  Type.Literal("max_steps"),
  Type.Literal("error"),
]);
export type RunEndReason = Static<typeof RunEndReason>;
/** A run ended: the state after it and the latest results. Extras: `runId`, `reason`. */
export const CompleteFrame = Type.Object({
  type: Type.Literal("complete"),
  state: AgentState,
  operatorResults: OperatorResultMap,
  runId: Type.String(),
  reason: RunEndReason,
});
/** Something a person should read (`error`); `code` (extra) says what kind, for programs. */
export const ErrorFrame = Type.Object({
  type: Type.Literal("error"),
  error: Type.String(),
  code: Type.Optional(Type.String()),
});
/** HEAD moved (checkout): every step, the new HEAD, and the workflow as it was after that step. */
export const HeadChangeFrame = Type.Object({
  type: Type.Literal("headChange"),
  headId: Type.String(),
  steps: Type.Array(ReActStep),
  workflowContent: Workflow,
  operatorResults: OperatorResultMap,
});
export const ServerFrame = Type.Union([
  InitFrame,
  StateFrame,
  DeltaFrame,
  StepFrame,
  CompleteFrame,
  ErrorFrame,
  HeadChangeFrame,
]);
export type ServerFrame = Static<typeof ServerFrame>;
export type InitFrame = Static<typeof InitFrame>;
export type StepFrame = Static<typeof StepFrame>;
export type DeltaFrame = Static<typeof DeltaFrame>;
export type CompleteFrame = Static<typeof CompleteFrame>;
export type ErrorFrame = Static<typeof ErrorFrame>;
export type HeadChangeFrame = Static<typeof HeadChangeFrame>;

/** The error text Texera's frontend keys on to forget an agent (agent.service.ts:576). */
export const AGENT_NOT_FOUND_TEXT = "Agent not found";
