import { type Static, Type } from "@sinclair/typebox";
import { Agent, AgentState } from "./agents.ts";
import { ReActStep } from "./steps.ts";
import { Workflow } from "./workflow.ts";

export const MAX_MESSAGE_CHARS = 20_000;

/** Client → server frames on /api/agents/:id/react. */
export const ClientMessageFrame = Type.Object(
  { type: Type.Literal("message"), content: Type.String({ minLength: 1, maxLength: MAX_MESSAGE_CHARS }) },
  { additionalProperties: false },
);
export const ClientStopFrame = Type.Object({ type: Type.Literal("stop") }, { additionalProperties: false });
export const ClientFrame = Type.Union([ClientMessageFrame, ClientStopFrame]);
export type ClientFrame = Static<typeof ClientFrame>;

/** Server → client frames. */
export const InitFrame = Type.Object({
  type: Type.Literal("init"),
  agent: Agent,
  state: AgentState,
  steps: Type.Array(ReActStep),
  workflow: Workflow,
});
export const StateFrame = Type.Object({ type: Type.Literal("state"), state: AgentState });
export const DeltaFrame = Type.Object({
  type: Type.Literal("delta"),
  /** index of the step in progress */
  index: Type.Integer(),
  text: Type.String(),
});
export const StepFrame = Type.Object({
  type: Type.Literal("step"),
  step: ReActStep,
  /** the workflow after this step, when the step changed it */
  workflow: Type.Optional(Workflow),
});
export const CompleteFrame = Type.Object({
  type: Type.Literal("complete"),
  runId: Type.String(),
  reason: Type.Union([
    Type.Literal("done"),
    Type.Literal("stopped"),
    Type.Literal("max_steps"),
    Type.Literal("error"),
  ]),
});
export const ErrorFrame = Type.Object({
  type: Type.Literal("error"),
  message: Type.String(),
  code: Type.Optional(Type.String()),
});
export const ServerFrame = Type.Union([
  InitFrame,
  StateFrame,
  DeltaFrame,
  StepFrame,
  CompleteFrame,
  ErrorFrame,
]);
export type ServerFrame = Static<typeof ServerFrame>;
export type InitFrame = Static<typeof InitFrame>;
export type StepFrame = Static<typeof StepFrame>;
export type DeltaFrame = Static<typeof DeltaFrame>;
export type CompleteFrame = Static<typeof CompleteFrame>;
export type ErrorFrame = Static<typeof ErrorFrame>;
