// Turns a planned reply into OpenAI wire objects: a chat.completion body, or the SSE events of a stream.
import { randomBytes } from "node:crypto";
import type { ChatRequest } from "./conversation.ts";
import type { Fault } from "./fault.ts";
import type { PlannedReply, PlannedToolCall } from "./scenario.ts";
import { countJsonTokens, countTokens, splitArguments, splitTokens } from "./tokens.ts";

export type FinishReason = "stop" | "tool_calls" | "length";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface FinalReply {
  id: string;
  created: number;
  model: string;
  tokens: string[];
  toolCalls: PlannedToolCall[];
  finishReason: FinishReason;
  usage: Usage;
}

/** An estimate in the simulator's token unit (words); stable for the same request. */
export function promptTokens(req: ChatRequest): number {
  let n = 3;
  for (const m of req.messages) {
    n += 3 + countTokens(m.content);
    for (const call of m.toolCalls) n += 1 + countJsonTokens(call.arguments);
  }
  return n + req.toolNames.length * 8;
}

export function finalizeReply(plan: PlannedReply, req: ChatRequest, model: string): FinalReply {
  let tokens = splitTokens(plan.content);
  let toolCalls = plan.toolCalls;
  let finishReason: FinishReason = toolCalls.length > 0 ? "tool_calls" : "stop";
  if (req.maxTokens !== undefined && tokens.length > req.maxTokens) {
    tokens = tokens.slice(0, req.maxTokens);
    toolCalls = [];
    finishReason = "length";
  }
  let completion = tokens.length;
  for (const call of toolCalls) completion += 1 + countJsonTokens(call.arguments);
  const prompt = promptTokens(req);
  return {
    id: `chatcmpl-${randomBytes(12).toString("hex")}`,
    created: Math.floor(Date.now() / 1000),
    model,
    tokens,
    toolCalls,
    finishReason,
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

export function completionBody(r: FinalReply): object {
  const content = r.tokens.join("");
  const message: Record<string, unknown> = {
    role: "assistant",
    content: content === "" && r.toolCalls.length > 0 ? null : content,
  };
  if (r.toolCalls.length > 0) {
    message.tool_calls = r.toolCalls.map((c) => ({
      id: c.id,
      type: "function",
      function: { name: c.name, arguments: c.arguments },
    }));
  }
  return {
    id: r.id,
    object: "chat.completion",
    created: r.created,
    model: r.model,
    system_fingerprint: null,
    choices: [{ index: 0, message, logprobs: null, finish_reason: r.finishReason }],
    usage: r.usage,
  };
}

export interface StreamEvents {
  /** Complete SSE events (`data: …\n\n`), in order. */
  events: string[];
  /** Events 1..paced carry tokens and are paced by tokensPerSecond; the first and the tail are not. */
  paced: number;
}

/** A recorded stream replayed as is: each chunk one event, then [DONE]; all but the last paced. */
export function replayEvents(chunks: readonly object[]): StreamEvents {
  const events = chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`);
  events.push("data: [DONE]\n\n");
  return { events, paced: Math.max(chunks.length - 1, 0) };
}

type StreamShape = Pick<
  Fault,
  | "litellmChunks"
  | "usageChunkWithChoice"
  | "reasoningChunks"
  | "thinkingBlocks"
  | "toolNameEveryChunk"
  | "toolIdEveryChunk"
  | "toolCallsAtIndexZero"
  | "toolArgumentsAsObject"
  | "toolSummaryChunk"
>;

/**
 * role chunk, one chunk per token, tool-call pieces, finish chunk, usage chunk (if asked), [DONE]; `shape`
 * switches to LiteLLM's variants:
 * - litellmChunks: no role-only chunk (the role rides on the first content chunk) and no null fields;
 * - usageChunkWithChoice: the usage chunk has `choices:[{index:0, delta:{}}]` instead of `choices: []`;
 * - reasoningChunks N: N `reasoning_content` chunks first (and, with thinkingBlocks, Anthropic
 *   `thinking_blocks` pieces and a closing signature);
 * - toolNameEveryChunk, toolIdEveryChunk (#20480), toolCallsAtIndexZero, toolArgumentsAsObject
 *   (the arguments as one JSON object), toolSummaryChunk (the complete calls again at the end, #20480).
 */
export function streamEvents(r: FinalReply, includeUsage: boolean, shape: StreamShape = {}): StreamEvents {
  const lite = shape.litellmChunks === 1;
  const head = lite
    ? `data: {"id":"${r.id}","object":"chat.completion.chunk","created":${r.created},"model":${JSON.stringify(r.model)},"choices":[{"index":0,"delta":`
    : `data: {"id":"${r.id}","object":"chat.completion.chunk","created":${r.created},"model":${JSON.stringify(r.model)},"system_fingerprint":null,"choices":[{"index":0,"delta":`;
  const tail = lite
    ? "}]}\n\n"
    : `,"logprobs":null,"finish_reason":null}]${includeUsage ? ',"usage":null' : ""}}\n\n`;
  const delta = (d: object) => head + JSON.stringify(d) + tail;
  const events: string[] = lite ? [] : [delta({ role: "assistant", content: "" })];
  let roleSent = !lite;
  const withRole = (d: Record<string, unknown>) => {
    if (roleSent) return d;
    roleSent = true;
    return { role: "assistant", ...d };
  };
  for (let i = 0; i < (shape.reasoningChunks ?? 0); i++) {
    const piece = i === 0 ? "Let me think" : ` about step ${i}`;
    events.push(
      delta(
        withRole({
          reasoning_content: piece,
          ...(shape.thinkingBlocks === 1
            ? { thinking_blocks: [{ type: "thinking", thinking: piece, signature: null }] }
            : {}),
        }),
      ),
    );
  }
  if (shape.thinkingBlocks === 1 && (shape.reasoningChunks ?? 0) > 0) {
    events.push(
      delta({ thinking_blocks: [{ type: "thinking", thinking: "", signature: `sig-${r.id.slice(-12)}` }] }),
    );
  }
  for (const token of r.tokens) {
    if (roleSent) events.push(`${head}{"content":${JSON.stringify(token)}}${tail}`);
    else events.push(delta(withRole({ content: token })));
  }
  r.toolCalls.forEach((call, n) => {
    const index = shape.toolCallsAtIndexZero === 1 ? 0 : n;
    const start = { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } };
    if (shape.toolArgumentsAsObject === 1) {
      const args = JSON.parse(call.arguments || "{}") as object;
      events.push(
        delta(withRole({ tool_calls: [{ ...start, function: { name: call.name, arguments: args } }] })),
      );
      return;
    }
    events.push(delta(withRole({ tool_calls: [start] })));
    for (const piece of splitArguments(call.arguments)) {
      const more: Record<string, unknown> = { index, function: { arguments: piece } };
      if (shape.toolIdEveryChunk === 1) Object.assign(more, { id: call.id, type: "function" });
      if (shape.toolNameEveryChunk === 1) more.function = { name: call.name, arguments: piece };
      events.push(delta({ tool_calls: [more] }));
    }
  });
  if (shape.toolSummaryChunk === 1 && r.toolCalls.length > 0) {
    events.push(
      delta({
        tool_calls: r.toolCalls.map((call, n) => ({
          index: shape.toolCallsAtIndexZero === 1 ? 0 : n,
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments },
        })),
      }),
    );
  }
  const paced = events.length - (lite ? 0 : 1);
  const chunk = lite
    ? { id: r.id, object: "chat.completion.chunk", created: r.created, model: r.model }
    : {
        id: r.id,
        object: "chat.completion.chunk",
        created: r.created,
        model: r.model,
        system_fingerprint: null,
      };
  events.push(
    `data: ${JSON.stringify({
      ...chunk,
      choices: [
        lite
          ? { index: 0, delta: {}, finish_reason: r.finishReason }
          : { index: 0, delta: {}, logprobs: null, finish_reason: r.finishReason },
      ],
      ...(includeUsage && !lite ? { usage: null } : {}),
    })}\n\n`,
  );
  if (includeUsage) {
    const choices = shape.usageChunkWithChoice === 1 ? [{ index: 0, delta: {} }] : [];
    events.push(`data: ${JSON.stringify({ ...chunk, choices, usage: r.usage })}\n\n`);
  }
  events.push("data: [DONE]\n\n");
  return { events, paced };
}
