import { describe, expect, it } from "vitest";
import { excerpt, formatDuration, formatJson, plural, sentence } from "./format.ts";

describe("format", () => {
  it("shows tool arguments as indented JSON, raw text as is", () => {
    expect(formatJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(formatJson("{not json")).toBe("{not json");
    expect(formatJson(undefined)).toBe("");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatJson(cyclic)).toBe("[object Object]");
  });

  it("formats durations for people", () => {
    expect(formatDuration(12)).toBe("12 ms");
    expect(formatDuration(1500)).toBe("1.5 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(-1)).toBe("");
  });

  it("cuts excerpts at the first line", () => {
    expect(excerpt("first line\nsecond")).toBe("first line");
    expect(excerpt("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
    expect(plural(1, "step")).toBe("1 step");
    expect(plural(2, "step")).toBe("2 steps");
    expect(sentence(" the agent is busy")).toBe("The agent is busy");
    expect(sentence("")).toBe("");
  });
});
