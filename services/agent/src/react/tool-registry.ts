import type { ChatCompletionTool } from "openai/resources/chat/completions";
import { RunAborted } from "./errors.ts";
import type { RawToolCall } from "./stream-step.ts";
import type { AgentTool, ToolContext, ToolOutcome } from "./tool-types.ts";
import type { TurnToolResult as ToolResult } from "./turn.ts";

/** Tool output longer than this is cut before it goes back to the model (and into the history). */
export const MAX_TOOL_OUTPUT_CHARS = 50_000;

export interface ToolExecution {
  result: ToolResult;
  outcome?: ToolOutcome;
}

/**
 * The tools an agent can offer. Other issues add tools by passing more AgentTool objects. Every failure
 * of a call (unknown or disabled tool, bad JSON, a throw, a timeout) becomes a tool-error result that
 * goes back to the model; only the run being stopped ends the call with RunAborted.
 */
export class ToolRegistry {
  private readonly tools = new Map<string, AgentTool>();
  private readonly offeredCache = new Map<string, ChatCompletionTool[]>();

  constructor(tools: readonly AgentTool[]) {
    for (const tool of tools) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(tool.name)) throw new TypeError(`bad tool name "${tool.name}"`);
      if (this.tools.has(tool.name)) throw new TypeError(`two tools are named "${tool.name}"`);
      this.tools.set(tool.name, tool);
    }
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  /** Every tool with its description and JSON Schema, in registration order (system-info). */
  describe(): { name: string; description: string; parameters: Record<string, unknown> }[] {
    return [...this.tools.values()].map((t) => ({
      name: t.name,
      description: t.description,
      parameters: t.parameters,
    }));
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  /** The tools in OpenAI's shape, without the disabled ones (the model never sees those). */
  offered(disabled: readonly string[]): ChatCompletionTool[] {
    const key = disabled.join("\u0000");
    let list = this.offeredCache.get(key);
    if (!list) {
      list = this.buildOffered(disabled);
      if (this.offeredCache.size > 100) this.offeredCache.clear();
      this.offeredCache.set(key, list);
    }
    return list;
  }

  private buildOffered(disabled: readonly string[]): ChatCompletionTool[] {
    const off = new Set(disabled);
    return [...this.tools.values()]
      .filter((t) => !off.has(t.name))
      .map((t) => ({
        type: "function",
        function: { name: t.name, description: t.description, parameters: t.parameters },
      }));
  }

  async execute(call: RawToolCall, ctx: ToolContext, timeoutMs: number): Promise<ToolExecution> {
    const started = performance.now();
    const fail = (output: string): ToolExecution => ({
      result: { toolCallId: call.id, name: call.name, ok: false, output, durationMs: elapsed(started) },
    });
    const tool = this.tools.get(call.name);
    if (!tool)
      return fail(`error: there is no tool "${call.name}"; the tools are: ${this.offeredNames(ctx)}`);
    if (ctx.settings.disabledTools.includes(call.name)) {
      return fail(
        `error: the tool "${call.name}" is disabled for this agent; use one of: ${this.offeredNames(ctx)}`,
      );
    }
    let args: unknown;
    try {
      args = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
    } catch (error) {
      return fail(
        `error: the arguments of ${call.name} are not valid JSON (${(error as Error).message}); send a JSON object`,
      );
    }
    if (ctx.signal.aborted) throw new RunAborted();

    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout.signal]);
    try {
      const outcome = await untilAborted(tool.execute(args, { ...ctx, signal }), signal);
      const output = clip(
        typeof outcome.output === "string" ? outcome.output : JSON.stringify(outcome.output),
      );
      return {
        result: { toolCallId: call.id, name: call.name, ok: true, output, durationMs: elapsed(started) },
        outcome,
      };
    } catch (error) {
      if (ctx.signal.aborted) throw new RunAborted();
      if (timeout.signal.aborted) return fail(`error: ${call.name} timed out after ${timeoutMs} ms`);
      const message = error instanceof Error ? error.message : String(error);
      return fail(clip(`error: ${message}`));
    } finally {
      clearTimeout(timer);
    }
  }

  private offeredNames(ctx: ToolContext): string {
    const off = new Set(ctx.settings.disabledTools);
    return (
      this.names()
        .filter((n) => !off.has(n))
        .join(", ") || "(none)"
    );
  }
}

/** Settles with the promise, or rejects as soon as the signal aborts (for tools that ignore it). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new RunAborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RunAborted());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 100) / 100;

const clip = (text: string) =>
  text.length > MAX_TOOL_OUTPUT_CHARS
    ? `${text.slice(0, MAX_TOOL_OUTPUT_CHARS)}… (cut: ${text.length} characters in all)`
    : text;
