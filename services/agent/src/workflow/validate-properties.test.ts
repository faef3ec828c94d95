import { describe, expect, it } from "vitest";
import { OPERATOR_CATALOG } from "./catalog.ts";
import { expectToolError } from "./testing.ts";
import { validateProperties } from "./validate-properties.ts";

describe("the operator catalog", () => {
  it("is Texera's relational operators, by Texera's operatorType (OP/LogicalOp.scala@7809765)", () => {
    expect(OPERATOR_CATALOG.map((t) => t.operatorType)).toEqual([
      "CSVFileScan",
      "JSONLFileScan",
      "ParquetFileScan",
      "Filter",
      "Projection",
      "Aggregate",
      "Sort",
      "Limit",
      "HashJoin",
      "Distinct",
      "Union",
      "SubstringSearch",
    ]);
    for (const t of OPERATOR_CATALOG) {
      expect(t.description.length).toBeGreaterThan(20);
      expect(t.texeraSource).toMatch(/OP(25)?\//);
      expect(t.jsonSchema).toMatchObject({ type: "object", additionalProperties: false });
      expect(t.outputPorts).toHaveLength(1);
    }
    expect(Object.isFrozen(OPERATOR_CATALOG[3]!.jsonSchema)).toBe(true);
  });

  it("has Texera's enums (ComparisonType, AggregationFunction, JoinType, SortPreference, FileDecodingMethod)", () => {
    const schema = (type: string) =>
      JSON.stringify(OPERATOR_CATALOG.find((t) => t.operatorType === type)!.jsonSchema);
    expect(schema("Filter")).toContain('["=",">",">=","<","<=","!=","is null","is not null"]');
    expect(schema("Aggregate")).toContain('["sum","count","count(*)","average","min","max","concat"]');
    expect(schema("HashJoin")).toContain('["inner","left outer","right outer","full outer"]');
    expect(schema("Sort")).toContain('["ASC","DESC"]');
    expect(schema("CSVFileScan")).toContain('["UTF_8","UTF_16","US_ASCII"]');
  });
});

describe("validateProperties", () => {
  it("fills in Texera's defaults and leaves the input alone", () => {
    const input = { fileName: "orders.csv" };
    expect(validateProperties("CSVFileScan", input)).toEqual({
      fileName: "orders.csv",
      fileEncoding: "UTF_8",
      customDelimiter: ",",
      hasHeader: true,
    });
    expect(input).toEqual({ fileName: "orders.csv" });
    expect(validateProperties("JSONLFileScan", { fileName: "e.json" })).toEqual({
      fileName: "e.json",
      fileEncoding: "UTF_8",
      flatten: false,
    });
    expect(validateProperties("HashJoin", { buildAttributeName: "a", probeAttributeName: "b" })).toEqual({
      buildAttributeName: "a",
      probeAttributeName: "b",
      joinType: "inner",
    });
    expect(
      validateProperties("Aggregate", {
        aggregations: [{ aggFunction: "count(*)", "result attribute": "n" }],
      }),
    ).toMatchObject({ groupByKeys: [] });
    expect(validateProperties("SubstringSearch", { attribute: "a", substring: "x" })).toMatchObject({
      isCaseSensitive: false,
    });
    // a property every LogicalOp carries in Texera is accepted and kept
    expect(validateProperties("Distinct", { dummyPropertyList: [] })).toEqual({ dummyPropertyList: [] });
  });

  it("accepts Texera's dataset path form for a scan's fileName, and refuses disk paths", () => {
    expect(validateProperties("CSVFileScan", { fileName: "/a@b.org/sales/v1/sales.csv" }).fileName).toBe(
      "/a@b.org/sales/v1/sales.csv",
    );
    for (const fileName of ["../x.csv", "a/../../b", "~/x", "a\\b", "a//b"]) {
      expectToolError(
        () => validateProperties("CSVFileScan", { fileName }),
        "invalid_properties",
        /fileName/,
      );
    }
  });

  it("names the type, the path and what is expected", () => {
    expectToolError(
      () => validateProperties("Filter", { predicates: [{ attribute: "a", condition: "like", value: "x" }] }),
      "invalid_properties",
      /Filter\.predicates\[0\]\.condition must be one of/,
    );
    expectToolError(
      () =>
        validateProperties("Aggregate", { aggregations: [{ aggFunction: "sum", "result attribute": "s" }] }),
      "invalid_properties",
      /attribute is required/,
    );
    expectToolError(
      () =>
        validateProperties("HashJoin", {
          buildAttributeName: "a",
          probeAttributeName: "b",
          joinType: "left",
        }),
      "invalid_properties",
      /joinType/,
    );
    expectToolError(
      () => validateProperties("Limit", { limit: 1, offset: 2 }),
      "invalid_properties",
      /offset/,
    );
  });

  it("reports every problem at once", () => {
    const error = expectToolError(
      () => validateProperties("Sort", { attributes: [{ attribute: "" }], extra: 1 }),
      "invalid_properties",
    );
    expect(error.message).toMatch(/extra/);
    expect(error.message).toMatch(/attribute/);
  });
});
