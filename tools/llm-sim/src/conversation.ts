// The parts of an OpenAI chat request the simulator reads, checked by hand: a bad body is a 400, not a crash.
import { badRequest } from "./errors.ts";

export interface ChatMessage {
  role: string;
  content: string;
  toolCalls: { name: string; arguments: string }[];
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  toolNames: string[];
  stream: boolean;
  includeUsage: boolean;
  user: string | undefined;
  maxTokens: number | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Text of a message content: a string, null, or an array of parts of which the text parts count. */
function contentText(content: unknown, where: string): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (isObject(part) && typeof part.text === "string" ? part.text : "")).join("");
  }
  throw badRequest(`${where}.content must be a string, null or an array of content parts`);
}

export function parseChatRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw badRequest("request body must be a JSON object");
  const { model, messages } = body;
  if (typeof model !== "string" || model === "") throw badRequest("model is required (a non-empty string)");
  if (!Array.isArray(messages) || messages.length === 0) {
    throw badRequest("messages is required (a non-empty array)");
  }
  const parsed = messages.map((m, i): ChatMessage => {
    const where = `messages[${i}]`;
    if (!isObject(m) || typeof m.role !== "string")
      throw badRequest(`${where} must be an object with a role`);
    const toolCalls: ChatMessage["toolCalls"] = [];
    if (Array.isArray(m.tool_calls)) {
      for (const call of m.tool_calls) {
        const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
        toolCalls.push({
          name: typeof fn?.name === "string" ? fn.name : "",
          arguments: typeof fn?.arguments === "string" ? fn.arguments : "",
        });
      }
    }
    return { role: m.role, content: contentText(m.content, where), toolCalls };
  });
  if (body.stream !== undefined && typeof body.stream !== "boolean")
    throw badRequest("stream must be a boolean");
  if (body.user !== undefined && body.user !== null && typeof body.user !== "string") {
    throw badRequest("user must be a string");
  }
  const toolNames: string[] = [];
  if (body.tools !== undefined && body.tools !== null) {
    if (!Array.isArray(body.tools)) throw badRequest("tools must be an array");
    for (const t of body.tools) {
      if (isObject(t) && isObject(t.function) && typeof t.function.name === "string")
        toolNames.push(t.function.name);
      else throw badRequest("each tool must be {type:'function', function:{name, ...}}");
    }
  }
  const rawMax = body.max_completion_tokens ?? body.max_tokens;
  if (rawMax !== undefined && rawMax !== null && !(Number.isInteger(rawMax) && (rawMax as number) > 0)) {
    throw badRequest("max_tokens must be a positive integer");
  }
  const streamOptions = isObject(body.stream_options) ? body.stream_options : undefined;
  return {
    model,
    messages: parsed,
    toolNames,
    stream: body.stream === true,
    includeUsage: streamOptions?.include_usage === true,
    user: typeof body.user === "string" ? body.user : undefined,
    maxTokens: typeof rawMax === "number" ? rawMax : undefined,
  };
}

/** What rules look at: the turn since the last user message. */
export interface TurnView {
  lastUser: string;
  /** Contents of the tool results after the last user message, in order. */
  toolResults: string[];
  /** Assistant messages after the last user message. */
  assistantTurns: number;
  lastIsToolResult: boolean;
}

export function viewTurn(messages: ChatMessage[]): TurnView {
  let lastUserIndex = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === "user") {
      lastUserIndex = i;
      break;
    }
  }
  const toolResults: string[] = [];
  let assistantTurns = 0;
  for (let i = lastUserIndex + 1; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role === "tool" || m.role === "function") toolResults.push(m.content);
    else if (m.role === "assistant") assistantTurns++;
  }
  const last = messages[messages.length - 1];
  return {
    lastUser: lastUserIndex >= 0 ? messages[lastUserIndex]!.content : "",
    toolResults,
    assistantTurns,
    lastIsToolResult: last !== undefined && (last.role === "tool" || last.role === "function"),
  };
}
