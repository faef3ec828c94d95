import { describe, expect, it } from "vitest";
import { build, csv, filter, join } from "./testing.ts";
import { validateWorkflow } from "./validate-workflow.ts";

describe("validateWorkflow", () => {
  it("finds nothing wrong with a complete DAG", () => {
    const { wf } = build(
      [csv(), csv("c.csv"), filter(), join()],
      [
        [0, 2],
        [2, 3, 0],
        [1, 3, 1],
      ],
    );
    expect(validateWorkflow(wf)).toEqual([]);
  });

  it("reports an empty workflow and ports without links", () => {
    expect(validateWorkflow({ operators: [], links: [] })).toEqual([
      "the workflow has no operators; add a source such as CSVFileScan",
    ]);
    const { wf } = build([csv(), join(), ["Union"]], [[0, 1, 1]]);
    expect(validateWorkflow(wf)).toEqual([
      "hash-join-1 (HashJoin) has no link into its input port 0 (left)",
      "union-1 (Union) has no link into its input port 0 (first)",
      "union-1 (Union) has no link into its input port 1 (second)",
    ]);
  });

  it("reports what a workflow loaded from elsewhere may carry", () => {
    const problems = validateWorkflow({
      operators: [
        { operatorId: "a", operatorType: "CSVFileScan", properties: { fileName: "a.csv" } },
        { operatorId: "a", operatorType: "Distinct", properties: {} },
        { operatorId: "b", operatorType: "Teleport", properties: {} },
        { operatorId: "c", operatorType: "Limit", properties: { limit: -1 } },
        { operatorId: "d", operatorType: "Distinct", properties: {} },
        { operatorId: "e", operatorType: "Distinct", properties: {} },
      ],
      links: [
        { linkId: "l1", source: "ghost", target: "c", targetPort: 0 },
        { linkId: "l1", source: "a", target: "c", targetPort: 0 },
        { linkId: "l3", source: "a", target: "nowhere", targetPort: 0 },
        { linkId: "l4", source: "a", target: "c", targetPort: 4 },
        { linkId: "l5", source: "d", target: "e", targetPort: 0 },
        { linkId: "l6", source: "e", target: "d", targetPort: 0 },
        { linkId: "l7", source: "c", target: "c", targetPort: 0 },
      ],
    });
    expect(problems).toEqual([
      "operator id a is used more than once",
      'b has the unknown operator type "Teleport"',
      "c: Limit.limit must be >= 0; got -1.",
      "link l1 comes from ghost, which is not in the workflow",
      "link id l1 is used more than once",
      "port 0 of c has two links (l1 and l1); a port takes one",
      "link l3 goes to nowhere, which is not in the workflow",
      "link l4 goes to port 4 of c (Limit), which has one input port: 0",
      "link l7 connects c to itself",
      "port 0 of c has two links (l1 and l7); a port takes one",
      "a (Distinct) has no link into its input port 0",
      "the links form a cycle; no run order exists for c, d, e",
    ]);
  });
});
