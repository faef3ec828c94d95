import { describe, expect, it } from "vitest";
import { modifyOperator } from "./modify-operator.ts";
import { build, csv, expectToolError } from "./testing.ts";

describe("modifyOperator", () => {
  const { wf, ids } = build(
    [
      ["CSVFileScan", { fileName: "a.csv", delimiter: ";" }],
      ["Limit", { limit: 5, offset: 2 }],
    ],
    [[0, 1]],
  );

  it("merges properties at the top level and re-applies defaults", () => {
    const next = modifyOperator(wf, { operatorId: ids[0]!, properties: { hasHeader: false } });
    expect(next.operators[0]!.properties).toEqual({ fileName: "a.csv", delimiter: ";", hasHeader: false });
    expect(next.operators[1]).toBe(wf.operators[1]);
    expect(next.links).toBe(wf.links);
    expect(wf.operators[0]!.properties).toEqual({ fileName: "a.csv", delimiter: ";", hasHeader: true });
  });

  it("resets a key set to null to its default, and replaces arrays whole", () => {
    const reset = modifyOperator(wf, { operatorId: ids[1]!, properties: { offset: null } });
    expect(reset.operators[1]!.properties).toEqual({ limit: 5, offset: 0 });
    const sorted = build([["Sort", { sortKeys: [{ attribute: "a" }, { attribute: "b" }] }]]);
    const replaced = modifyOperator(sorted.wf, {
      operatorId: sorted.ids[0]!,
      properties: { sortKeys: [{ attribute: "c", order: "desc" }] },
    });
    expect(replaced.operators[0]!.properties).toEqual({ sortKeys: [{ attribute: "c", order: "desc" }] });
  });

  it("changes the display name alone", () => {
    const next = modifyOperator(wf, { operatorId: ids[1]!, displayName: "Top 5" });
    expect(next.operators[1]).toMatchObject({ displayName: "Top 5", properties: { limit: 5, offset: 2 } });
  });

  it("refuses unknown ids, invalid results, removing a required key and empty changes", () => {
    expectToolError(
      () => modifyOperator(wf, { operatorId: "limit-9", properties: {} }),
      "unknown_operator",
      /no operator "limit-9" in the workflow; its operator ids are: csv-file-scan-1, limit-1/,
    );
    expectToolError(
      () => modifyOperator(wf, { operatorId: ids[1]!, properties: { limit: "ten" } }),
      "invalid_properties",
      /Limit\.limit must be an integer, not the string "ten"/,
    );
    expectToolError(
      () => modifyOperator(wf, { operatorId: ids[0]!, properties: { fileName: null } }),
      "invalid_properties",
      /CSVFileScan\.fileName is required/,
    );
    expectToolError(
      () => modifyOperator(wf, { operatorId: ids[0]!, properties: JSON.parse('{"__proto__":{"x":1}}') }),
      "invalid_properties",
      /no property "__proto__"/,
    );
    expectToolError(
      () => modifyOperator(wf, { operatorId: ids[0]! }),
      "invalid_arguments",
      /nothing to change/,
    );
  });

  it("keeps the build helper honest", () => {
    expect(build([csv()]).wf.operators).toHaveLength(1);
  });
});
