import type { AgentSettings, OperatorResultSummary, Workflow } from "@texera-agent/protocol";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { RunAborted, UpstreamError } from "./errors.ts";
import type { LlmClient } from "./llm-client.ts";
import { type RetryPolicy, withRetry } from "./retry.ts";
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
}

export interface RunAgentDeps {
  llm: LlmClient;
  tools: ToolRegistry;
  policy: RetryPolicy & { idleTimeoutMs: number };
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
  try {
    do {
      const index = input.firstIndex + steps;
      const prompt =
        steps === 0 && input.firstSystemPrompt
          ? input.firstSystemPrompt
          : deps.systemPrompt(workflow, settings, input.userId);
      const turn = await modelTurn(messages, await prompt, index, input, deps, events);
      const executed = await runTools(turn.toolCalls, workflow, input, deps);
      const changed = executed.workflow !== workflow;
      workflow = executed.workflow;
      await events.step(
        agentTurn(turn, executed, deps.now()),
        changed ? workflow : undefined,
        turn.toolCalls.length === 0,
      );
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

function modelTurn(
  messages: ChatCompletionMessageParam[],
  systemPrompt: string,
  index: number,
  input: RunAgentInput,
  deps: RunAgentDeps,
  events: RunAgentEvents,
): Promise<ModelTurn> {
  const { settings } = input;
  const tools = deps.tools.offered(settings.disabledTools);
  const request = {
    model: settings.modelType,
    temperature: settings.temperature,
    user: String(input.userId),
    messages: [{ role: "system" as const, content: systemPrompt }, ...messages],
    ...(tools.length > 0 ? { tools } : {}),
  };
  return withRetry(
    () =>
      streamStep(deps.llm, request, {
        signal: input.signal,
        idleTimeoutMs: deps.policy.idleTimeoutMs,
        onDelta: (text) => events.delta(index, text),
      }),
    deps.policy,
    input.signal,
    deps.onRetry,
  );
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
    {
      role: "assistant",
      content: turn.content === "" ? null : turn.content,
      tool_calls: turn.toolCalls.map((c) => ({
        id: c.id,
        type: "function" as const,
        function: { name: c.name, arguments: c.arguments },
      })),
    },
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
