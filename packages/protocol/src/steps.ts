import { type Static, Type } from "@sinclair/typebox";
import { OperatorResultSummary } from "./results.ts";
import { Workflow } from "./workflow.ts";

// Texera's ReActStep, as its agent-service sends it and its frontend reads it: apache/texera at
// b29e5be1be08a6df37b7b3c0e45d19d1aa743342, frontend/src/app/workspace/service/agent/agent-types.ts
// (ReActStep) and agent.service.ts:320-356 (convertApiReActStep). Fields marked "extra" are this service's;
// Texera's frontend ignores fields it does not know.

/** The root of every agent's version tree: never sent as a step, but a fresh agent's HEAD and the first parent. */
export const ROOT_STEP_ID = "step-initial";

/** A tool call in Texera's names: `input` is the parsed arguments (the raw text when they were not JSON). */
export const ToolCall = Type.Object({
  toolName: Type.String(),
  toolCallId: Type.String(),
  input: Type.Unknown(),
});
export type ToolCall = Static<typeof ToolCall>;

export const ToolResult = Type.Object({
  toolCallId: Type.String(),
  /** What went back to the model (tool output, or the error text it can correct). */
  output: Type.String(),
  isError: Type.Boolean(),
  /** extra: the tool's name and how long it ran */
  toolName: Type.Optional(Type.String()),
  durationMs: Type.Optional(Type.Number()),
});
export type ToolResult = Static<typeof ToolResult>;

/** Token counts in Texera's names (the AI SDK's), from the usage LiteLLM reported. */
export const StepUsage = Type.Object({
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  totalTokens: Type.Integer(),
  cachedInputTokens: Type.Optional(Type.Integer()),
});
export type StepUsage = Static<typeof StepUsage>;

/** Operators a tool call looked at, added or changed; keyed by the call's position in the step (Texera's Map<number, …>). */
export const OperatorAccess = Type.Record(
  Type.String({ pattern: "^[0-9]+$" }),
  Type.Object({
    viewedOperatorIds: Type.Array(Type.String()),
    addedOperatorIds: Type.Array(Type.String()),
    modifiedOperatorIds: Type.Array(Type.String()),
  }),
);
export type OperatorAccess = Static<typeof OperatorAccess>;

export const MessageSource = Type.Union([Type.Literal("chat"), Type.Literal("feedback")]);
export type MessageSource = Static<typeof MessageSource>;

/**
 * One node of an agent's version tree. A user message starts a message (`messageId`) with the user step
 * (`stepId` 0); each model turn of the answer is an agent step (`stepId` 1, 2, …). A run that was stopped,
 * failed or cut short ends with an agent step saying so (`Generation stopped by user.`, `Error: …`).
 * `parentId` is the HEAD the step was made on, so a message sent after a checkout starts a branch.
 */
export const ReActStep = Type.Object({
  id: Type.String(),
  parentId: Type.Optional(Type.String()),
  messageId: Type.String(),
  stepId: Type.Integer({ minimum: 0 }),
  /** epoch milliseconds */
  timestamp: Type.Number(),
  role: Type.Union([Type.Literal("user"), Type.Literal("agent")]),
  content: Type.String(),
  isBegin: Type.Boolean(),
  isEnd: Type.Boolean(),
  toolCalls: Type.Optional(Type.Array(ToolCall)),
  toolResults: Type.Optional(Type.Array(ToolResult)),
  usage: Type.Optional(StepUsage),
  messageSource: Type.Optional(MessageSource),
  beforeWorkflowContent: Type.Optional(Workflow),
  afterWorkflowContent: Type.Optional(Workflow),
  operatorAccess: Type.Optional(OperatorAccess),
  /** extra: the step's place in the agent's history (storage order, across branches) */
  index: Type.Integer({ minimum: 0 }),
  /** extra: the run (one answered message) the step belongs to */
  runId: Type.String(),
  /** extra: why the run ended early (LLM_TIMEOUT, INTERRUPTED, …), on the step that says so */
  error: Type.Optional(Type.String()),
  /** extra: row counts and columns per operator when this step executed the workflow */
  operatorResults: Type.Optional(Type.Array(OperatorResultSummary)),
  /** extra: the model's reasoning (`reasoning_content`), kept to be sent back with its tool calls */
  reasoning: Type.Optional(Type.String()),
  /** extra: Anthropic thinking blocks (with signatures), sent back with the step's tool calls */
  thinkingBlocks: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 32 })),
  /** extra: the model stopped at its output limit (`finish_reason: "length"`): the answer is cut off */
  truncated: Type.Optional(Type.Boolean()),
});
export type ReActStep = Static<typeof ReActStep>;

/** GET /api/agents/:id/react-steps: every step of every branch, in storage order, and the agent's state. */
export const StepList = Type.Object({ steps: Type.Array(ReActStep), state: Type.String() });
export type StepList = Static<typeof StepList>;

/** The ids of the steps from the root to `headId` (inclusive), oldest first: the conversation HEAD sees. */
export function pathToHead(steps: readonly ReActStep[], headId: string | null | undefined): ReActStep[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const path: ReActStep[] = [];
  let at = headId ? byId.get(headId) : undefined;
  const seen = new Set<string>();
  while (at && !seen.has(at.id)) {
    seen.add(at.id);
    path.push(at);
    at = at.parentId ? byId.get(at.parentId) : undefined;
  }
  return path.reverse();
}

/** Operators any call of the step added or changed (for highlighting). */
export function touchedBy(step: Pick<ReActStep, "operatorAccess">): string[] {
  const out = new Set<string>();
  for (const access of Object.values(step.operatorAccess ?? {})) {
    for (const id of access.addedOperatorIds) out.add(id);
    for (const id of access.modifiedOperatorIds) out.add(id);
  }
  return [...out];
}

/** What a step is to a reader: the user's message, a model turn, or a notice about how a run ended. */
export function stepKind(step: Pick<ReActStep, "role" | "error">): "user" | "agent" | "system" {
  if (step.role === "user") return "user";
  return step.error === undefined ? "agent" : "system";
}
