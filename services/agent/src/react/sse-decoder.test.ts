import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SseDecoder, type SseEvent } from "./sse-decoder.ts";

const decodeAll = (pieces: string[]) => {
  const decoder = new SseDecoder();
  return pieces.flatMap((p) => decoder.push(p));
};

describe("SseDecoder", () => {
  it("splits events at blank lines and drops one space after the colon", () => {
    expect(decodeAll(['data: {"a":1}\n\ndata:{"b":2}\n\n'])).toEqual([
      { event: null, data: '{"a":1}' },
      { event: null, data: '{"b":2}' },
    ]);
  });

  it("joins data lines, reads event:, skips comments, id and retry, and lines without a colon", () => {
    expect(decodeAll([": keep-alive\nid: 7\nretry: 10\nevent: error\ndata: a\ndata:  b\nfield\n\n"])).toEqual(
      [{ event: "error", data: "a\n b" }],
    );
  });

  it("keeps an event that has not ended for the next piece, and ignores events without data", () => {
    const decoder = new SseDecoder();
    expect(decoder.push("event: ping\n\ndata: x")).toEqual([]);
    expect(decoder.push("yz\n")).toEqual([]);
    expect(decoder.push("\n")).toEqual([{ event: null, data: "xyz" }]);
  });

  it("accepts \\r\\n and \\r line ends, also when a \\r\\n is cut between pieces", () => {
    expect(decodeAll(["data: a\r\n\r\ndata: b\r\rdata: c\r", "\n\r", "\n"])).toEqual([
      { event: null, data: "a" },
      { event: null, data: "b" },
      { event: null, data: "c" },
    ]);
  });

  it("gives the same events however the stream is cut", () => {
    const event = fc.record({
      event: fc.option(fc.constantFrom("message", "error"), { nil: null }),
      data: fc.array(
        fc.string({ unit: "grapheme" }).filter((s) => !/[\r\n]/.test(s)),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
    });
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 6 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        fc.array(fc.nat(), { maxLength: 8 }),
        (events, eol, cuts) => {
          const text = events
            .map(
              (e) =>
                `${e.event ? `event: ${e.event}${eol}` : ""}${e.data.map((d) => `data: ${d}${eol}`).join("")}${eol}`,
            )
            .join("");
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const pieces: string[] = [];
          let from = 0;
          for (const p of points) {
            pieces.push(text.slice(from, p));
            from = p;
          }
          pieces.push(text.slice(from));
          const expected: SseEvent[] = events.map((e) => ({ event: e.event, data: e.data.join("\n") }));
          expect(decodeAll(pieces)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
