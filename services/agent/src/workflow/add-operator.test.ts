import { emptyWorkflow } from "@texera-agent/protocol";
import { describe, expect, it } from "vitest";
import { addOperator } from "./add-operator.ts";
import { MAX_OPERATORS } from "./lookup.ts";
import { build, csv, expectToolError, filter, frozen } from "./testing.ts";

describe("addOperator", () => {
  it("adds an unconnected operator with defaults, a readable id and the type's display name", () => {
    const before = frozen(emptyWorkflow());
    const { workflow, operatorId } = addOperator(before, {
      operatorType: "CSVFileScan",
      properties: { fileName: "a.csv" },
    });
    expect(operatorId).toBe("csv-file-scan-1");
    expect(workflow.operators).toEqual([
      {
        operatorId: "csv-file-scan-1",
        operatorType: "CSVFileScan",
        displayName: "CSV File Scan",
        properties: { fileName: "a.csv", delimiter: ",", hasHeader: true },
      },
    ]);
    expect(workflow.links).toEqual([]);
    expect(before.operators).toEqual([]);
  });

  it("numbers ids per type and never reuses one that exists", () => {
    const { wf } = build([
      csv(),
      csv("b.csv"),
      filter(),
      ["HashJoin", { leftAttribute: "a", rightAttribute: "b" }],
    ]);
    expect(wf.operators.map((o) => o.operatorId)).toEqual([
      "csv-file-scan-1",
      "csv-file-scan-2",
      "filter-1",
      "hash-join-1",
    ]);
    const withOdd = frozen({
      operators: [{ operatorId: "filter-7", operatorType: "Filter", properties: {} }],
      links: [],
    });
    expect(addOperator(withOdd, { operatorType: "Filter", properties: filter()[1] }).operatorId).toBe(
      "filter-8",
    );
  });

  it("keeps a given display name, trimmed, and takes no properties for Distinct", () => {
    const { workflow } = addOperator(emptyWorkflow(), {
      operatorType: "Distinct",
      displayName: "  Unique rows ",
    });
    expect(workflow.operators[0]).toMatchObject({ displayName: "Unique rows", properties: {} });
    expectToolError(
      () => addOperator(emptyWorkflow(), { operatorType: "Distinct", displayName: "   " }),
      "invalid_arguments",
    );
  });

  it("refuses unknown types, invalid properties and a full workflow", () => {
    expectToolError(
      () => addOperator(emptyWorkflow(), { operatorType: "Filtr" }),
      "unknown_operator_type",
      /did you mean "Filter"/,
    );
    expectToolError(
      () => addOperator(emptyWorkflow(), { operatorType: "Filter" }),
      "invalid_properties",
      /Filter\.conditions is required/,
    );
    const full = frozen({
      operators: Array.from({ length: MAX_OPERATORS }, (_, i) => ({
        operatorId: `distinct-${i + 1}`,
        operatorType: "Distinct",
        properties: {},
      })),
      links: [],
    });
    expectToolError(() => addOperator(full, { operatorType: "Distinct" }), "too_large", /delete some/);
  });
});
