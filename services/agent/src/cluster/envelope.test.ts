import { describe, expect, it } from "vitest";
import { EnvelopeReader, encodeCommand, encodeFrame, frameMeta, PART_CHARS } from "./envelope.ts";

const AGENT = "6f1c2a8e-0000-4000-8000-000000000001";

describe("cluster envelope", () => {
  it("carries a small frame in one notification, with what sockets need in its tag", () => {
    const frame = { type: "step", step: { index: 7 } };
    const [payload, ...rest] = encodeFrame("r1", 3, AGENT, JSON.stringify(frame), { step: 7 });
    expect(rest).toEqual([]);
    expect(new EnvelopeReader().read(payload!)).toEqual({
      kind: "frame",
      replica: "r1",
      agentId: AGENT,
      text: JSON.stringify(frame),
      meta: { step: 7 },
    });
  });

  it("splits a large frame under PostgreSQL's 8,000-byte limit and puts it back together", () => {
    // multi-byte text and a surrogate pair exactly on a cut
    const text = `${"é".repeat(PART_CHARS - 1)}😀${"中".repeat(3 * PART_CHARS)}`;
    const parts = encodeFrame("r1", 1, AGENT, text, { init: 4 });
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThan(8_000);
    for (const p of parts) expect(Buffer.from(p).toString()).toBe(p); // no lone surrogate
    const reader = new EnvelopeReader();
    const got = parts.map((p) => reader.read(p));
    expect(got.slice(0, -1)).toEqual(parts.slice(0, -1).map(() => undefined));
    expect(got.at(-1)).toMatchObject({ kind: "frame", text, meta: { init: 4 } });
  });

  it("keeps unfinished frames apart per replica when their parts interleave", () => {
    const a = encodeFrame("ra", 1, AGENT, "a".repeat(PART_CHARS * 2), undefined);
    const b = encodeFrame("rb", 9, AGENT, "b".repeat(PART_CHARS * 2), { delta: 2 });
    const reader = new EnvelopeReader();
    expect(reader.read(a[0]!)).toBeUndefined();
    expect(reader.read(b[0]!)).toBeUndefined();
    expect(reader.read(a[1]!)).toMatchObject({ replica: "ra", text: "a".repeat(PART_CHARS * 2) });
    expect(reader.read(b[1]!)).toMatchObject({ replica: "rb", meta: { delta: 2 } });
  });

  it("drops a frame whose parts went missing instead of joining the wrong pieces", () => {
    const one = encodeFrame("r", 1, AGENT, "x".repeat(PART_CHARS * 3), undefined);
    const two = encodeFrame("r", 2, AGENT, "y".repeat(PART_CHARS * 2), undefined);
    const reader = new EnvelopeReader();
    expect(reader.read(one[0]!)).toBeUndefined();
    expect(reader.read(two[1]!)).toBeUndefined(); // part 2 of another frame: not a continuation
    expect(reader.read(one[2]!)).toBeUndefined();
    expect(reader.read(two[0]!)).toBeUndefined();
    expect(reader.read(two[1]!)).toMatchObject({ text: "y".repeat(PART_CHARS * 2) });
  });

  it("reads commands and refuses malformed payloads", () => {
    const reader = new EnvelopeReader();
    expect(reader.read(encodeCommand("r", 1, AGENT, "stop")[0]!)).toEqual({
      kind: "command",
      replica: "r",
      agentId: AGENT,
      command: "stop",
    });
    for (const bad of [
      "",
      "r\t1\t1/1\tA",
      "r\t1\t1/1\tA\tcexplode\t",
      "r\t1\t2/1\tA\tf\t{}",
      "r\t1\t1/1\tA\tsX\t{}",
    ])
      expect(reader.read(bad)).toBeUndefined();
    expect(reader.read("r\t1\t1/1\tA\tSNOPE\t{}")).toBeUndefined();
  });

  it("reads the tag of each kind of frame from the frame itself", () => {
    expect(frameMeta({ type: "delta", index: 3, text: "x" })).toEqual({ delta: 3 });
    expect(frameMeta({ type: "state", state: "GENERATING" })).toEqual({ state: "GENERATING" });
    expect(frameMeta({ type: "complete", runId: "r", reason: "done" })).toBeUndefined();
  });
});
