import { describe, expect, it } from "vitest";
import { makeStep } from "../test-fixtures.ts";
import { latestOfBranch, toTurns, versionsOf } from "./turns.ts";

const call = { toolName: "addOperator", toolCallId: "c1", input: {} };

describe("toTurns", () => {
  it("puts the work under the message and takes the last text-only model turn as the answer", () => {
    const steps = [
      makeStep(0, { kind: "user", content: "build it" }),
      makeStep(1, { content: "adding a scan", toolCalls: [call] }),
      makeStep(2, { content: "Here is **the** result." }),
      makeStep(3, { kind: "user", content: "again" }),
      makeStep(4, { content: "", toolCalls: [call] }),
      makeStep(5, { kind: "system", content: "Error: it broke", error: "LLM_UNREACHABLE" }),
    ];
    const turns = toTurns(steps);
    expect(turns.map((t) => [t.user?.id, t.work.map((s) => s.id), t.answer?.id, t.notice?.id])).toEqual([
      ["s0", ["s1"], "s2", undefined],
      ["s3", ["s4"], undefined, "s5"],
    ]);
  });

  it("has no answer while the last model turn calls tools or says nothing", () => {
    const turns = toTurns([makeStep(0, { kind: "user" }), makeStep(1, { content: "", toolCalls: [] })]);
    expect(turns[0]?.answer).toBeNull();
    expect(turns[0]?.work).toHaveLength(1);
  });

  it("keeps steps that come before any message in a turn of their own", () => {
    const turns = toTurns([makeStep(0, { content: "hello" }), makeStep(1, { kind: "user" })]);
    expect(turns.map((t) => [t.user?.id ?? null, t.answer?.id ?? null])).toEqual([
      [null, "s0"],
      ["s1", null],
    ]);
  });
});

describe("versions of a message", () => {
  // s0 user → s1 answer; s2 user "edited" sent from the root (a sibling of s0) → s3 answer → s4 user → s5
  const tree = [
    makeStep(0, { kind: "user", content: "first" }),
    makeStep(1, { content: "answer 1" }),
    makeStep(2, { kind: "user", content: "edited", parentId: "step-initial" }),
    makeStep(3, { content: "answer 2", parentId: "s2" }),
    makeStep(4, { kind: "user", content: "more", parentId: "s3" }),
    makeStep(5, { content: "answer 3", parentId: "s4" }),
  ];

  it("lists the messages sent from the same step, oldest first", () => {
    expect(versionsOf(tree, tree[2]!).map((s) => s.id)).toEqual(["s0", "s2"]);
    expect(versionsOf(tree, tree[4]!).map((s) => s.id)).toEqual(["s4"]);
  });

  it("finds the newest step of a branch, to go back to it", () => {
    expect(latestOfBranch(tree, "s0")).toBe("s1");
    expect(latestOfBranch(tree, "s2")).toBe("s5");
    expect(latestOfBranch(tree, "s5")).toBe("s5");
  });
});
