import { TypeCompiler } from "@sinclair/typebox/compiler";
import { type ClientFrame, ClientFrame as ClientFrameSchema, MAX_MESSAGE_CHARS } from "./frames.ts";

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
