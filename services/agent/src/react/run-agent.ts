import {
  type AgentSettings,
  type OperatorResultSummary,
  ROOT_STEP_ID,
  type Workflow,
} from "@texera-agent/protocol";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { estimateText, estimateTools, fitHistory, inputBudget } from "./context-window.ts";
import { RunAborted, UpstreamError } from "./errors.ts";
import type { ChatRequest, LlmClient } from "./llm-client.ts";
import { withReasoning } from "./messages.ts";
import { type RetryPolicy, type Sleep, withRetry } from "./retry.ts";
import { type ModelTurn, type RawToolCall, streamStep } from "./stream-step.ts";
import type { ToolRegistry } from "./tool-registry.ts";
import type { AgentTurn, TurnToolCall, TurnToolResult } from "./turn.ts";

export interface RunAgentInput {
  runId: string;
  agentId: string;
  userId: number;
  /** The settings the run started with; later changes apply to the next run. */
  settings: AgentSettings;
  /** The conversation so far, the new user message last (without the system prompt). */
  history: ChatCompletionMessageParam[];
  workflow: Workflow;
  /** Index of the first step this run produces (deltas carry it). */
  firstIndex: number;
  signal: AbortSignal;
  /**
   * The first turn's system prompt (for `workflow` and `settings`), when the caller started building it
   * early: it may read the data's columns from disk, which can overlap the caller's own work.
   */
  firstSystemPrompt?: Promise<string>;
  /** The agent's HEAD now (the step the next one hangs on; null: the root): what tool calls run at. */
  head?: () => string | null;
}

export interface RunAgentDeps {
  llm: LlmClient;
  tools: ToolRegistry;
  policy: RetryPolicy & {
    idleTimeoutMs: number;
    /** Wait for the response and its first chunk (LLM_FIRST_CHUNK_TIMEOUT_MS); default idleTimeoutMs. */
    firstChunkTimeoutMs?: number;
    /** The context window of a model nobody knows better (LLM_CONTEXT_WINDOW_TOKENS). */
    contextWindowTokens?: number;
  };
  /** The model's input window as LiteLLM's /model/info says (`max_input_tokens`), if it does. */
  contextWindow?(model: string): Promise<number | undefined>;
  /** Waits between retries; tests pass one that does not sleep. */
  sleep?: Sleep;
  /** May read the data the workflow works on (column names and types), hence async. */
  systemPrompt(workflow: Workflow, settings: AgentSettings, userId: number): Promise<string> | string;
  now(): Date;
  onRetry?(error: UpstreamError, delayMs: number, attempt: number): void;
}

export interface RunAgentEvents {
  /** Model text of the step in progress, as it streams. */
  delta(index: number, text: string): void;
  /**
   * A finished model turn with its tool calls (saved as a step before the promise resolves); `workflow`
   * when the turn changed it; `last` when the run ends with it (no tool calls).
   */
  step(turn: AgentTurn, workflow: Workflow | undefined, last: boolean): Promise<void>;
  /**
   * A note to the user about this run (older history left out, a sampling setting dropped, an answer cut
   * off), saved as a step of its own before the promise resolves; `code` names what happened.
   */
  notice(content: string, code: string): Promise<void>;
}

export type RunOutcome =
  | { reason: "done" | "max_steps" | "stopped"; workflow: Workflow }
  | { reason: "error"; error: UpstreamError; workflow: Workflow };

/**
 * The ReAct loop: a model turn, then its tool calls, saved as one step; again while the model calls tools
 * and the step budget lasts. Stops at once when `signal` aborts. An LLM failure ends the run with an error
 * outcome; a tool failure goes back to the model.
 */
export async function runAgent(
  input: RunAgentInput,
  deps: RunAgentDeps,
  events: RunAgentEvents,
): Promise<RunOutcome> {
  const { settings, signal } = input;
  const messages = [...input.history];
  let workflow = input.workflow;
  let steps = 0;
  let index = input.firstIndex;
  const window = contextWindowOf(input, deps);
  window.catch(() => {});
  const context: TurnContext = { window, noted: false, sampling: samplingOf(settings) };
  // Every step and notice takes the next index; deltas carry the index of the step being streamed.
  const notice = async (content: string, code: string) => {
    await events.notice(content, code);
    index++;
  };
  try {
    do {
      const prompt =
        steps === 0 && input.firstSystemPrompt
          ? input.firstSystemPrompt
          : deps.systemPrompt(workflow, settings, input.userId);
      const turn = await modelTurn(messages, await prompt, () => index, input, deps, events, context, notice);
      const executed = await runTools(turn.toolCalls, workflow, input, deps);
      const changed = executed.workflow !== workflow;
      workflow = executed.workflow;
      const truncated = turn.finishReason === "length";
      await events.step(
        agentTurn(turn, executed, deps.now()),
        changed ? workflow : undefined,
        turn.toolCalls.length === 0,
      );
      index++;
      if (truncated) {
        await notice(
          "The model's answer was cut off at its output limit (finish_reason: length); ask it to continue, or to answer in shorter parts.",
          "TRUNCATED",
        );
      }
      messages.push(...turnMessages(turn, executed.results));
      steps++;
      if (executed.stopped) return { reason: "stopped", workflow };
      if (turn.toolCalls.length === 0) return { reason: "done", workflow };
    } while (steps < settings.maxSteps);
    return { reason: "max_steps", workflow };
  } catch (error) {
    if (error instanceof RunAborted || signal.aborted) return { reason: "stopped", workflow };
    if (error instanceof UpstreamError) return { reason: "error", error, workflow };
    throw error;
  }
}

