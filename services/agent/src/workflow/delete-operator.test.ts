import { describe, expect, it } from "vitest";
import { deleteOperator } from "./delete-operator.ts";
import { build, csv, expectToolError, filter } from "./testing.ts";

describe("deleteOperator", () => {
  it("removes the operator, its position and every link into or out of it, nothing else", () => {
    const { wf } = build(
      [csv(), filter(), ["Distinct"], csv("b.csv")],
      [
        [0, 1],
        [1, 2],
      ],
    );
    const after = deleteOperator(wf, { operatorId: "op2" });
    expect(after.operators.map((o) => o.operatorID)).toEqual(["op1", "op3", "op4"]);
    expect(after.links).toEqual([]);
    expect(Object.keys(after.operatorPositions)).toEqual(["op1", "op3", "op4"]);
    expect(after.settings).toEqual(wf.settings);
  });

  it("refuses an unknown id and lists the ids there are", () => {
    const { wf } = build([csv()]);
    expectToolError(
      () => deleteOperator(wf, { operatorId: "op5" }),
      "unknown_operator",
      /operator ids are: op1/,
    );
  });
});
