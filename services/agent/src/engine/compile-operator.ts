import type { AGGREGATE_FUNCTIONS } from "../workflow/catalog.ts";
import { categoryOf, comparable, describeColumns, requireColumn, sameName } from "./columns.ts";
import { EngineError } from "./errors.ts";
import { operatorLabel, type PlanNode } from "./plan.ts";
import type { ColumnSchema } from "./protocol.ts";
import type { ResolvedDataset } from "./resolver.ts";
import { type Params, quoteIdent, quoteLiteral } from "./sql.ts";

/** A relation an operator reads: its SQL name (already quoted) and its columns. */
export interface Relation {
  sql: string;
  columns: ColumnSchema[];
}

type Props = Record<string, unknown>;
interface At {
  operatorId: string;
  label: string;
}

const SCAN_FORMAT: Record<string, ResolvedDataset["format"]> = {
  CSVFileScan: "csv",
  ParquetFileScan: "parquet",
  JSONFileScan: "json",
};
const SCAN_FOR_FORMAT = { csv: "CSVFileScan", parquet: "ParquetFileScan", json: "JSONFileScan" } as const;

/**
 * The SELECT of one operator over its input relations. Checks first that every column the properties
 * name exists with a type the operator can use, and throws an EngineError naming the operator and the
 * column otherwise. Values from properties become named parameters in `params`.
 */
export function compileOperator(
  node: PlanNode,
  inputs: Relation[],
  dataset: ResolvedDataset | undefined,
  params: Params,
): string {
  const at: At = { operatorId: node.id, label: operatorLabel(node.op) };
  const p = node.properties;
  const [a, b] = inputs;
  switch (node.op.operatorType) {
    case "CSVFileScan":
    case "ParquetFileScan":
    case "JSONFileScan":
      return scanSql(requireDataset(dataset, node.op.operatorType, at), p);
    case "Filter":
      return `SELECT * FROM ${a!.sql} WHERE ${filter(p, a!, at, params)}`;
    case "Projection":
      return `SELECT ${projection(p, a!, at)} FROM ${a!.sql}`;
    case "Aggregate":
      return aggregate(p, a!, at);
    case "Sort":
      return `SELECT * FROM ${a!.sql} ORDER BY ${sortKeys(p, a!, at)}`;
    case "Limit":
      return `SELECT * FROM ${a!.sql} LIMIT ${whole(p.limit)} OFFSET ${whole(p.offset ?? 0)}`;
    case "HashJoin":
      return join(p, a!, b!, at);
    case "Distinct":
      return `SELECT DISTINCT * FROM ${a!.sql}`;
    case "Union":
      return union(a!, b!, at);
    default:
      throw new EngineError(
        "unknown_operator_type",
        `${at.label}: the engine cannot run this operator type`,
        at,
      );
  }
}

function requireDataset(dataset: ResolvedDataset | undefined, operatorType: string, at: At): ResolvedDataset {
  if (!dataset) throw new TypeError(`${at.operatorId}: a file scan was compiled without its dataset`);
  if (SCAN_FORMAT[operatorType] !== dataset.format) {
    throw new EngineError(
      "wrong_format",
      `${at.label}: the dataset ${JSON.stringify(dataset.name)} is a ${dataset.format.toUpperCase()} file; read it with ${SCAN_FOR_FORMAT[dataset.format]}`,
      at,
    );
  }
  return dataset;
}

/** The SELECT that reads a dataset file, with a CSV scan's options (defaults: header, comma). */
export function scanSql(dataset: Pick<ResolvedDataset, "path" | "format">, p: Props = {}): string {
  const path = quoteLiteral(dataset.path);
  if (dataset.format === "parquet") return `SELECT * FROM read_parquet(${path})`;
  if (dataset.format === "json") return `SELECT * FROM read_json(${path})`;
  const delimiter = typeof p.delimiter === "string" ? p.delimiter : ",";
  const header = p.hasHeader === false ? "false" : "true";
  return `SELECT * FROM read_csv(${path}, header = ${header}, delim = ${quoteLiteral(delimiter)})`;
}

interface Condition {
  attribute: string;
  condition: string;
  value?: string | number | boolean;
}

