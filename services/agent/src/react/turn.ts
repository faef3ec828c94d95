import type { OperatorResultSummary } from "@texera-agent/protocol";

// What the ReAct loop hands back per model turn. The runs service turns each into a step of the agent's
// version tree (Texera's ReActStep, packages/protocol/src/steps.ts); the loop itself knows nothing of the tree.

/** Token counts as LiteLLM reports them (OpenAI's names); budgets and metrics count these. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface TurnToolCall {
  id: string;
  name: string;
  /** Parsed JSON arguments; the raw text when the model sent invalid JSON. */
  arguments: unknown;
}

export interface TurnToolResult {
  toolCallId: string;
  name: string;
  ok: boolean;
  /** What went back to the model (tool output, or the error text it can correct). */
  output: string;
  durationMs: number;
}

/** One model turn and what its tool calls did. */
export interface AgentTurn {
  content: string;
  toolCalls: TurnToolCall[];
  toolResults: TurnToolResult[];
  usage?: Usage;
  /** Per tool call (same order): the operators it created, changed or deleted. */
  touchedPerCall: string[][];
  /** Per-operator row counts and columns when a tool executed the workflow. */
  operatorResults?: OperatorResultSummary[];
  /** The model's reasoning (`reasoning_content`), sent back with the turn's tool calls. */
  reasoning?: string;
  /** Anthropic thinking blocks (with signatures), sent back with the turn's tool calls. */
  thinkingBlocks?: Record<string, unknown>[];
  /** The model stopped at its output limit (`finish_reason: "length"`). */
  truncated?: boolean;
  at: Date;
}
