import { describe, expect, it } from "vitest";
import { addLink } from "./add-link.ts";
import { MAX_LINKS } from "./lookup.ts";
import { build, csv, expectToolError, filter, frozen, join } from "./testing.ts";

describe("addLink", () => {
  it("links source to target on port 0 with a readable id", () => {
    const { wf, ids } = build([csv(), filter()]);
    const { workflow, linkId } = addLink(wf, { source: ids[0]!, target: ids[1]! });
    expect(linkId).toBe("link-1");
    expect(workflow.links).toEqual([
      { linkId: "link-1", source: "csv-file-scan-1", target: "filter-1", targetPort: 0 },
    ]);
    expect(wf.links).toEqual([]);
  });

  it("fills a join's free ports left then right, or the port asked for", () => {
    const { wf, ids } = build([csv(), csv("c.csv"), join(), filter()]);
    const first = addLink(wf, { source: ids[1]!, target: ids[2]!, targetPort: 1 });
    const second = addLink(first.workflow, { source: ids[0]!, target: ids[2]! });
    expect(second.workflow.links.map((l) => [l.source, l.targetPort])).toEqual([
      [ids[1], 1],
      [ids[0], 0],
    ]);
    expectToolError(
      () => addLink(second.workflow, { source: ids[0]!, target: ids[2]! }),
      "duplicate_link",
      /the link already exists: link-2 connects csv-file-scan-1 to hash-join-1 port 0 \(left\)/,
    );
    const third = addLink(second.workflow, { source: ids[0]!, target: ids[3]! }).workflow;
    expectToolError(
      () => addLink(third, { source: ids[3]!, target: ids[2]! }),
      "port_taken",
      /every input port of hash-join-1 \(HashJoin\) already has a link: port 1 \(right\) from csv-file-scan-2 via link-1, port 0 \(left\) from csv-file-scan-1 via link-2/,
    );
  });

  it("allows fan-out and a self-join on two ports", () => {
    const { wf, ids } = build(
      [csv(), join(), filter()],
      [
        [0, 1, 0],
        [0, 1, 1],
        [0, 2],
      ],
    );
    expect(wf.links).toHaveLength(3);
    expect(ids).toHaveLength(3);
  });

  it("refuses unknown operators, naming the role", () => {
    const { wf } = build([csv(), filter()]);
    expectToolError(
      () => addLink(wf, { source: "csv-1", target: "filter-1" }),
      "unknown_operator",
      /no source operator "csv-1"/,
    );
    expectToolError(
      () => addLink(wf, { source: "csv-file-scan-1", target: "filter-9" }),
      "unknown_operator",
      /no target operator "filter-9".*csv-file-scan-1, filter-1/,
    );
  });

  it("refuses self loops and cycles, naming the path", () => {
    const { wf, ids } = build(
      [csv(), filter(), ["Distinct"], ["Limit", { limit: 1 }]],
      [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
    );
    expectToolError(() => addLink(wf, { source: ids[1]!, target: ids[1]! }), "self_loop", /to itself/);
    const { wf: loopable } = build(
      [filter(), ["Distinct"], ["Limit", { limit: 1 }]],
      [
        [0, 1],
        [1, 2],
      ],
    );
    expectToolError(
      () => addLink(loopable, { source: "limit-1", target: "filter-1" }),
      "cycle",
      /would make a cycle \(filter-1 → distinct-1 → limit-1 → filter-1\)/,
    );
  });

  it("refuses ports out of range, sources as targets, taken ports and duplicates", () => {
    const { wf, ids } = build([csv(), csv("b.csv"), filter(), join()], [[0, 2]]);
    expectToolError(
      () => addLink(wf, { source: ids[0]!, target: ids[3]!, targetPort: 2 }),
      "port_out_of_range",
      /hash-join-1 \(HashJoin\) has input ports 0 to 1 \(0 = left, 1 = right\); got targetPort 2/,
    );
    expectToolError(
      () => addLink(wf, { source: ids[2]!, target: ids[1]! }),
      "port_out_of_range",
      /csv-file-scan-2 \(CSVFileScan\) is a source and takes no inputs/,
    );
    expectToolError(
      () => addLink(wf, { source: ids[0]!, target: ids[2]!, targetPort: 1 }),
      "port_out_of_range",
      /has one input port: 0; got targetPort 1/,
    );
    expectToolError(
      () => addLink(wf, { source: ids[0]!, target: ids[2]! }),
      "duplicate_link",
      /already exists: link-1/,
    );
    expectToolError(
      () => addLink(wf, { source: ids[1]!, target: ids[2]!, targetPort: 0 }),
      "port_taken",
      /port 0 of filter-1 already has a link from csv-file-scan-1 \(link-1\); delete that link first$/,
    );
  });

  it("refuses a link into an operator of an unknown type, and past the link limit", () => {
    const odd = frozen({
      operators: [
        { operatorId: "a", operatorType: "Distinct", properties: {} },
        { operatorId: "b", operatorType: "Teleport", properties: {} },
      ],
      links: [],
    });
    expectToolError(() => addLink(odd, { source: "a", target: "b" }), "unknown_operator_type", /"Teleport"/);
    const { wf } = build([csv(), ["Distinct"]]);
    const crowded = frozen({
      operators: wf.operators,
      links: Array.from({ length: MAX_LINKS }, (_, i) => ({
        linkId: `x-${i}`,
        source: "q",
        target: "r",
        targetPort: 0,
      })),
    });
    expectToolError(() => addLink(crowded, { source: "csv-file-scan-1", target: "distinct-1" }), "too_large");
  });
});