interface TurnContext {
  window: Promise<number>;
  /** The "older messages left out" note was shown in this run. */
  noted: boolean;
  /** temperature / top_p, only those the settings set (cleared when the model refuses them). */
  sampling: { temperature?: number; top_p?: number };
}

/** The smaller of what LiteLLM knows about the model and the agent's setting; else the service default. */
async function contextWindowOf(input: RunAgentInput, deps: RunAgentDeps): Promise<number> {
  const known = await deps.contextWindow?.(input.settings.modelType).catch(() => undefined);
  const set = input.settings.contextWindowTokens;
  const fallback = deps.policy.contextWindowTokens ?? DEFAULT_CONTEXT_WINDOW;
  if (known !== undefined && set !== undefined) return Math.min(known, set);
  return known ?? set ?? fallback;
}

export const DEFAULT_CONTEXT_WINDOW = 128_000;

function samplingOf(settings: AgentSettings): TurnContext["sampling"] {
  return {
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
    ...(settings.topP !== undefined ? { top_p: settings.topP } : {}),
  };
}

/**
 * One model turn with its retries. The history sent fits the model's context window (fitHistory); a
 * ContextWindowExceeded answer is tried once more with half the budget, and a refused temperature/top_p
 * once more without them, each with a note in the conversation.
 */
async function modelTurn(
  messages: ChatCompletionMessageParam[],
  systemPrompt: string,
  index: () => number,
  input: RunAgentInput,
  deps: RunAgentDeps,
  events: RunAgentEvents,
  context: TurnContext,
  notice: (text: string, code: string) => Promise<void>,
): Promise<ModelTurn> {
  const { settings } = input;
  const tools = deps.tools.offered(settings.disabledTools);
  const window = await context.window;
  const fixed = estimateText(systemPrompt) + (tools.length > 0 ? estimateTools(tools) : 0);
  let budget = inputBudget(window) - fixed;
  let retriedContext = false;
  let retriedParams = false;
  for (;;) {
    const fitted = fitHistory(messages, Math.max(budget, 0));
    if ((fitted.dropped > 0 || fitted.shortened > 0) && (!context.noted || retriedContext)) {
      context.noted = true;
      await notice(contextNote(fitted.dropped, fitted.shortened, window, retriedContext), "CONTEXT_TRIMMED");
    }
    const note =
      fitted.dropped > 0
        ? `\n\n(The ${fitted.dropped} oldest messages of this conversation were left out to fit your context window.)`
        : "";
    const request: ChatRequest = {
      model: settings.modelType,
      ...context.sampling,
      user: String(input.userId),
      messages: [{ role: "system" as const, content: systemPrompt + note }, ...fitted.messages],
      ...(tools.length > 0 ? { tools } : {}),
    };
    try {
      return await withRetry(
        () =>
          streamStep(deps.llm, request, {
            signal: input.signal,
            idleTimeoutMs: deps.policy.idleTimeoutMs,
            firstChunkTimeoutMs: deps.policy.firstChunkTimeoutMs,
            onDelta: (text) => events.delta(index(), text),
          }),
        deps.policy,
        input.signal,
        deps.onRetry,
        deps.sleep,
      );
    } catch (error) {
      if (!(error instanceof UpstreamError) || error.options.streamed) throw error;
      if (error.code === "LLM_CONTEXT_TOO_LONG" && !retriedContext) {
        retriedContext = true;
        budget = smallerBudget(Math.min(budget, fitted.tokens), fixed, error.options.context);
        continue;
      }
      // A model that refuses one sampling parameter (reasoning models) refuses the others as well.
      const refused = (error.options.params ?? []).filter((p) => p in context.sampling);
      if (error.code === "LLM_UNSUPPORTED_PARAMS" && !retriedParams && refused.length > 0) {
        retriedParams = true;
        const dropped = Object.keys(context.sampling);
        context.sampling = {};
        await notice(
          `The model does not accept ${refused.join(" and ")}; this run continues without ${dropped.join(" and ")}. Clear ${dropped.length > 1 ? "these settings" : "this setting"} (temperature, topP) in the agent's settings.`,
          "SAMPLING_DROPPED",
        );
        continue;
      }
      throw error;
    }
  }
}

