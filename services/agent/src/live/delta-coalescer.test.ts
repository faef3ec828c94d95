import { describe, expect, it } from "vitest";
import { DeltaCoalescer } from "./delta-coalescer.ts";

const turnEnd = () => new Promise((resolve) => setImmediate(resolve));

describe("DeltaCoalescer", () => {
  it("sends a burst's first piece at once, the rest of the burst together at the end of the turn", async () => {
    const out: [number, string, boolean][] = [];
    const d = new DeltaCoalescer((index, text, urgent) => out.push([index, text, urgent]));
    d.push(1, "a");
    d.push(1, "b");
    d.push(1, "c");
    expect(out).toEqual([[1, "a", true]]);
    await turnEnd();
    expect(out).toEqual([
      [1, "a", true],
      [1, "bc", true],
    ]);
    expect(d.sent).toEqual({ index: 1, text: "abc" });
  });

  it("flush() sends what waits, not urgent (it goes with the step that follows); reset() forgets the text", async () => {
    const out: [number, string, boolean][] = [];
    const d = new DeltaCoalescer((index, text, urgent) => out.push([index, text, urgent]));
    d.push(2, "x");
    d.push(2, "y");
    d.flush();
    expect(out).toEqual([
      [2, "x", true],
      [2, "y", false],
    ]);
    d.reset();
    expect(d.sent).toBeUndefined();
    await turnEnd();
    expect(out).toHaveLength(2);
  });

  it("never joins pieces of two steps", () => {
    const out: [number, string][] = [];
    const d = new DeltaCoalescer((index, text) => out.push([index, text]));
    d.push(1, "a");
    d.push(1, "b");
    d.push(2, "c");
    expect(out).toEqual([
      [1, "a"],
      [1, "b"],
    ]);
    d.flush();
    expect(out.at(-1)).toEqual([2, "c"]);
  });

  it("sends nothing while held (not even as sent text), then all of it in order on release", async () => {
    const out: [number, string, boolean][] = [];
    const d = new DeltaCoalescer((index, text, urgent) => out.push([index, text, urgent]));
    d.hold();
    d.push(1, "a");
    d.push(1, "b");
    await turnEnd();
    d.push(1, "c");
    d.flush();
    expect(out).toEqual([]);
    expect(d.sent).toBeUndefined();
    d.release();
    expect(out).toEqual([
      [1, "a", true],
      [1, "b", true],
      [1, "c", true],
    ]);
    expect(d.sent).toEqual({ index: 1, text: "abc" });
    d.push(1, "d");
    await turnEnd();
    expect(out.at(-1)).toEqual([1, "d", true]);
  });

  it("a run whose user step was never saved sends nothing: held pieces are dropped with it", async () => {
    const out: string[] = [];
    const d = new DeltaCoalescer((_index, text) => out.push(text));
    d.hold();
    d.push(1, "a");
    d.reset();
    await turnEnd();
    expect(out).toEqual([]);
  });
});
