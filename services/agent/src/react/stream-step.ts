import { describeUpstreamError } from "./describe-upstream-error.ts";
import { RunAborted, UpstreamError } from "./errors.ts";
import type { ChatRequest, LlmClient } from "./llm-client.ts";
import type { Usage } from "./turn.ts";

/** A tool call as the model streamed it: arguments are still JSON text. */
export interface RawToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** One model turn, assembled from the stream. */
export interface ModelTurn {
  content: string;
  toolCalls: RawToolCall[];
  usage: Usage | undefined;
  finishReason: string;
}

export interface StreamStepOptions {
  signal: AbortSignal;
  /** No response headers or no chunk for this long: the turn fails with LLM_TIMEOUT. */
  idleTimeoutMs: number;
  onDelta(text: string): void;
}

/**
 * Streams one chat completion and assembles the turn: text pieces go out through onDelta as they come,
 * tool-call pieces are joined by index, usage comes from the last chunk. Aborting `signal` cancels the HTTP
 * request at once and throws RunAborted; a stall longer than idleTimeoutMs cancels it as a timeout.
 */
export async function streamStep(
  llm: LlmClient,
  request: ChatRequest,
  opts: StreamStepOptions,
): Promise<ModelTurn> {
  const { signal } = opts;
  if (signal.aborted) throw new RunAborted();
  const local = new AbortController();
  const onAbort = () => local.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  // Restarted on every chunk: refresh() moves the same timer instead of allocating one per chunk.
  const arm = () => {
    if (timer) timer.refresh();
    else
      timer = setTimeout(() => {
        timedOut = true;
        local.abort();
      }, opts.idleTimeoutMs);
  };

  let content = "";
  const calls: RawToolCall[] = [];
  let usage: Usage | undefined;
  let finishReason: string | undefined;
  let streamed = false;
  try {
    arm();
    const stream = await llm.streamChat(request, local.signal);
    for await (const chunk of stream) {
      arm();
      if (chunk.usage) {
        usage = {
          promptTokens: chunk.usage.prompt_tokens ?? 0,
          completionTokens: chunk.usage.completion_tokens ?? 0,
          totalTokens: chunk.usage.total_tokens ?? 0,
        };
      }
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = choice.delta;
      if (delta?.content) {
        streamed = true;
        content += delta.content;
        opts.onDelta(delta.content);
      }
      for (const piece of delta?.tool_calls ?? []) {
        streamed = true;
        const i = piece.index ?? calls.length;
        let call = calls[i];
        if (!call) {
          call = { id: "", name: "", arguments: "" };
          calls[i] = call;
        }
        if (piece.id) call.id = piece.id;
        if (piece.function?.name) call.name += piece.function.name;
        if (piece.function?.arguments) call.arguments += piece.function.arguments;
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    // The SDK ends the iteration quietly when the request is aborted.
    if (signal.aborted) throw new RunAborted();
    if (timedOut) throw timeoutError(llm, opts.idleTimeoutMs, streamed);
    if (finishReason === undefined) {
      throw new UpstreamError(
        "LLM_CONNECTION_LOST",
        `the reply from LiteLLM at ${llm.baseUrl} ended before it was complete; send the message again`,
        { retryable: true, streamed },
      );
    }
  } catch (error) {
    if (signal.aborted) throw new RunAborted();
    if (timedOut) throw timeoutError(llm, opts.idleTimeoutMs, streamed);
    throw describeUpstreamError(error, { baseUrl: llm.baseUrl, scrub: llm.scrub, streamed });
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
  const toolCalls = calls.filter((c) => c !== undefined).map((c, i) => ({ ...c, id: c.id || `call_${i}` }));
  return { content, toolCalls, usage, finishReason };
}

function timeoutError(llm: LlmClient, ms: number, streamed: boolean): UpstreamError {
  return new UpstreamError(
    "LLM_TIMEOUT",
    `LiteLLM at ${llm.baseUrl} sent nothing for ${seconds(ms)} ${streamed ? "in the middle of the reply" : "after the request"}; the model may be overloaded, try again (LLM_IDLE_TIMEOUT_MS sets this limit)`,
    { streamed },
  );
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
