import { describe, expect, it } from "vitest";
import { deleteLink } from "./delete-link.ts";
import { build, csv, expectToolError, filter, join } from "./testing.ts";

describe("deleteLink", () => {
  const { wf } = build(
    [csv(), join(), filter()],
    [
      [0, 1, 0],
      [0, 1, 1],
      [0, 2],
    ],
  );

  it("deletes by id", () => {
    expect(deleteLink(wf, { linkID: "link-2" }).links.map((l) => l.linkID)).toEqual(["link-1", "link-3"]);
  });

  it("deletes by ends, with targetPort when two links join the same pair", () => {
    expect(deleteLink(wf, { source: "op1", target: "op3" }).links.map((l) => l.linkID)).toEqual([
      "link-1",
      "link-2",
    ]);
    expectToolError(
      () => deleteLink(wf, { source: "op1", target: "op2" }),
      "ambiguous_link",
      /2 links connect/,
    );
    expect(
      deleteLink(wf, { source: "op1", target: "op2", targetPort: 1 }).links.map((l) => l.linkID),
    ).toEqual(["link-1", "link-3"]);
  });

  it("refuses unknown links and operators", () => {
    expectToolError(
      () => deleteLink(wf, { linkID: "link-9" }),
      "unknown_link",
      /link-1 \(op1 output-0 → op2 input-0\)/,
    );
    expectToolError(() => deleteLink(wf, { source: "op3", target: "op2" }), "unknown_link");
    expectToolError(() => deleteLink(wf, { source: "op7", target: "op2" }), "unknown_operator");
  });
});
