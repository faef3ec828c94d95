/**
 * The operator catalog: every operator type the agent may place in a workflow, with the JSON Schema
 * (draft-07) of its properties. The schemas are shaped so that each operator maps to one SQL clause.
 */
export interface OperatorType {
  operatorType: string;
  displayName: string;
  description: string;
  inputPorts: number;
  /** Names of the input ports, by index (e.g. ["left", "right"] for a join); absent for 0 or 1 port. */
  inputPortNames?: readonly string[];
  propertiesSchema: Record<string, unknown>;
}

/** Limits that keep a property document small enough for the model's context. */
const MAX_NAME = 256;
const MAX_LIST = 100;

const attribute = (description: string) => ({
  type: "string",
  minLength: 1,
  maxLength: MAX_NAME,
  description,
});

const object = (properties: Record<string, unknown>, required: string[] = [], extra = {}) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
  ...extra,
});

const fileName = {
  type: "string",
  minLength: 1,
  maxLength: 512,
  // No absolute paths, no ".." segments, no backslashes or NUL: a name inside the user's datasets.
  pattern: "^(?![/~])(?!(.*/)?\\.\\.(/|$))[^\\\\\\u0000]+$",
  description:
    'name of one of the user\'s datasets, e.g. "orders.csv" or "sales/2024.csv" (a relative name: no leading /, no ..)',
};

const COMPARISONS = ["=", "!=", ">", ">=", "<", "<="] as const;
const NULL_CHECKS = ["is null", "is not null"] as const;
export const FILTER_CONDITIONS = [...COMPARISONS, "contains", ...NULL_CHECKS] as const;
export const AGGREGATE_FUNCTIONS = ["sum", "count", "average", "min", "max"] as const;
export const JOIN_TYPES = ["inner", "left", "right", "full"] as const;

const fileScan = (operatorType: string, displayName: string, format: string, extra = {}): OperatorType => ({
  operatorType,
  displayName,
  description: `Reads a ${format} dataset of the user; each record becomes a row. A source: no inputs.`,
  inputPorts: 0,
  propertiesSchema: object({ fileName, ...extra }, ["fileName"]),
});

