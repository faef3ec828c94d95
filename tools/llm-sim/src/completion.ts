// Turns a planned reply into OpenAI wire objects: a chat.completion body, or the SSE events of a stream.
import { randomBytes } from "node:crypto";
import type { ChatRequest } from "./conversation.ts";
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

/** role chunk, one chunk per token, tool-call pieces, finish chunk, usage chunk (if asked), [DONE]. */
export function streamEvents(r: FinalReply, includeUsage: boolean): StreamEvents {
  const head = `data: {"id":"${r.id}","object":"chat.completion.chunk","created":${r.created},"model":${JSON.stringify(r.model)},"system_fingerprint":null,"choices":[{"index":0,"delta":`;
  const tail = `,"logprobs":null,"finish_reason":null}]${includeUsage ? ',"usage":null' : ""}}\n\n`;
  const delta = (d: object) => head + JSON.stringify(d) + tail;
  const events: string[] = [delta({ role: "assistant", content: "" })];
  for (const token of r.tokens) events.push(`${head}{"content":${JSON.stringify(token)}}${tail}`);
  r.toolCalls.forEach((call, index) => {
    events.push(
      delta({
        tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }],
      }),
    );
    for (const piece of splitArguments(call.arguments)) {
      events.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  const paced = events.length - 1;
  const chunk = {
    id: r.id,
    object: "chat.completion.chunk",
    created: r.created,
    model: r.model,
    system_fingerprint: null,
  };
  events.push(
    `data: ${JSON.stringify({
      ...chunk,
      choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: r.finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    })}\n\n`,
  );
  if (includeUsage) events.push(`data: ${JSON.stringify({ ...chunk, choices: [], usage: r.usage })}\n\n`);
  events.push("data: [DONE]\n\n");
  return { events, paced };
}
