import { describe, expect, it } from "vitest";
import { deleteLink } from "./delete-link.ts";
import { build, csv, expectToolError, filter, join } from "./testing.ts";

describe("deleteLink", () => {
  const { wf, ids } = build(
    [csv(), filter(), join()],
    [
      [0, 1],
      [0, 2, 0],
      [0, 2, 1],
    ],
  );

  it("deletes by id", () => {
    const next = deleteLink(wf, { linkId: "link-2" });
    expect(next.links.map((l) => l.linkId)).toEqual(["link-1", "link-3"]);
    expect(next.operators).toBe(wf.operators);
    expect(wf.links).toHaveLength(3);
  });

  it("deletes by ends, with targetPort when two links join the same pair", () => {
    expect(deleteLink(wf, { source: ids[0]!, target: ids[1]! }).links.map((l) => l.linkId)).toEqual([
      "link-2",
      "link-3",
    ]);
    expect(
      deleteLink(wf, { source: ids[0]!, target: ids[2]!, targetPort: 1 }).links.map((l) => l.linkId),
    ).toEqual(["link-1", "link-2"]);
    expectToolError(
      () => deleteLink(wf, { source: ids[0]!, target: ids[2]! }),
      "ambiguous_link",
      /2 links connect csv-file-scan-1 to hash-join-1: link-2 .*, link-3 .*; give linkId or targetPort/,
    );
  });

  it("refuses unknown links and operators", () => {
    expectToolError(
      () => deleteLink(wf, { linkId: "link-9" }),
      "unknown_link",
      /no link "link-9" in the workflow; its links are: link-1 \(csv-file-scan-1 → filter-1 port 0\)/,
    );
    expectToolError(
      () => deleteLink(wf, { source: ids[1]!, target: ids[2]! }),
      "unknown_link",
      /no link from filter-1 to hash-join-1; links into hash-join-1: link-2/,
    );
    expectToolError(() => deleteLink(wf, { source: "nope", target: ids[2]! }), "unknown_operator");
  });
});
