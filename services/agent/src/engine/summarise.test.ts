import { describe, expect, it } from "vitest";
import type { OperatorResult } from "./protocol.ts";
import { summariseResults } from "./summarise.ts";

function result(
  operatorId: string,
  columns: number,
  rows: number,
  cell: (r: number, c: number) => unknown,
): OperatorResult {
  return {
    operatorId,
    operatorType: "Projection",
    columns: Array.from({ length: columns }, (_, c) => ({ name: `col_${c}`, type: "VARCHAR" })),
    rows: Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => cell(r, c))),
    rowCount: rows,
    truncated: false,
    elapsedMs: 1,
  };
}

describe("summariseResults", () => {
  it("shows every row when they fit", () => {
    const { shown, rowCounts } = summariseResults([result("a", 2, 3, (r, c) => `${r}/${c}`)], ["a"], {
      maxOperatorResultCharLimit: 4_000,
      maxOperatorResultCellCharLimit: 200,
    });
    expect(shown[0]).toMatchObject({
      rowCount: 3,
      note: "all 3 rows shown",
      columns: ["col_0 VARCHAR", "col_1 VARCHAR"],
    });
    expect(shown[0]!.rows[2]).toEqual({ col_0: "2/0", col_1: "2/1" });
    expect(rowCounts).toEqual({ a: 3 });
  });

  it("stays within the character limit for any limit, shares it between shown operators, cuts cells", () => {
    const big = [result("a", 5, 500, (r) => "v".repeat(r % 40)), result("b", 3, 200, (r) => r)];
    for (const limit of [400, 700, 1_000, 2_000, 4_000, 10_000]) {
      const summary = summariseResults(big, ["a", "b"], {
        maxOperatorResultCharLimit: limit,
        maxOperatorResultCellCharLimit: 10,
      });
      expect(JSON.stringify(summary).length).toBeLessThanOrEqual(limit);
      for (const s of summary.shown) {
        for (const row of s.rows)
          for (const v of Object.values(row)) expect(String(v).length).toBeLessThanOrEqual(10);
      }
      expect(summary.shown.map((s) => s.rowCount)).toEqual([500, 200]);
    }
    const wide = summariseResults([result("w", 300, 1, () => "x")], ["w"], {
      maxOperatorResultCharLimit: 1_000,
      maxOperatorResultCellCharLimit: 10,
    });
    expect(wide.shown[0]!.columns.at(-1)).toMatch(/^… \d+ more columns$/);
    expect(JSON.stringify(wide).length).toBeLessThanOrEqual(1_000);
  });
});