function filter(p: Props, input: Relation, at: At, params: Params): string {
  const conditions = (p.conditions as Condition[]).map((c, i) => {
    const property = `conditions[${i}].attribute`;
    const column = requireColumn(input.columns, c.attribute, { ...at, property });
    const ident = quoteIdent(column.name);
    if (c.condition === "is null") return `${ident} IS NULL`;
    if (c.condition === "is not null") return `${ident} IS NOT NULL`;
    const category = categoryOf(column.type);
    const mismatch = (why: string) =>
      new EngineError("type_mismatch", `${at.label}: conditions[${i}] ${why}`, {
        ...at,
        column: column.name,
      });
    if (c.condition === "contains") {
      if (category !== "text") {
        throw mismatch(
          `uses contains on ${column.name}, which is ${column.type}, not text; compare it with =, <, > instead`,
        );
      }
      return `contains(${ident}, ${params.add(String(c.value))})`;
    }
    const op = c.condition === "!=" ? "<>" : c.condition;
    return `${ident} ${op} ${params.add(comparisonValue(column, c.value!, mismatch))}`;
  });
  const glue = p.combine === "OR" ? " OR " : " AND ";
  return conditions.map((c) => `(${c})`).join(glue);
}

/** The value converted to what the column holds, or a type mismatch naming both. */
function comparisonValue(
  column: ColumnSchema,
  value: string | number | boolean,
  mismatch: (why: string) => EngineError,
): string | number | boolean {
  const shown = JSON.stringify(value);
  switch (categoryOf(column.type)) {
    case "numeric": {
      const n =
        typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;
      if (
        typeof value === "boolean" ||
        (typeof value === "string" && value.trim() === "") ||
        !Number.isFinite(n)
      ) {
        throw mismatch(
          `compares ${column.name} (${column.type}, a number) with ${shown}, which is not a number`,
        );
      }
      return n;
    }
    case "text":
      return String(value);
    case "boolean":
      if (typeof value === "boolean") return value;
      if (value === "true" || value === "false") return value === "true";
      throw mismatch(`compares ${column.name} (BOOLEAN) with ${shown}; use true or false`);
    case "temporal":
      if (typeof value !== "string") {
        throw mismatch(
          `compares ${column.name} (${column.type}) with ${shown}; give a date or time as text, e.g. "2024-01-31"`,
        );
      }
      return value;
    default:
      throw mismatch(
        `compares ${column.name}, which is ${column.type}; a filter can compare numbers, text, booleans, dates and times only`,
      );
  }
}

function projection(p: Props, input: Relation, at: At): string {
  return (p.attributes as string[])
    .map((name, i) =>
      quoteIdent(requireColumn(input.columns, name, { ...at, property: `attributes[${i}]` }).name),
    )
    .join(", ");
}

const SQL_FUNCTION: Record<(typeof AGGREGATE_FUNCTIONS)[number], string> = {
  sum: "sum",
  count: "count",
  average: "avg",
  min: "min",
  max: "max",
};

interface Aggregation {
  attribute: string;
  function: (typeof AGGREGATE_FUNCTIONS)[number];
  resultAttribute: string;
}

function aggregate(p: Props, input: Relation, at: At): string {
  const keys = ((p.groupByKeys as string[] | undefined) ?? []).map(
    (name, i) => requireColumn(input.columns, name, { ...at, property: `groupByKeys[${i}]` }).name,
  );
  const outputs: string[] = [...keys];
  const selected = (p.aggregations as Aggregation[]).map((agg, i) => {
    const taken = outputs.find((name) => sameName(name, agg.resultAttribute));
    if (taken !== undefined) {
      throw new EngineError(
        "duplicate_column",
        `${at.label}: aggregations[${i}].resultAttribute ${JSON.stringify(agg.resultAttribute)} is already an output column (${JSON.stringify(taken)}); pick another name`,
        { ...at, column: agg.resultAttribute },
      );
    }
    if ([...agg.resultAttribute].some((ch) => ch.charCodeAt(0) < 32)) {
      throw new EngineError(
        "invalid_properties",
        `${at.label}: aggregations[${i}].resultAttribute may not hold control characters`,
        at,
      );
    }
    outputs.push(agg.resultAttribute);
    const alias = quoteIdent(agg.resultAttribute);
    if (agg.attribute === "*") return `count(*) AS ${alias}`;
    const column = requireColumn(input.columns, agg.attribute, {
      ...at,
      property: `aggregations[${i}].attribute`,
    });
    if ((agg.function === "sum" || agg.function === "average") && categoryOf(column.type) !== "numeric") {
      throw new EngineError(
        "type_mismatch",
        `${at.label}: aggregations[${i}] takes the ${agg.function} of ${column.name}, which is ${column.type}, not a number; use count, min or max, or a numeric column`,
        { ...at, column: column.name },
      );
    }
    return `${SQL_FUNCTION[agg.function]}(${quoteIdent(column.name)}) AS ${alias}`;
  });
  const keyList = keys.map(quoteIdent).join(", ");
  const select = [...keys.map(quoteIdent), ...selected].join(", ");
  if (keys.length === 0) return `SELECT ${select} FROM ${input.sql}`;
  // Groups come out in key order, so the same input always gives the same rows in the same order.
  const order = keys.map((k) => `${quoteIdent(k)} ASC NULLS LAST`).join(", ");
  return `SELECT ${select} FROM ${input.sql} GROUP BY ${keyList} ORDER BY ${order}`;
}