/**
 * The history budget for the one retry after a ContextWindowExceeded answer. When LiteLLM's message gives
 * the window and the size asked, the whole request (system prompt and tools included) is scaled to the
 * window by the model's own count, with a tenth to spare; else half the history is sent.
 */
function smallerBudget(
  history: number,
  fixed: number,
  said: { window?: number; requested?: number } | undefined,
): number {
  const half = Math.floor(history / 2);
  if (said?.window === undefined || said.requested === undefined || said.requested <= said.window)
    return half;
  const total = Math.floor(((history + fixed) * said.window * 0.9) / said.requested);
  return Math.max(0, Math.min(half, total - fixed));
}

function contextNote(dropped: number, shortened: number, window: number, again: boolean): string {
  const parts: string[] = [];
  if (dropped > 0) parts.push(`the ${dropped} oldest messages are no longer sent to the model`);
  if (shortened > 0) parts.push(`${shortened} long tool results are sent shortened`);
  const why = again
    ? "LiteLLM said the conversation did not fit the model's context window, so less is sent now"
    : `to fit the model's context window of ${window.toLocaleString("en-US")} tokens`;
  return `Context: ${parts.join(" and ")} (${why}). Clear the history to start afresh.`;
}

interface Executed {
  calls: TurnToolCall[];
  results: TurnToolResult[];
  touchedPerCall: string[][];
  /** The latest execution's per-operator summaries, when a tool ran the workflow. */
  operatorResults?: OperatorResultSummary[];
  workflow: Workflow;
  /** The run was stopped between or during tool calls. */
  stopped: boolean;
}

/** Runs the turn's tool calls one after another, each seeing the workflow the previous one left. */
async function runTools(
  raw: RawToolCall[],
  start: Workflow,
  input: RunAgentInput,
  deps: RunAgentDeps,
): Promise<Executed> {
  const out: Executed = { calls: [], results: [], touchedPerCall: [], workflow: start, stopped: false };
  for (const call of raw) {
    out.calls.push({ id: call.id, name: call.name, arguments: parseArguments(call.arguments) });
    out.touchedPerCall.push([]);
    if (out.stopped) {
      out.results.push(notRun(call));
      continue;
    }
    try {
      const { result, outcome } = await deps.tools.execute(
        call,
        {
          workflow: out.workflow,
          signal: input.signal,
          settings: input.settings,
          userId: input.userId,
          agentId: input.agentId,
          headId: input.head?.() ?? ROOT_STEP_ID,
        },
        input.settings.toolTimeoutMs,
      );
      out.results.push(result);
      if (outcome?.workflow) out.workflow = outcome.workflow;
      out.touchedPerCall[out.touchedPerCall.length - 1] = [...new Set(outcome?.touchedOperators ?? [])];
      if (outcome?.operatorResults) out.operatorResults = outcome.operatorResults;
    } catch (error) {
      if (!(error instanceof RunAborted)) throw error;
      out.stopped = true;
      out.results.push(notRun(call));
    }
  }
  return out;
}

const notRun = (call: RawToolCall): TurnToolResult => ({
  toolCallId: call.id,
  name: call.name,
  ok: false,
  output: "error: not run, the run was stopped",
  durationMs: 0,
});

function agentTurn(turn: ModelTurn, executed: Executed, at: Date): AgentTurn {
  return {
    content: turn.content,
    ...(turn.reasoning !== undefined ? { reasoning: turn.reasoning } : {}),
    ...(turn.thinkingBlocks ? { thinkingBlocks: turn.thinkingBlocks } : {}),
    ...(turn.finishReason === "length" ? { truncated: true } : {}),
    toolCalls: executed.calls,
    toolResults: executed.results,
    ...(turn.usage ? { usage: turn.usage } : {}),
    touchedPerCall: executed.touchedPerCall,
    ...(executed.operatorResults ? { operatorResults: executed.operatorResults } : {}),
    at,
  };
}

function turnMessages(turn: ModelTurn, results: TurnToolResult[]): ChatCompletionMessageParam[] {
  if (turn.toolCalls.length === 0) return [{ role: "assistant", content: turn.content }];
  return [
    withReasoning(
      {
        role: "assistant",
        content: turn.content === "" ? null : turn.content,
        tool_calls: turn.toolCalls.map((c) => ({
          id: c.id,
          type: "function" as const,
          function: { name: c.name, arguments: c.arguments },
        })),
      },
      turn.reasoning,
      turn.thinkingBlocks,
    ),
    ...results.map((r) => ({ role: "tool" as const, tool_call_id: r.toolCallId, content: r.output })),
  ];
}

/** The parsed arguments for the saved step; the raw text when the model sent invalid JSON. */
function parseArguments(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
