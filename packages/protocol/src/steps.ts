import { type Static, Type } from "@sinclair/typebox";
import { IsoDate } from "./common.ts";
import { OperatorResultSummary } from "./results.ts";

export const ToolCall = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** Parsed JSON arguments; the raw text when the model sent invalid JSON. */
  arguments: Type.Unknown(),
});
export type ToolCall = Static<typeof ToolCall>;

export const ToolResult = Type.Object({
  toolCallId: Type.String(),
  name: Type.String(),
  ok: Type.Boolean(),
  /** What went back to the model (tool output, or the error text it can correct). */
  output: Type.String(),
  durationMs: Type.Number(),
});
export type ToolResult = Static<typeof ToolResult>;

export const Usage = Type.Object({
  promptTokens: Type.Integer(),
  completionTokens: Type.Integer(),
  totalTokens: Type.Integer(),
});
export type Usage = Static<typeof Usage>;

/**
 * One entry of an agent's history. `user`: a message the user sent. `agent`: one model turn (its text is
 * the thought) plus the results of the tools it called. `system`: a notice about the run (stopped, failed,
 * cut short by a restart), in words a person can act on.
 */
export const ReActStep = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  kind: Type.Union([Type.Literal("user"), Type.Literal("agent"), Type.Literal("system")]),
  runId: Type.String(),
  content: Type.String(),
  toolCalls: Type.Array(ToolCall),
  toolResults: Type.Array(ToolResult),
  usage: Type.Optional(Usage),
  /** Operators this step created, changed or deleted (for highlighting). */
  touchedOperators: Type.Array(Type.String()),
  /** Row counts and columns per operator when this step executed the workflow (rows: operator-results). */
  operatorResults: Type.Optional(Type.Array(OperatorResultSummary)),
  error: Type.Optional(Type.String()),
  /** The model's reasoning (`reasoning_content`), kept to be sent back with its tool calls. */
  reasoning: Type.Optional(Type.String()),
  /** Anthropic thinking blocks (with signatures), sent back with the step's tool calls. */
  thinkingBlocks: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 32 })),
  /** The model stopped at its output limit (`finish_reason: "length"`): the answer is cut off. */
  truncated: Type.Optional(Type.Boolean()),
  createdAt: IsoDate,
});
export type ReActStep = Static<typeof ReActStep>;

export const StepList = Type.Object({ steps: Type.Array(ReActStep) });
export type StepList = Static<typeof StepList>;
