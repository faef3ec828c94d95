import { describe, expect, it } from "vitest";
import { modifyOperator } from "./modify-operator.ts";
import { build, csv, filter, join } from "./testing.ts";
import { workflowSummary } from "./workflow-summary.ts";

describe("workflowSummary", () => {
  it("lists operators inputs first, with ports, link ids, custom names and properties", () => {
    const { wf } = build(
      [["Limit", { limit: 10 }], csv("customers.csv"), csv(), filter(), join()],
      [
        [1, 4, 1],
        [2, 3],
        [3, 4, 0],
        [4, 0],
      ],
    );
    const named = modifyOperator(wf, { operatorId: "filter-1", displayName: "Big orders" });
    expect(workflowSummary(named)).toBe(
      [
        "5 operators, 4 links (each operator after its inputs):",
        '- csv-file-scan-1 CSVFileScan {"fileName":"customers.csv","delimiter":",","hasHeader":true}',
        '- csv-file-scan-2 CSVFileScan {"fileName":"orders.csv","delimiter":",","hasHeader":true}',
        '- filter-1 Filter "Big orders" ← csv-file-scan-2 (link-2) {"conditions":[{"attribute":"amount","condition":">","value":10}],"combine":"AND"}',
        '- hash-join-1 HashJoin ← left: filter-1 (link-3), right: csv-file-scan-1 (link-1) {"leftAttribute":"customerId","rightAttribute":"id","joinType":"inner"}',
        '- limit-1 Limit ← hash-join-1 (link-4) {"limit":10,"offset":0}',
      ].join("\n"),
    );
  });

  it("adds the problems a run would hit", () => {
    const { wf } = build([csv(), join()], [[0, 1]]);
    expect(workflowSummary(wf)).toBe(
      [
        "2 operators, 1 link (each operator after its inputs):",
        '- csv-file-scan-1 CSVFileScan {"fileName":"orders.csv","delimiter":",","hasHeader":true}',
        '- hash-join-1 HashJoin ← left: csv-file-scan-1 (link-1) {"leftAttribute":"customerId","rightAttribute":"id","joinType":"inner"}',
        "Problems a run would hit:",
        "- hash-join-1 (HashJoin) has no link into its input port 1 (right)",
      ].join("\n"),
    );
  });

  it("says when the workflow is empty, and cuts long properties", () => {
    expect(workflowSummary({ operators: [], links: [] })).toMatch(/^The workflow is empty/);
    const attributes = Array.from({ length: 100 }, (_, i) => `column_with_a_long_name_${i}`);
    const { wf } = build([["Projection", { attributes }]]);
    const line = workflowSummary(wf).split("\n")[1]!;
    expect(line.length).toBeLessThan(700);
    expect(line.endsWith("…")).toBe(true);
  });

  it("still lists every operator of a cyclic workflow", () => {
    const summary = workflowSummary({
      operators: [
        { operatorId: "a", operatorType: "Distinct", properties: {} },
        { operatorId: "b", operatorType: "Distinct", properties: {} },
      ],
      links: [
        { linkId: "l1", source: "a", target: "b", targetPort: 0 },
        { linkId: "l2", source: "b", target: "a", targetPort: 0 },
      ],
    });
    expect(summary).toContain("- a Distinct ← b (l2) {}");
    expect(summary).toContain("- b Distinct ← a (l1) {}");
    expect(summary).toContain("the links form a cycle; no run order exists for a, b");
  });
});
