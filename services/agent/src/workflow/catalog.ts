/**
 * The operator catalog: Texera's relational operators, by Texera's operatorType, with Texera's property
 * names, types, enums, defaults and port layout (facts from apache/texera's operator descriptors; each
 * entry names its file). The JSON Schema (draft-07) of each type's `operatorProperties` drives
 * validation, the error messages and what the model is shown.
 *
 * Citations: OP = common/workflow-operator/src/main/scala/org/apache/texera/amber/operator/, registry
 * OP/LogicalOp.scala@7809765; OP25 = core/workflow-operator/src/main/scala/edu/uci/ics/amber/operator/
 * at f3175d64 (see ../shared/TEXERA-AGENT-API.md §7.5-7.6).
 */
export interface InputPortSpec {
  displayName: string;
  /** Texera's `disallowMultiLinks`: the port takes exactly one link. */
  disallowMultiLinks: boolean;
  dependencies: readonly { id: number; internal: boolean }[];
}

export interface OperatorType {
  operatorType: string;
  userFriendlyName: string;
  description: string;
  inputPorts: readonly InputPortSpec[];
  outputPorts: readonly { displayName: string }[];
  /** JSON Schema of `operatorProperties`. */
  jsonSchema: Record<string, unknown>;
  /** The Texera source the facts come from. */
  texeraSource: string;
}

/** Limits that keep a property document small enough for the model's context. */
const MAX_NAME = 256;
const MAX_LIST = 100;
const MAX_ROWS = 1_000_000_000;

const attribute = (description: string) => ({
  type: "string",
  minLength: 1,
  maxLength: MAX_NAME,
  description,
});

// Every LogicalOp carries this Jackson property (OP25/LogicalOp.scala); it means nothing to the engine
// but may be present in workflows saved by Texera, so it is accepted and kept.
const dummyPropertyList = { type: "array", maxItems: MAX_LIST, items: { type: "object" } };

const object = (properties: Record<string, unknown>, required: string[] = [], extra = {}) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
  ...extra,
});
const operatorProperties = (properties: Record<string, unknown>, required: string[] = []) =>
  object({ ...properties, dummyPropertyList }, required);

const oneInput: InputPortSpec = { displayName: "", disallowMultiLinks: true, dependencies: [] };
const oneOutput = [{ displayName: "" }];

/**
 * A dataset of the caller: its plain name ("orders.csv"), or Texera's dataset path
 * "/<owner email>/<dataset>/<version>/<file>", which is looked up among the caller's datasets.
 */
const fileName = {
  type: "string",
  minLength: 1,
  maxLength: 512,
  // No ".." segments, backslashes, NUL or "//": a name (or Texera dataset path), never a disk path.
  pattern: "^(?!~)(?!(.*/)?\\.\\.(/|$))(?!.*//)[^\\\\\\u0000]+$",
  description:
    'one of the user\'s datasets: its name, e.g. "orders.csv", or Texera\'s dataset path "/<owner>/<dataset>/<version>/<file>"',
};
// OP25/source/scan/FileDecodingMethod.java:27-30
export const FILE_ENCODINGS = ["UTF_8", "UTF_16", "US_ASCII"] as const;
// OP25/source/scan/ScanSourceOpDesc.scala:47-65
const scanProperties = {
  fileName,
  fileEncoding: { enum: [...FILE_ENCODINGS], default: "UTF_8", description: "the file's text encoding" },
  limit: { type: "integer", minimum: 0, maximum: MAX_ROWS, description: "read at most this many rows" },
  offset: { type: "integer", minimum: 0, maximum: MAX_ROWS, description: "skip this many rows first" },
};

// OP25/filter/ComparisonType.java:25-41
export const FILTER_CONDITIONS = ["=", ">", ">=", "<", "<=", "!=", "is null", "is not null"] as const;
// OP/aggregate/AggregationFunction.java@d24b9e9 (2026: adds "count(*)", whose attribute is optional)
export const AGGREGATE_FUNCTIONS = ["sum", "count", "count(*)", "average", "min", "max", "concat"] as const;
// OP25/hashJoin/JoinType.java:24-28
export const JOIN_TYPES = ["inner", "left outer", "right outer", "full outer"] as const;
// OP25/sort/SortPreference.java:22-23
export const SORT_PREFERENCES = ["ASC", "DESC"] as const;

const source = (
  operatorType: string,
  userFriendlyName: string,
  format: string,
  properties: Record<string, unknown>,
  texeraSource: string,
): OperatorType => ({
  operatorType,
  userFriendlyName,
  description: `Reads a ${format} dataset of the user; each record becomes a row. A source: no inputs.`,
  inputPorts: [],
  outputPorts: oneOutput,
  jsonSchema: operatorProperties(properties, ["fileName"]),
  texeraSource,
});

