import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";

/**
 * A conservative token count: one token per 3 characters (English averages about 4; code and JSON fewer)
 * plus 4 per message for the chat format. No tokenizer runs: the exact count depends on the model behind
 * LiteLLM, and a count that errs high only trims a little early.
 */
export function estimateTokens(message: ChatCompletionMessageParam): number {
  const content = (message as { content?: unknown }).content;
  const calls = (message as { tool_calls?: { function?: { name?: string; arguments?: string } }[] })
    .tool_calls;
  // The common case, a plain text message, costs one length read: no cache needed.
  if (typeof content === "string" && calls === undefined && !("reasoning_content" in message)) {
    return 4 + Math.ceil(content.length / 3);
  }
  let n = cache.get(message);
  if (n !== undefined) return n;
  let chars = 0;
  if (typeof content === "string") chars += content.length;
  else if (Array.isArray(content)) chars += JSON.stringify(content).length;
  for (const call of calls ?? []) {
    chars += 12 + (call.function?.name?.length ?? 0) + (call.function?.arguments?.length ?? 0);
  }
  const reasoning = (message as { reasoning_content?: unknown }).reasoning_content;
  if (typeof reasoning === "string") chars += reasoning.length;
  n = 4 + Math.ceil(chars / 3);
  cache.set(message, n);
  return n;
}
const cache = new WeakMap<object, number>();

export function estimateText(text: string): number {
  return 4 + Math.ceil(text.length / 3);
}

const toolsCache = new WeakMap<object, number>();
/** The tools array costs tokens too (the same array object run after run: counted once). */
export function estimateTools(tools: readonly object[]): number {
  let n = toolsCache.get(tools);
  if (n === undefined) {
    n = Math.ceil(JSON.stringify(tools).length / 3);
    toolsCache.set(tools, n);
  }
  return n;
}

export interface Fitted {
  messages: ChatCompletionMessageParam[];
  /** How many messages of the history were left out (oldest first). */
  dropped: number;
  /** How many tool results were shortened (only when dropping whole turns was not enough). */
  shortened: number;
  tokens: number;
}

/** Tool results kept in full up to this many characters when even the newest turns do not fit. */
const SHORT_TOOL_RESULT = 1_000;

/**
 * The newest part of `history` that fits `budget` tokens. History is cut only between turns: a user
 * message, or an assistant message together with the tool results of its calls (a tool call is never
 * separated from its result, and the kept part never starts with a tool result). The newest user message
 * and the newest turn are always kept; when they alone do not fit, their long tool results are shortened.
 */
export function fitHistory(history: readonly ChatCompletionMessageParam[], budget: number): Fitted {
  let total = 0;
  for (const m of history) total += estimateTokens(m);
  if (total <= budget)
    return { messages: history as ChatCompletionMessageParam[], dropped: 0, shortened: 0, tokens: total };

  // Turn boundaries: every message that is not a tool result starts a turn.
  const starts: number[] = [];
  for (let i = 0; i < history.length; i++) if (history[i]!.role !== "tool") starts.push(i);
  let lastUser = -1;
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i]!.role === "user") {
      lastUser = i;
      break;
    }
  }
  const lastTurn = starts.length > 0 ? starts[starts.length - 1]! : 0;

  // Drop whole turns from the oldest while over budget, skipping the protected ones.
  const keep = new Array<boolean>(history.length).fill(true);
  for (let s = 0; s < starts.length && total > budget; s++) {
    const from = starts[s]!;
    if (from === lastUser || from === lastTurn) continue;
    const to = s + 1 < starts.length ? starts[s + 1]! : history.length;
    for (let i = from; i < to; i++) {
      keep[i] = false;
      total -= estimateTokens(history[i]!);
    }
  }
  let messages = history.filter((_, i) => keep[i]);
  const dropped = history.length - messages.length;
  let shortened = 0;
  if (total > budget) {
    messages = messages.map((m) => {
      if (total <= budget || m.role !== "tool" || typeof m.content !== "string") return m;
      if (m.content.length <= SHORT_TOOL_RESULT) return m;
      const short = {
        ...m,
        content: `${m.content.slice(0, SHORT_TOOL_RESULT)}… [${m.content.length - SHORT_TOOL_RESULT} more characters left out to fit the context window]`,
      };
      total += estimateTokens(short) - estimateTokens(m);
      shortened++;
      return short;
    });
  }
  // A history that now starts with an assistant turn is still valid for every provider LiteLLM serves,
  // except that some want a user message first: the note in the system prompt says what was left out.
  return { messages, dropped, shortened, tokens: total };
}

/** The input budget for a model with `window` tokens: room is kept for the answer. */
export function inputBudget(window: number): number {
  return window - Math.min(4_096, Math.floor(window / 4));
}
