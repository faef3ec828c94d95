import { describeUpstreamError } from "./describe-upstream-error.ts";
import { RunAborted, UpstreamError } from "./errors.ts";
import type { ChatRequest, LlmClient } from "./llm-client.ts";
import { type ThinkingBlock, ThinkingJoiner } from "./thinking.ts";
import { type RawToolCall, ToolCallAssembler, type ToolCallPiece } from "./tool-call-assembler.ts";
import type { Usage } from "./turn.ts";

export type { RawToolCall } from "./tool-call-assembler.ts";

/** One model turn, assembled from the stream. */
export interface ModelTurn {
  content: string;
  toolCalls: RawToolCall[];
  usage: Usage | undefined;
  finishReason: string;
  /** The model's reasoning text (`delta.reasoning_content`), when it sent any. */
  reasoning?: string;
  /** Anthropic thinking blocks with their signatures (`delta.thinking_blocks`), to be sent back. */
  thinkingBlocks?: ThinkingBlock[];
}

export interface StreamStepOptions {
  signal: AbortSignal;
  /** No chunk for this long once the stream has started: the turn fails with LLM_TIMEOUT. */
  idleTimeoutMs: number;
  /**
   * How long to wait for the response and its first chunk (LiteLLM holds its headers until the model's
   * first chunk, which a reasoning model may take minutes to send); default idleTimeoutMs.
   */
  firstChunkTimeoutMs?: number;
  onDelta(text: string): void;
}

/** The delta fields LiteLLM adds to OpenAI's. */
interface LiteLlmDelta {
  content?: string | null;
  tool_calls?: ToolCallPiece[] | null;
  reasoning_content?: string | null;
  thinking_blocks?: unknown;
}

/**
 * Streams one chat completion and assembles the turn: text pieces go out through onDelta as they come,
 * tool-call pieces are joined by ToolCallAssembler, reasoning and thinking blocks are kept, usage comes from
 * the last chunk. Aborting `signal` cancels the HTTP request at once and throws RunAborted; no first chunk
 * within firstChunkTimeoutMs, or a stall longer than idleTimeoutMs after it, cancels it as a timeout.
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
  let firstChunk = true;
  const firstMs = opts.firstChunkTimeoutMs ?? opts.idleTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const expire = () => {
    timedOut = true;
    local.abort();
  };
  // Restarted on every chunk: refresh() moves the same timer instead of allocating one per chunk.
  const arm = () => {
    if (firstChunk && timer) {
      firstChunk = false;
      if (firstMs !== opts.idleTimeoutMs) {
        clearTimeout(timer);
        timer = setTimeout(expire, opts.idleTimeoutMs);
        return;
      }
    }
    if (timer) timer.refresh();
    else timer = setTimeout(expire, firstMs);
  };

  let content = "";
  let reasoning = "";
  const calls = new ToolCallAssembler();
  let thinking: ThinkingJoiner | undefined;
  let usage: Usage | undefined;
  let finishReason: string | undefined;
  let streamed = false;
  try {
    arm();
    const stream = await llm.streamChat(request, local.signal);
    for await (const chunks of stream) {
      arm();
      // The text of one read goes out as one piece: it all arrived at once.
      let text = "";
      for (const chunk of chunks) {
        if (chunk.usage) {
          usage = {
            promptTokens: chunk.usage.prompt_tokens ?? 0,
            completionTokens: chunk.usage.completion_tokens ?? 0,
            totalTokens: chunk.usage.total_tokens ?? 0,
          };
        }
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta = choice.delta as LiteLlmDelta | undefined;
        if (delta) {
          if (delta.content) {
            streamed = true;
            text += delta.content;
          }
          if (delta.reasoning_content) reasoning += delta.reasoning_content;
          if (Array.isArray(delta.thinking_blocks)) {
            thinking ??= new ThinkingJoiner();
            thinking.push(delta.thinking_blocks);
          }
          if (delta.tool_calls) {
            for (const piece of delta.tool_calls) {
              streamed = true;
              calls.push(piece);
            }
          }
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
      if (text !== "") {
        content += text;
        opts.onDelta(text);
      }
    }
    // The SDK ends the iteration quietly when the request is aborted.
    if (signal.aborted) throw new RunAborted();
    if (timedOut) throw timeoutError(llm, firstChunk ? firstMs : opts.idleTimeoutMs, streamed, firstChunk);
    if (finishReason === undefined) {
      throw new UpstreamError(
        "LLM_CONNECTION_LOST",
        `the reply from LiteLLM at ${llm.baseUrl} ended before it was complete; send the message again`,
        { retryable: true, streamed },
      );
    }
  } catch (error) {
    if (signal.aborted) throw new RunAborted();
    if (timedOut) throw timeoutError(llm, firstChunk ? firstMs : opts.idleTimeoutMs, streamed, firstChunk);
    throw describeUpstreamError(error, { baseUrl: llm.baseUrl, scrub: llm.scrub, streamed });
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
  const blocks = thinking?.finish();
  return {
    content,
    toolCalls: calls.finish(),
    usage,
    finishReason,
    ...(reasoning !== "" ? { reasoning } : {}),
    ...(blocks && blocks.length > 0 ? { thinkingBlocks: blocks } : {}),
  };
}

function timeoutError(llm: LlmClient, ms: number, streamed: boolean, beforeFirst: boolean): UpstreamError {
  return new UpstreamError(
    "LLM_TIMEOUT",
    `LiteLLM at ${llm.baseUrl} sent nothing for ${seconds(ms)} ${streamed ? "in the middle of the reply" : beforeFirst ? "after the request" : "after the reply started"}; the model may be overloaded, try again (${beforeFirst ? "LLM_FIRST_CHUNK_TIMEOUT_MS" : "LLM_IDLE_TIMEOUT_MS"} sets this limit)`,
    { streamed },
  );
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
