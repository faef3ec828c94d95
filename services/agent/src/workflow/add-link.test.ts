import { describe, expect, it } from "vitest";
import { addLink } from "./add-link.ts";
import { build, csv, expectToolError, filter, join } from "./testing.ts";

describe("addLink", () => {
  it("links the source's output-0 to the target's input port, ids link-<n>", () => {
    const { wf } = build([csv(), filter()]);
    const { workflow, linkID } = addLink(wf, { source: "op1", target: "op2" });
    expect(linkID).toBe("link-1");
    expect(workflow.links).toEqual([
      {
        linkID: "link-1",
        source: { operatorID: "op1", portID: "output-0" },
        target: { operatorID: "op2", portID: "input-0" },
      },
    ]);
    expect(wf.links).toEqual([]);
  });

  it("fills a join's free ports left then right, or the port asked for", () => {
    const { wf } = build([csv(), csv("c.csv"), join(), filter()]);
    const first = addLink(wf, { source: "op2", target: "op3", targetPort: 1 });
    const second = addLink(first.workflow, { source: "op1", target: "op3" });
    expect(second.workflow.links.map((l) => [l.source.operatorID, l.target.portID])).toEqual([
      ["op2", "input-1"],
      ["op1", "input-0"],
    ]);
    expectToolError(
      () => addLink(second.workflow, { source: "op1", target: "op3" }),
      "duplicate_link",
      /the link already exists: link-2 connects op1 to op3 input-0/,
    );
    const third = addLink(second.workflow, { source: "op1", target: "op4" }).workflow;
    expectToolError(
      () => addLink(third, { source: "op4", target: "op3" }),
      "port_taken",
      /already has its link/,
    );
    expectToolError(
      () => addLink(third, { source: "op4", target: "op3", targetPort: 0 }),
      "port_taken",
      /input-0 \(left\) of op3 already has a link from op1 \(link-2\) and takes only one/,
    );
  });

  it("lets Union's one port take many links, and a self-join feed both ports", () => {
    const { wf } = build(
      [csv(), csv("b.csv"), ["Union"], join()],
      [
        [0, 2],
        [1, 2],
        [0, 3, 0],
        [0, 3, 1],
      ],
    );
    expect(wf.links.filter((l) => l.target.operatorID === "op3").map((l) => l.target.portID)).toEqual([
      "input-0",
      "input-0",
    ]);
    expectToolError(() => addLink(wf, { source: "op1", target: "op3" }), "duplicate_link");
  });

  it("refuses unknown operators, self loops, cycles, sources as targets and ports out of range", () => {
    const { wf } = build([csv(), filter(), ["Distinct"]], [[0, 1]]);
    expectToolError(
      () => addLink(wf, { source: "op9", target: "op2" }),
      "unknown_operator",
      /no source operator "op9"/,
    );
    expectToolError(() => addLink(wf, { source: "op2", target: "op2" }), "self_loop");
    const chain = addLink(wf, { source: "op2", target: "op3" }).workflow;
    expectToolError(() => addLink(chain, { source: "op3", target: "op2" }), "port_taken");
    const open = build([["Distinct"], ["Distinct"]], [[0, 1]]).wf;
    expectToolError(() => addLink(open, { source: "op2", target: "op1" }), "cycle", /op1 → op2 → op1/);
    expectToolError(() => addLink(wf, { source: "op2", target: "op1" }), "port_out_of_range", /is a source/);
    expectToolError(() => addLink(wf, { source: "op1", target: "op3", targetPort: 1 }), "port_out_of_range");
  });
});
