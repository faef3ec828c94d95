import { describe, expect, it } from "vitest";
import { workflow } from "../engine/testing.ts";
import { modifyOperator } from "./modify-operator.ts";
import { build, csv, filter, join } from "./testing.ts";
import { workflowSummary } from "./workflow-summary.ts";

describe("workflowSummary", () => {
  it("lists operators inputs first, with ports, link ids, summaries and properties", () => {
    const { wf } = build(
      [["Limit", { limit: 10 }], csv("customers.csv"), csv(), filter(), join()],
      [
        [1, 4, 1],
        [2, 3],
        [3, 4, 0],
        [4, 0],
      ],
    );
    const named = modifyOperator(wf, { operatorId: "op4", summary: "Big orders" });
    expect(workflowSummary(named)).toBe(
      [
        "5 operators, 4 links (each operator after its inputs):",
        '- op2 CSVFileScan {"fileName":"customers.csv","fileEncoding":"UTF_8","customDelimiter":",","hasHeader":true}',
        '- op3 CSVFileScan {"fileName":"orders.csv","fileEncoding":"UTF_8","customDelimiter":",","hasHeader":true}',
        '- op4 Filter "Big orders" ← op3 (link-2) {"predicates":[{"attribute":"amount","condition":">","value":"10"}]}',
        '- op5 HashJoin ← left: op4 (link-3), right: op2 (link-1) {"buildAttributeName":"customerId","probeAttributeName":"id","joinType":"inner"}',
        '- op1 Limit ← op5 (link-4) {"limit":10}',
      ].join("\n"),
    );
  });

  it("adds the problems a run would hit", () => {
    const { wf } = build([csv(), join()], [[0, 1]]);
    expect(workflowSummary(wf).split("\n").slice(-2)).toEqual([
      "Problems a run would hit:",
      "- op2 (HashJoin) has no link into its input-1 (right)",
    ]);
  });

  it("says when the workflow is empty, marks disabled operators, and cuts long properties", () => {
    expect(workflowSummary(build([]).wf)).toMatch(/^The workflow is empty/);
    const attributes = Array.from({ length: 100 }, (_, i) => ({
      originalAttribute: `column_with_a_long_name_${i}`,
    }));
    const { wf } = build([["Projection", { isDrop: false, attributes }]]);
    const line = workflowSummary(wf).split("\n")[1]!;
    expect(line.length).toBeLessThan(700);
    expect(line.endsWith("…")).toBe(true);
    const off = build([csv()]).wf;
    const disabled = { ...off, operators: [{ ...off.operators[0]!, isDisabled: true }] };
    expect(workflowSummary(disabled)).toContain("- op1 CSVFileScan (disabled)");
  });

  it("still lists every operator of a cyclic workflow", () => {
    const summary = workflowSummary(
      workflow(
        [
          ["a", "Distinct", {}],
          ["b", "Distinct", {}],
        ],
        [
          ["a", "b"],
          ["b", "a"],
        ],
      ),
    );
    expect(summary).toContain("- a Distinct ← b (link-2) {}");
    expect(summary).toContain("- b Distinct ← a (link-1) {}");
    expect(summary).toContain("the links form a cycle; no run order exists for a, b");
  });
});
