import { FormatRegistry } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import {
  type ClientFrame,
  ClientFrame as ClientFrameSchema,
  MAX_MESSAGE_CHARS,
  type ServerFrame,
  ServerFrame as ServerFrameSchema,
} from "./frames.ts";

// The string formats these schemas name (Uuid, email, date-time). Fastify's ajv knows them; TypeBox's
// checks refuse a format nobody registered, so they are registered here for decodeServerFrame.
const FORMATS: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  email: /^[^\s@]+@[^\s@]+$/,
  "date-time": /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/,
};
for (const [name, pattern] of Object.entries(FORMATS)) {
  if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, (value) => pattern.test(value));
}

const checkClientFrame = TypeCompiler.Compile(ClientFrameSchema);
const MAX_FRAME_BYTES = MAX_MESSAGE_CHARS * 4 + 1024;

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses one WebSocket text frame from a client; the error says what to send instead. */
export function decodeClientFrame(raw: string): Decoded<ClientFrame> {
  if (raw.length > MAX_FRAME_BYTES)
    return { ok: false, error: `frame too large (max ${MAX_FRAME_BYTES} bytes)` };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'frames must be JSON, e.g. {"type":"message","content":"hello"}' };
  }
  if (checkClientFrame.Check(value)) return { ok: true, value };
  const type = (value as { type?: unknown } | null)?.type;
  if (type === "message") {
    const content = (value as { content?: unknown }).content;
    if (typeof content !== "string" || content.length === 0) {
      return { ok: false, error: "a message needs non-empty text in content" };
    }
    if (content.length > MAX_MESSAGE_CHARS) {
      return { ok: false, error: `a message may hold at most ${MAX_MESSAGE_CHARS} characters` };
    }
    return {
      ok: false,
      error: 'a message frame holds type, content and optionally messageSource ("chat" or "feedback")',
    };
  }
  if (type === "stop") return { ok: false, error: "a stop frame holds only type" };
  return {
    ok: false,
    error: 'unknown frame type: send {"type":"message","content":"..."} or {"type":"stop"}',
  };
}

let serverFrameCheck: TypeCheck<typeof ServerFrameSchema> | undefined;

/**
 * Parses one WebSocket frame from agent-service (the web app's check of what the server sends): null when it
 * is not JSON, or not one of the ServerFrame schemas whole (every field of every step, workflow and result).
 * Compiled on first use, so a process that never reads server frames does not pay for it.
 */
export function decodeServerFrame(raw: unknown): ServerFrame | null {
  if (typeof raw !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  serverFrameCheck ??= TypeCompiler.Compile(ServerFrameSchema);
  return serverFrameCheck.Check(value) ? value : null;
}
