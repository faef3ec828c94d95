import { describe, expect, it } from "vitest";
import {
  commandRecord,
  EnvelopeReader,
  frameMeta,
  frameRecord,
  PACK_BYTES,
  PART_CHARS,
  packRecords,
} from "./envelope.ts";

const AGENT = "6f1c2a8e-0000-4000-8000-000000000001";

const counter = () => {
  let n = 0;
  return () => n++;
};

describe("cluster envelope", () => {
  it("packs the records of a flush into few notifications and reads them back in order", () => {
    const records = Array.from({ length: 500 }, (_, i) =>
      frameRecord(AGENT, JSON.stringify({ type: "delta", index: 1, text: `piece ${i} ü` }), { delta: 1 }),
    );
    records.push(commandRecord(AGENT, "stop"));
    const payloads = packRecords("r1", counter(), records);
    expect(payloads.length).toBeGreaterThan(1);
    expect(payloads.length).toBeLessThan(10);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8_000);
    const reader = new EnvelopeReader();
    const got = payloads.flatMap((p) => reader.read(p));
    expect(got).toHaveLength(501);
    expect(got[0]).toEqual({
      kind: "frame",
      replica: "r1",
      agentId: AGENT,
      text: JSON.stringify({ type: "delta", index: 1, text: "piece 0 ü" }),
      meta: { delta: 1 },
    });
    expect(got.map((r) => (r.kind === "frame" ? JSON.parse(r.text).text : r.command))).toEqual([
      ...Array.from({ length: 500 }, (_, i) => `piece ${i} ü`),
      "stop",
    ]);
    // every notification is numbered apart: PostgreSQL folds equal payloads of one transaction
    expect(new Set(payloads).size).toBe(payloads.length);
  });

  it("splits a record too large for one notification and puts it back together", () => {
    // multi-byte text and a surrogate pair exactly on a cut
    const text = `${"é".repeat(PART_CHARS - 1 - AGENT.length - 4)}😀${"中".repeat(3 * PART_CHARS)}`;
    const small = frameRecord(AGENT, "{}", undefined);
    const payloads = packRecords("r1", counter(), [small, frameRecord(AGENT, text, { init: 4 }), small]);
    expect(payloads.length).toBeGreaterThan(4);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8_000);
    for (const p of payloads) expect(Buffer.from(p).toString()).toBe(p); // no lone surrogate
    const reader = new EnvelopeReader();
    const got = payloads.map((p) => reader.read(p));
    expect(got[0]).toHaveLength(1);
    expect(got.slice(1, -2).flat()).toEqual([]);
    expect(got.at(-2)).toMatchObject([{ kind: "frame", text, meta: { init: 4 } }]);
    expect(got.at(-1)).toMatchObject([{ text: "{}" }]);
  });

  it("keeps unfinished records apart per replica when their parts interleave", () => {
    const big = (c: string) => frameRecord(AGENT, c.repeat(PACK_BYTES + 10), undefined);
    const a = packRecords("ra", counter(), [big("a")]);
    const b = packRecords("rb", counter(), [big("b")]);
    expect(a.length).toBeGreaterThan(1);
    const reader = new EnvelopeReader();
    expect(reader.read(a[0]!)).toEqual([]);
    expect(reader.read(b[0]!)).toEqual([]);
    for (const p of a.slice(1, -1)) expect(reader.read(p)).toEqual([]);
    for (const p of b.slice(1, -1)) expect(reader.read(p)).toEqual([]);
    expect(reader.read(a.at(-1)!)).toMatchObject([{ replica: "ra", text: "a".repeat(PACK_BYTES + 10) }]);
    expect(reader.read(b.at(-1)!)).toMatchObject([{ replica: "rb", text: "b".repeat(PACK_BYTES + 10) }]);
  });

  it("drops a record whose parts went missing instead of joining the wrong pieces", () => {
    const seq = counter();
    const one = packRecords("r", seq, [frameRecord(AGENT, "x".repeat(PACK_BYTES * 2), undefined)]);
    const two = packRecords("r", seq, [frameRecord(AGENT, "y".repeat(PACK_BYTES + 100), undefined)]);
    const reader = new EnvelopeReader();
    expect(reader.read(one[0]!)).toEqual([]);
    expect(reader.read(two[1]!)).toEqual([]); // part 2 of another record: not a continuation
    expect(reader.read(one.at(-1)!)).toEqual([]);
    for (const p of two) expect(reader.read(p)).toEqual(p === two.at(-1) ? [expect.anything()] : []);
  });

  it("skips malformed records and payloads", () => {
    const reader = new EnvelopeReader();
    for (const bad of ["", "no header", "r\t1\n", "r\t1\tX\n", "r\t1\t2/1\nxx", "r\t1\t0/1\nxx"])
      expect(reader.read(bad)).toEqual([]);
    const mixed = `r\t1\tP\n${["A\tcexplode\t", "A\tsX\t{}", "A\tSNOPE\t{}", "A\td\t{}", "oops", "A\ts3\t{}"].join("\n")}`;
    expect(reader.read(mixed)).toEqual([
      { kind: "frame", replica: "r", agentId: "A", text: "{}", meta: { step: 3 } },
    ]);
  });

  it("reads the tag of each kind of frame from the frame itself", () => {
    expect(frameMeta({ type: "delta", index: 3, text: "x" })).toEqual({ delta: 3 });
    expect(frameMeta({ type: "state", state: "GENERATING" })).toEqual({ state: "GENERATING" });
    expect(
      frameMeta({ type: "complete", state: "AVAILABLE", operatorResults: {}, runId: "r", reason: "done" }),
    ).toEqual({ state: "AVAILABLE" });
    expect(frameMeta({ type: "error", error: "x" })).toBeUndefined();
  });
});