function sortKeys(p: Props, input: Relation, at: At): string {
  return (p.sortKeys as { attribute: string; order?: string }[])
    .map((k, i) => {
      const column = requireColumn(input.columns, k.attribute, {
        ...at,
        property: `sortKeys[${i}].attribute`,
      });
      return `${quoteIdent(column.name)} ${k.order === "desc" ? "DESC" : "ASC"} NULLS LAST`;
    })
    .join(", ");
}

const JOIN_SQL: Record<string, string> = {
  inner: "INNER JOIN",
  left: "LEFT JOIN",
  right: "RIGHT JOIN",
  full: "FULL OUTER JOIN",
};

/** Left columns as they are, then right columns; a right name that collides gets `_right` appended. */
function join(p: Props, left: Relation, right: Relation, at: At): string {
  const l = requireColumn(left.columns, p.leftAttribute as string, {
    ...at,
    property: "leftAttribute",
    where: "the left input (port 0)",
  });
  const r = requireColumn(right.columns, p.rightAttribute as string, {
    ...at,
    property: "rightAttribute",
    where: "the right input (port 1)",
  });
  if (!comparable(l.type, r.type)) {
    throw new EngineError(
      "type_mismatch",
      `${at.label}: joins ${l.name} (${l.type}) with ${r.name} (${r.type}); the two join columns must hold the same kind of value`,
      { ...at, column: r.name },
    );
  }
  const names = left.columns.map((c) => c.name);
  const rightColumns = right.columns.map((c) => {
    let name = c.name;
    for (let n = 1; names.some((x) => sameName(x, name)); n++) name = `${c.name}_right${n === 1 ? "" : n}`;
    names.push(name);
    return `"__r".${quoteIdent(c.name)} AS ${quoteIdent(name)}`;
  });
  return (
    `SELECT "__l".*, ${rightColumns.join(", ")} FROM ${left.sql} AS "__l" ${JOIN_SQL[String(p.joinType ?? "inner")]} ` +
    `${right.sql} AS "__r" ON "__l".${quoteIdent(l.name)} = "__r".${quoteIdent(r.name)}`
  );
}

function union(first: Relation, second: Relation, at: At): string {
  const missing = first.columns.filter((c) => !second.columns.some((d) => d.name === c.name));
  const extra = second.columns.filter((c) => !first.columns.some((d) => d.name === c.name));
  if (missing.length > 0 || extra.length > 0) {
    const column = missing[0]?.name ?? extra[0]!.name;
    throw new EngineError(
      "unknown_column",
      `${at.label}: both inputs need the same columns; ` +
        [
          missing.length > 0 ? `the second input lacks ${missing.map((c) => c.name).join(", ")}` : "",
          extra.length > 0 ? `the first input lacks ${extra.map((c) => c.name).join(", ")}` : "",
        ]
          .filter(Boolean)
          .join(" and ") +
        `. First: ${describeColumns(first.columns)}. Second: ${describeColumns(second.columns)}. Add a Projection before the Union`,
      { ...at, column },
    );
  }
  for (const c of first.columns) {
    const d = second.columns.find((x) => x.name === c.name)!;
    if (
      !comparable(c.type, d.type) &&
      !(categoryOf(c.type) === "numeric" && categoryOf(d.type) === "numeric")
    ) {
      throw new EngineError(
        "type_mismatch",
        `${at.label}: column ${c.name} is ${c.type} in the first input but ${d.type} in the second`,
        { ...at, column: c.name },
      );
    }
  }
  return `SELECT * FROM ${first.sql} UNION ALL BY NAME SELECT * FROM ${second.sql}`;
}

function whole(value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`expected a whole number, got ${String(value)}`);
  }
  return value;
}
