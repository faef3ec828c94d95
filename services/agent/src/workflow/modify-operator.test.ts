import { describe, expect, it } from "vitest";
import { modifyOperator } from "./modify-operator.ts";
import { build, csv, expectToolError, filter } from "./testing.ts";

describe("modifyOperator", () => {
  const { wf } = build([csv(), csv("b.csv"), filter()], [[0, 2]]);

  it("merges properties at the top level, null restoring a default, and revalidates", () => {
    const changed = modifyOperator(wf, {
      operatorId: "op1",
      properties: { hasHeader: false, customDelimiter: ";" },
    });
    expect(changed.operators[0]!.operatorProperties).toEqual({
      fileName: "orders.csv",
      fileEncoding: "UTF_8",
      customDelimiter: ";",
      hasHeader: false,
    });
    const back = modifyOperator(changed, { operatorId: "op1", properties: { customDelimiter: null } });
    expect(back.operators[0]!.operatorProperties.customDelimiter).toBe(",");
    expectToolError(
      () => modifyOperator(wf, { operatorId: "op3", properties: { predicates: [] } }),
      "invalid_properties",
      /predicates/,
    );
    expect(wf.operators[0]!.operatorProperties.hasHeader).toBe(true);
  });

  it("sets the summary as customDisplayName, and replaces every input link when inputOperatorIds is given", () => {
    const renamed = modifyOperator(wf, { operatorId: "op3", summary: "Big ones" });
    expect(renamed.operators[2]!.customDisplayName).toBe("Big ones");
    expect(renamed.links).toEqual(wf.links);
    const relinked = modifyOperator(wf, {
      operatorId: "op3",
      summary: "x",
      inputOperatorIds: { "0": ["op2"] },
    });
    expect(relinked.links.map((l) => [l.source.operatorID, l.target.operatorID])).toEqual([["op2", "op3"]]);
  });

  it("refuses nothing to change, unknown operators, and bad links without changing anything", () => {
    expectToolError(
      () => modifyOperator(wf, { operatorId: "op1" }),
      "invalid_arguments",
      /nothing to change/,
    );
    expectToolError(() => modifyOperator(wf, { operatorId: "op9", summary: "x" }), "unknown_operator");
    expectToolError(
      () => modifyOperator(wf, { operatorId: "op3", summary: "x", inputOperatorIds: { "0": ["op3"] } }),
      "self_loop",
    );
  });
});
