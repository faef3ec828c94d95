import { describe, expect, it } from "vitest";
import { deleteOperator } from "./delete-operator.ts";
import { build, csv, expectToolError, filter, join } from "./testing.ts";

describe("deleteOperator", () => {
  it("removes the operator and every link into or out of it, nothing else", () => {
    const { wf, ids } = build(
      [csv(), csv("c.csv"), filter(), join()],
      [
        [0, 2],
        [2, 3, 0],
        [1, 3, 1],
      ],
    );
    const next = deleteOperator(wf, { operatorId: ids[2]! });
    expect(next.operators.map((o) => o.operatorId)).toEqual([ids[0], ids[1], ids[3]]);
    expect(next.links).toEqual([{ linkId: "link-3", source: ids[1], target: ids[3], targetPort: 1 }]);
    expect(wf.operators).toHaveLength(4);
    expect(wf.links).toHaveLength(3);
  });

  it("refuses an unknown id and lists the ids there are", () => {
    const { wf } = build([csv()]);
    expectToolError(
      () => deleteOperator(wf, { operatorId: "csv-1" }),
      "unknown_operator",
      /no operator "csv-1".*: csv-file-scan-1$/,
    );
  });
});
