import { describe, expect, it } from "vitest";
import { decodeClientFrame } from "./decode.ts";
import { MAX_MESSAGE_CHARS } from "./frames.ts";

describe("decodeClientFrame", () => {
  it("accepts message and stop frames", () => {
    expect(decodeClientFrame('{"type":"message","content":"hi"}')).toEqual({
      ok: true,
      value: { type: "message", content: "hi" },
    });
    expect(decodeClientFrame('{"type":"stop"}')).toEqual({ ok: true, value: { type: "stop" } });
    // Texera's frontend sends messageSource (agent.service.ts:926-930 at b29e5be)
    expect(decodeClientFrame('{"type":"message","content":"hi","messageSource":"feedback"}')).toEqual({
      ok: true,
      value: { type: "message", content: "hi", messageSource: "feedback" },
    });
  });

  it("explains what is wrong", () => {
    const cases: [string, RegExp][] = [
      ["not json", /must be JSON/],
      ['{"type":"message"}', /non-empty text/],
      ['{"type":"message","content":""}', /non-empty text/],
      [JSON.stringify({ type: "message", content: "x".repeat(MAX_MESSAGE_CHARS + 1) }), /at most/],
      ['{"type":"message","content":"a","extra":1}', /optionally messageSource/],
      ['{"type":"message","content":"a","messageSource":"x"}', /optionally messageSource/],
      ['{"type":"launch"}', /unknown frame type/],
      ["null", /unknown frame type/],
      ["[]", /unknown frame type/],
    ];
    for (const [raw, message] of cases) {
      const decoded = decodeClientFrame(raw);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.error).toMatch(message);
    }
  });
});