export const OPERATOR_CATALOG: readonly OperatorType[] = deepFreeze([
  source(
    "CSVFileScan",
    "CSV File Scan",
    "CSV",
    {
      ...scanProperties,
      customDelimiter: {
        type: "string",
        maxLength: 16,
        default: ",",
        description: "the character between fields (the first character is used; empty means ,)",
      },
      hasHeader: {
        type: "boolean",
        default: true,
        description: "whether the first line holds the column names",
      },
    },
    "OP25/source/scan/csv/CSVScanSourceOpDesc.scala:39-48; OP/source/scan/csv/CSVScanSourceOpDesc.scala@27df2dd",
  ),
  source(
    "JSONLFileScan",
    "JSONL File Scan",
    "JSON lines (one object per line; a JSON array is read too)",
    {
      ...scanProperties,
      flatten: {
        type: "boolean",
        default: false,
        description: "flatten nested objects and arrays (this engine reads nested values as they are)",
      },
    },
    "OP/source/scan/json/JSONLScanSourceOpDesc.scala@053a6fd",
  ),
  source(
    "ParquetFileScan",
    "Parquet File Scan",
    "Parquet",
    // The Parquet scan ignores fileEncoding (@JsonIgnoreProperties), so a saved one is accepted.
    scanProperties,
    "OP/source/scan/parquet/ParquetScanSourceOpDesc.scala@0b34f58",
  ),
  {
    operatorType: "Filter",
    userFriendlyName: "Filter",
    description:
      "Keeps the rows that satisfy at least one of the predicates (predicates are OR-ed; chain Filters for AND). " +
      "value is text even for numbers; it is read as the column's type.",
    inputPorts: [oneInput],
    outputPorts: oneOutput,
    jsonSchema: operatorProperties(
      {
        predicates: {
          type: "array",
          minItems: 1,
          maxItems: MAX_LIST,
          description: "a row is kept when any predicate holds",
          items: object(
            {
              attribute: attribute("the column to test"),
              condition: { enum: [...FILTER_CONDITIONS], description: "how to compare the column" },
              value: {
                type: "string",
                maxLength: 1000,
                description: 'the value to compare with, as text; not used by "is null" / "is not null"',
              },
            },
            ["attribute", "condition"],
          ),
        },
      },
      ["predicates"],
    ),
    texeraSource: "OP25/filter/SpecializedFilterOpDesc.scala:30-61; OP25/filter/FilterPredicate.java:36-51",
  },
  {
    operatorType: "Projection",
    userFriendlyName: "Projection",
    description:
      "Keeps the listed columns in the listed order, renamed to alias when one is given; with isDrop true it " +
      "drops the listed columns instead.",
    inputPorts: [oneInput],
    outputPorts: oneOutput,
    jsonSchema: operatorProperties(
      {
        isDrop: {
          type: "boolean",
          default: false,
          description: "drop the listed columns instead of keeping them",
        },
        attributes: {
          type: "array",
          minItems: 1,
          maxItems: MAX_LIST,
          default: [],
          description: "the columns",
          items: object(
            {
              originalAttribute: attribute("a column of the input"),
              alias: {
                type: "string",
                maxLength: MAX_NAME,
                description: "its new name; empty keeps the name",
              },
            },
            ["originalAttribute"],
          ),
        },
      },
      ["isDrop", "attributes"],
    ),
    texeraSource: "OP25/projection/ProjectionOpDesc.scala:35-40; OP25/projection/AttributeUnit.java:30-48",
  },
  {
    operatorType: "Aggregate",
    userFriendlyName: "Aggregate",
    description:
      "Groups rows by groupByKeys and computes each aggregation per group; without keys the whole input is one " +
      'group. The output column of an aggregation is its "result attribute" (with a space). count(*) counts rows ' +
      "and takes no attribute.",
    inputPorts: [oneInput],
    outputPorts: oneOutput,
    jsonSchema: operatorProperties(
      {
        aggregations: {
          type: "array",
          minItems: 1,
          maxItems: MAX_LIST,
          default: [],
          description: "the values to compute per group",
          items: object(
            {
              aggFunction: { enum: [...AGGREGATE_FUNCTIONS], description: "the aggregate function" },
              attribute: attribute("the column to aggregate (not used by count(*))"),
              "result attribute": attribute("the name of the output column"),
            },
            ["aggFunction", "result attribute"],
            {
              if: { properties: { aggFunction: { not: { const: "count(*)" } } } },
              // biome-ignore lint/suspicious/noThenProperty: the if/then keyword of JSON Schema
              then: {
                required: ["attribute"],
                description: "every function but count(*) needs an attribute",
              },
            },
          ),
        },
        groupByKeys: {
          type: "array",
          maxItems: MAX_LIST,
          uniqueItems: true,
          default: [],
          items: attribute("a column to group by"),
          description: "the columns that define a group; empty for one group over all rows",
        },
      },
      ["aggregations"],
    ),
    texeraSource:
      "OP25/aggregate/AggregateOpDesc.scala:40-50; OP/aggregate/AggregationOperation.scala@0a9117c; OP/aggregate/AggregationFunction.java@d24b9e9",
  },
  {
    operatorType: "Sort",
    userFriendlyName: "Sort",
    description: "Orders the rows by the attributes, the first one first.",
    inputPorts: [oneInput],
    outputPorts: oneOutput,
    jsonSchema: operatorProperties(
      {
        attributes: {
          type: "array",
          minItems: 1,
          maxItems: MAX_LIST,
          description: "the columns to order by, most significant first",
          items: object(
            {
              attribute: attribute("the column to order by"),
              sortPreference: {
                enum: [...SORT_PREFERENCES],
                default: "ASC",
                description: "ascending or descending",
              },
            },
            ["attribute", "sortPreference"],
          ),
        },
      },
      ["attributes"],
    ),
    texeraSource: "OP25/sort/SortOpDesc.scala:28-30; OP/sort/SortCriteriaUnit.scala@ca12536",
  },
  {
    operatorType: "Limit",
    userFriendlyName: "Limit",
    description: "Keeps the first `limit` rows.",
    inputPorts: [oneInput],
    outputPorts: oneOutput,
    jsonSchema: operatorProperties(
      { limit: { type: "integer", minimum: 0, maximum: MAX_ROWS, description: "the most rows to keep" } },
      ["limit"],
    ),
    texeraSource: "OP25/limit/LimitOpDesc.scala:36-39",
  },
  {
    operatorType: "HashJoin",
    userFriendlyName: "Hash Join",
    description:
      "Joins two inputs on equal values: input port 0 (left) on buildAttributeName, port 1 (right) on " +
      "probeAttributeName. Output: the left columns, then the right ones without probeAttributeName; a right " +
      'column whose name is taken gets "#@1" appended.',
    inputPorts: [
      { displayName: "left", disallowMultiLinks: true, dependencies: [] },
      { displayName: "right", disallowMultiLinks: true, dependencies: [{ id: 0, internal: false }] },
    ],
    outputPorts: oneOutput,
    jsonSchema: operatorProperties(
      {
        buildAttributeName: attribute("the join column of the left input (port 0)"),
        probeAttributeName: attribute("the join column of the right input (port 1)"),
        joinType: {
          enum: [...JOIN_TYPES],
          default: "inner",
          description:
            "inner: matching rows only; left/right/full outer: also the unmatched rows of that side",
        },
      },
      ["buildAttributeName", "probeAttributeName", "joinType"],
    ),
    texeraSource:
      "OP/hashJoin/HashJoinOpDesc.scala@0d16f66 (ports, output schema); OP/hashJoin/HashJoinProbeOpExec.scala@0a7050d; OP25/hashJoin/JoinType.java:24-28",
  },
  {
    operatorType: "Distinct",
    userFriendlyName: "Distinct",
    description: "Drops duplicate rows. No properties.",
    inputPorts: [oneInput],
    outputPorts: oneOutput,
    jsonSchema: operatorProperties({}),
    texeraSource: "OP25/distinct/DistinctOpDesc.scala:28, 49-55",
  },
  {
    operatorType: "Union",
    userFriendlyName: "Union",
    description:
      "All rows of every input, duplicates kept; its one input port takes any number of links, and every input " +
      "needs the same columns. No properties.",
    inputPorts: [{ displayName: "", disallowMultiLinks: false, dependencies: [] }],
    outputPorts: oneOutput,
    jsonSchema: operatorProperties({}),
    texeraSource: "OP25/union/UnionOpDesc.scala:28, 46-52",
  },
  {
    operatorType: "SubstringSearch",
    userFriendlyName: "Substring Search",
    description: "Keeps the rows whose attribute contains the substring.",
    inputPorts: [oneInput],
    outputPorts: oneOutput,
    jsonSchema: operatorProperties(
      {
        attribute: attribute("the column to search"),
        substring: { type: "string", maxLength: 1000, description: "the text to look for" },
        isCaseSensitive: { type: "boolean", default: false, description: "whether case must match" },
      },
      ["attribute", "substring", "isCaseSensitive"],
    ),
    texeraSource: "OP/substringSearch/SubstringSearchOpDesc.scala@19c6a07",
  },
]);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const BY_TYPE = new Map(OPERATOR_CATALOG.map((t) => [t.operatorType, t]));

/** The catalog entry of a type name, or undefined. */
export function findOperatorType(operatorType: string): OperatorType | undefined {
  return BY_TYPE.get(operatorType);
}

/** Whether the type reads a dataset (has no input ports). */
export function isSource(type: OperatorType | undefined): boolean {
  return type !== undefined && type.inputPorts.length === 0;
}

/** How a port is called in messages: "input-1 (right)", or "input-0". */
export function portLabel(type: OperatorType | undefined, port: number): string {
  const name = type?.inputPorts[port]?.displayName;
  return name ? `input-${port} (${name})` : `input-${port}`;
}
