import { describe, expect, it } from "vitest";
import { OPERATOR_CATALOG } from "./catalog.ts";
import { expectToolError } from "./testing.ts";
import { validateProperties } from "./validate-properties.ts";

describe("the operator catalog", () => {
  it("has the relational operators, each described, with closed property schemas", () => {
    expect(OPERATOR_CATALOG.map((t) => t.operatorType)).toEqual([
      "CSVFileScan",
      "ParquetFileScan",
      "JSONFileScan",
      "Filter",
      "Projection",
      "Aggregate",
      "Sort",
      "Limit",
      "HashJoin",
      "Distinct",
      "Union",
    ]);
    for (const t of OPERATOR_CATALOG) {
      expect(t.description.length).toBeGreaterThan(20);
      expect(t.propertiesSchema).toMatchObject({ type: "object", additionalProperties: false });
      if (t.inputPortNames) expect(t.inputPortNames).toHaveLength(t.inputPorts);
    }
    expect(Object.isFrozen(OPERATOR_CATALOG[3]!.propertiesSchema)).toBe(true);
  });
});

describe("validateProperties", () => {
  it("fills in the defaults of each type and leaves the input alone", () => {
    const input = { fileName: "orders.csv" };
    expect(validateProperties("CSVFileScan", input)).toEqual({
      fileName: "orders.csv",
      delimiter: ",",
      hasHeader: true,
    });
    expect(input).toEqual({ fileName: "orders.csv" });
    expect(
      validateProperties("CSVFileScan", { fileName: "a.tsv", delimiter: "\t", hasHeader: false }),
    ).toEqual({
      fileName: "a.tsv",
      delimiter: "\t",
      hasHeader: false,
    });
    expect(validateProperties("ParquetFileScan", { fileName: "sales/2024.parquet" })).toEqual({
      fileName: "sales/2024.parquet",
    });
    expect(validateProperties("JSONFileScan", { fileName: "events.json" })).toEqual({
      fileName: "events.json",
    });
    expect(
      validateProperties("Filter", {
        conditions: [
          { attribute: "a", condition: ">=", value: 3 },
          { attribute: "b", condition: "is null" },
          { attribute: "c", condition: "contains", value: "x" },
        ],
      }),
    ).toMatchObject({ combine: "AND" });
    expect(validateProperties("Projection", { attributes: ["a", "b"] })).toEqual({ attributes: ["a", "b"] });
    expect(
      validateProperties("Aggregate", {
        aggregations: [
          { attribute: "*", function: "count", resultAttribute: "n" },
          { attribute: "amount", function: "average", resultAttribute: "avgAmount" },
        ],
      }),
    ).toMatchObject({ groupByKeys: [] });
    expect(
      validateProperties("Sort", { sortKeys: [{ attribute: "a" }, { attribute: "b", order: "desc" }] }),
    ).toEqual({
      sortKeys: [
        { attribute: "a", order: "asc" },
        { attribute: "b", order: "desc" },
      ],
    });
    expect(validateProperties("Limit", { limit: 0 })).toEqual({ limit: 0, offset: 0 });
    expect(validateProperties("HashJoin", { leftAttribute: "a", rightAttribute: "b" })).toEqual({
      leftAttribute: "a",
      rightAttribute: "b",
      joinType: "inner",
    });
    expect(validateProperties("Distinct", {})).toEqual({});
    expect(validateProperties("Union", {})).toEqual({});
  });

  it("names the type, the path and what is expected", () => {
    const cases: [string, unknown, RegExp][] = [
      ["CSVFileScan", {}, /^CSVFileScan\.fileName is required \(name of one of the user's datasets/],
      [
        "CSVFileScan",
        { fileName: "/etc/passwd" },
        /CSVFileScan\.fileName is not accepted: expected .*got "\/etc\/passwd"/,
      ],
      ["CSVFileScan", { fileName: "a/../../b.csv" }, /CSVFileScan\.fileName is not accepted/],
      [
        "CSVFileScan",
        { fileName: "a.csv", delimiter: ";;" },
        /CSVFileScan\.delimiter must have at most 1 character/,
      ],
      [
        "CSVFileScan",
        { fileName: "a.csv", delimter: ";" },
        /has no property "delimter"; did you mean "delimiter"\?/,
      ],
      [
        "CSVFileScan",
        { fileName: "a.csv", hasHeader: "yes" },
        /CSVFileScan\.hasHeader must be a boolean, not the string "yes"/,
      ],
      ["ParquetFileScan", { fileName: "" }, /ParquetFileScan\.fileName must not be empty/],
      ["Filter", { conditions: [] }, /Filter\.conditions must have at least 1 item/],
      [
        "Filter",
        { conditions: [{ attribute: "a", condition: "==", value: 1 }] },
        /Filter\.conditions\[0\]\.condition must be one of "=", "!=", ">", ">=", "<", "<=", "contains", "is null", "is not null"; got "=="/,
      ],
      [
        "Filter",
        { conditions: [{ attribute: "a", condition: "<" }] },
        /Filter\.conditions\[0\]\.value is required \(a comparison needs a value\)/,
      ],
      [
        "Filter",
        { conditions: [{ attribute: "a", condition: "is not null", value: 1 }] },
        /Filter\.conditions\[0\] must not have "value" \("is null" and "is not null" take no value\)/,
      ],
      [
        "Filter",
        { conditions: [{ attribute: "a", condition: "=", value: {} }] },
        /value must be a string, a number or a boolean, not an object/,
      ],
      [
        "Filter",
        { conditions: [{ attribute: "a", condition: "=", value: 1 }], combine: "and" },
        /Filter\.combine must be one of "AND", "OR"; got "and"/,
      ],
      ["Projection", { attributes: [] }, /Projection\.attributes must have at least 1 item/],
      ["Projection", { attributes: ["a", "a"] }, /Projection\.attributes must not repeat items/],
      ["Projection", { attributes: "a" }, /Projection\.attributes must be an array, not the string "a"/],
      [
        "Aggregate",
        { aggregations: [{ attribute: "x", function: "mean", resultAttribute: "m" }] },
        /Aggregate\.aggregations\[0\]\.function must be one of "sum", "count", "average", "min", "max"; got "mean"/,
      ],
      [
        "Aggregate",
        { aggregations: [{ attribute: "*", function: "sum", resultAttribute: "m" }] },
        /Aggregate\.aggregations\[0\]\.function must be "count"; got "sum" \(attribute "\*" counts rows/,
      ],
      [
        "Aggregate",
        { aggregations: [{ attribute: "x", function: "sum" }] },
        /Aggregate\.aggregations\[0\]\.resultAttribute is required/,
      ],
      [
        "Sort",
        { sortKeys: [{ attribute: "a", order: "up" }] },
        /Sort\.sortKeys\[0\]\.order must be one of "asc", "desc"; got "up"/,
      ],
      ["Limit", { limit: -1 }, /Limit\.limit must be >= 0; got -1/],
      ["Limit", { limit: 2.5 }, /Limit\.limit must be an integer, not the number 2\.5/],
      ["Limit", { limit: 1, offset: -3 }, /Limit\.offset must be >= 0/],
      [
        "HashJoin",
        { leftAttribute: "a" },
        /HashJoin\.rightAttribute is required \(the join column of the right input/,
      ],
      [
        "HashJoin",
        { leftAttribute: "a", rightAttribute: "b", joinType: "outer" },
        /HashJoin\.joinType must be one of "inner", "left", "right", "full"; got "outer"/,
      ],
      ["Distinct", { attribute: "a" }, /Distinct takes no properties; remove "attribute"/],
      ["Union", [], /Union properties must be an object, not an array/],
    ];
    for (const [type, properties, message] of cases) {
      const error = expectToolError(
        () => validateProperties(type, properties),
        "invalid_properties",
        message,
      );
      expect(error.message).toContain(`getOperatorSchema with {"operatorType":"${type}"}`);
    }
  });

  it("reports every problem at once", () => {
    const error = expectToolError(
      () => validateProperties("Filter", { conditions: [{ condition: "~" }], combine: "XOR", extra: 1 }),
      "invalid_properties",
    );
    expect(error.message).toMatch(/has no property "extra"/);
    expect(error.message).toMatch(/conditions\[0\]\.attribute is required/);
    expect(error.message).toMatch(/condition must be one of/);
    expect(error.message).toMatch(/combine must be one of/);
  });

  it("refuses a __proto__ key instead of assigning it", () => {
    const properties = JSON.parse('{"fileName":"a.csv","__proto__":{"polluted":true}}');
    expectToolError(
      () => validateProperties("CSVFileScan", properties),
      "invalid_properties",
      /no property "__proto__"/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("suggests the nearest type name", () => {
    expectToolError(
      () => validateProperties("Filtr", {}),
      "unknown_operator_type",
      /unknown operator type "Filtr"; did you mean "Filter"\? known types: CSVFileScan, .*Union/,
    );
    const error = expectToolError(() => validateProperties("Teleport", {}), "unknown_operator_type");
    expect(error.message).not.toMatch(/did you mean/);
  });
});
