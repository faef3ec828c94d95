import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addLink } from "./add-link.ts";
import { topologicalOrder } from "./graph.ts";
import { build, csv, expectToolError, filter, join } from "./testing.ts";

describe("topologicalOrder", () => {
  it("puts every operator after its inputs, keeping workflow order among ready ones", () => {
    // listed out of order on purpose: the limit first, the sources last
    const { wf } = build(
      [["Limit", { limit: 3 }], join(), filter(), csv("customers.csv"), csv("orders.csv")],
      [
        [4, 2],
        [2, 1, 0],
        [3, 1, 1],
        [1, 0],
      ],
    );
    // op1 Limit, op2 HashJoin, op3 Filter, op4 customers scan, op5 orders scan
    expect(topologicalOrder(wf)).toEqual(["op4", "op5", "op3", "op2", "op1"]);
  });

  it("keeps unconnected operators in workflow order and ignores dangling links", () => {
    const { wf } = build([["Distinct"], csv(), ["Distinct"]]);
    const dangling = {
      ...wf,
      links: [
        {
          linkID: "x",
          source: { operatorID: "ghost", portID: "output-0" },
          target: { operatorID: "op1", portID: "input-0" },
        },
      ],
    };
    expect(topologicalOrder(dangling)).toEqual(["op1", "op2", "op3"]);
  });

  it("refuses a cyclic workflow, naming the operators it cannot order", () => {
    const { wf } = build(
      [csv(), ["Distinct"], ["Distinct"], ["Limit", { limit: 1 }]],
      [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
    );
    const cyclic = {
      ...wf,
      links: [
        ...wf.links,
        {
          linkID: "back",
          source: { operatorID: "op3", portID: "output-0" },
          target: { operatorID: "op2", portID: "input-0" },
        },
      ],
    };
    expectToolError(() => topologicalOrder(cyclic), "cycle", /no run order exists for op2, op3, op4/);
  });

  it("orders any DAG that addLink lets through", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(7), fc.nat(7)), { maxLength: 30 }), (pairs) => {
        let { wf } = build(Array.from({ length: 8 }, () => ["Union"] as [string]));
        for (const [s, t] of pairs) {
          try {
            wf = addLink(wf, { source: `op${s + 1}`, target: `op${t + 1}` }).workflow;
          } catch {
            // refused links (cycles, taken ports) are the point of this test: they never get in
          }
        }
        const order = topologicalOrder(wf);
        expect([...order].sort()).toEqual(wf.operators.map((o) => o.operatorID).sort());
        const at = new Map(order.map((id, i) => [id, i]));
        for (const link of wf.links) {
          expect(at.get(link.source.operatorID)!).toBeLessThan(at.get(link.target.operatorID)!);
        }
      }),
      { numRuns: 200 },
    );
  });
});