export const OPERATOR_CATALOG: readonly OperatorType[] = deepFreeze([
  fileScan("CSVFileScan", "CSV File Scan", "CSV", {
    delimiter: {
      type: "string",
      minLength: 1,
      maxLength: 1,
      default: ",",
      description: "the one character between fields",
    },
    hasHeader: {
      type: "boolean",
      default: true,
      description: "whether the first line holds the column names",
    },
  }),
  fileScan("ParquetFileScan", "Parquet File Scan", "Parquet"),
  fileScan("JSONFileScan", "JSON File Scan", "JSON (an array of objects, or one object per line)"),
  {
    operatorType: "Filter",
    displayName: "Filter",
    description:
      "Keeps the rows that satisfy the conditions (SQL WHERE). Conditions are combined with AND or OR.",
    inputPorts: 1,
    propertiesSchema: object(
      {
        conditions: {
          type: "array",
          minItems: 1,
          maxItems: MAX_LIST,
          description: "the tests a row must pass",
          items: object(
            {
              attribute: attribute("the column to test"),
              condition: { enum: [...FILTER_CONDITIONS], description: "how to compare the column" },
              value: {
                type: ["string", "number", "boolean"],
                maxLength: 1000,
                description: 'the value to compare with; not given for "is null" and "is not null"',
              },
            },
            ["attribute", "condition"],
            {
              if: { properties: { condition: { enum: [...NULL_CHECKS] } }, required: ["condition"] },
              // biome-ignore lint/suspicious/noThenProperty: the if/then keyword of JSON Schema
              then: {
                not: { required: ["value"] },
                description: '"is null" and "is not null" take no value',
              },
              else: { required: ["value"], description: "a comparison needs a value" },
            },
          ),
        },
        combine: {
          enum: ["AND", "OR"],
          default: "AND",
          description: "AND: a row must pass every condition; OR: at least one",
        },
      },
      ["conditions"],
    ),
  },
  {
    operatorType: "Projection",
    displayName: "Projection",
    description: "Keeps only the listed columns, in the listed order (SQL SELECT column list).",
    inputPorts: 1,
    propertiesSchema: object(
      {
        attributes: {
          type: "array",
          minItems: 1,
          maxItems: MAX_LIST,
          uniqueItems: true,
          items: attribute("a column to keep"),
          description: "the columns to keep",
        },
      },
      ["attributes"],
    ),
  },
  {
    operatorType: "Aggregate",
    displayName: "Aggregate",
    description:
      "Groups rows by the group-by keys and computes one value per aggregation for each group (SQL GROUP BY). " +
      'Without group-by keys, the whole input is one group. Use attribute "*" with count to count rows.',
    inputPorts: 1,
    propertiesSchema: object(
      {
        groupByKeys: {
          type: "array",
          maxItems: MAX_LIST,
          uniqueItems: true,
          default: [],
          items: attribute("a column to group by"),
          description: "the columns that define a group; empty for one group over all rows",
        },
        aggregations: {
          type: "array",
          minItems: 1,
          maxItems: MAX_LIST,
          description: "the values to compute per group",
          items: object(
            {
              attribute: attribute('the column to aggregate, or "*" with count'),
              function: { enum: [...AGGREGATE_FUNCTIONS], description: "the aggregate function" },
              resultAttribute: attribute("the name of the output column"),
            },
            ["attribute", "function", "resultAttribute"],
            {
              if: { properties: { attribute: { const: "*" } }, required: ["attribute"] },
              // biome-ignore lint/suspicious/noThenProperty: the if/then keyword of JSON Schema
              then: {
                properties: { function: { const: "count" } },
                description: 'attribute "*" counts rows and only works with count',
              },
            },
          ),
        },
      },
      ["aggregations"],
    ),
  },
  {
    operatorType: "Sort",
    displayName: "Sort",
    description: "Orders the rows by the sort keys, the first key first (SQL ORDER BY).",
    inputPorts: 1,
    propertiesSchema: object(
      {
        sortKeys: {
          type: "array",
          minItems: 1,
          maxItems: MAX_LIST,
          description: "the columns to order by, most significant first",
          items: object(
            {
              attribute: attribute("the column to order by"),
              order: { enum: ["asc", "desc"], default: "asc", description: "ascending or descending" },
            },
            ["attribute"],
          ),
        },
      },
      ["sortKeys"],
    ),
  },
  {
    operatorType: "Limit",
    displayName: "Limit",
    description: "Keeps at most `limit` rows, after skipping `offset` rows (SQL LIMIT … OFFSET …).",
    inputPorts: 1,
    propertiesSchema: object(
      {
        limit: { type: "integer", minimum: 0, maximum: 1_000_000_000, description: "the most rows to keep" },
        offset: {
          type: "integer",
          minimum: 0,
          maximum: 1_000_000_000,
          default: 0,
          description: "how many rows to skip first",
        },
      },
      ["limit"],
    ),
  },
  {
    operatorType: "HashJoin",
    displayName: "Hash Join",
    description:
      "Joins two inputs on equal values of one column each (SQL JOIN … ON left = right). " +
      "Input port 0 is the left side, port 1 the right side.",
    inputPorts: 2,
    inputPortNames: ["left", "right"],
    propertiesSchema: object(
      {
        leftAttribute: attribute("the join column of the left input (port 0)"),
        rightAttribute: attribute("the join column of the right input (port 1)"),
        joinType: {
          enum: [...JOIN_TYPES],
          default: "inner",
          description: "inner: matching rows only; left/right/full: also keep unmatched rows of that side",
        },
      },
      ["leftAttribute", "rightAttribute"],
    ),
  },
  {
    operatorType: "Distinct",
    displayName: "Distinct",
    description: "Drops duplicate rows (SQL SELECT DISTINCT). No properties.",
    inputPorts: 1,
    propertiesSchema: object({}),
  },
  {
    operatorType: "Union",
    displayName: "Union",
    description:
      "All rows of both inputs, duplicates kept (SQL UNION ALL); both inputs need the same columns. " +
      "Follow with Distinct to drop duplicates. No properties.",
    inputPorts: 2,
    inputPortNames: ["first", "second"],
    propertiesSchema: object({}),
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

/** How a port is called in messages: "port 1 (right)", or "port 0". */
export function portLabel(type: OperatorType | undefined, port: number): string {
  const name = type?.inputPortNames?.[port];
  return name ? `port ${port} (${name})` : `port ${port}`;
}
