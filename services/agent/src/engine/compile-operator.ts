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
  JSONLFileScan: "json",
};
export const SCAN_FOR_FORMAT = {
  csv: "CSVFileScan",
  parquet: "ParquetFileScan",
  json: "JSONLFileScan",
} as const;

/**
 * The SELECT of one operator over its input relations, with Texera's semantics for each operatorType.
 * Checks first that every column the properties name exists with a type the operator can use, and throws
 * an EngineError naming the operator, the property and the column otherwise. Values from properties
 * become named parameters in `params`; identifiers are quoted.
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
    case "JSONLFileScan":
      if (p.flatten === true) {
        throw new EngineError(
          "unsupported_property",
          `${at.label}: flatten is not supported by this engine; set flatten to false (nested values are read as they are)`,
          { ...at, property: "flatten" },
        );
      }
      return scanSql(requireDataset(dataset, node.op.operatorType, at), p);
    case "Filter":
      return `SELECT * FROM ${a!.sql} WHERE ${filter(p, a!, at, params)}`;
    case "SubstringSearch":
      return `SELECT * FROM ${a!.sql} WHERE ${substring(p, a!, at, params)}`;
    case "Projection":
      return projection(p, a!, at);
    case "Aggregate":
      return aggregate(p, a!, at);
    case "Sort":
      return `SELECT * FROM ${a!.sql} ORDER BY ${sortKeys(p, a!, at)}`;
    case "Limit":
      return `SELECT * FROM ${a!.sql} LIMIT ${whole(p.limit)}`;
    case "HashJoin":
      return join(p, a!, b!, at);
    case "Distinct":
      return `SELECT DISTINCT * FROM ${a!.sql}`;
    case "Union":
      return union(inputs, at);
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
      { ...at, property: "fileName" },
    );
  }
  return dataset;
}

/**
 * The SELECT that reads a dataset file with a scan's options (Texera's defaults: UTF-8, header, comma;
 * offset rows skipped, then at most limit rows). With the default options it is exactly
 * `scanSql(dataset)`, whose row count is known from when the dataset was stored.
 */
export function scanSql(dataset: Pick<ResolvedDataset, "path" | "format">, p: Props = {}): string {
  const path = quoteLiteral(dataset.path);
  let read: string;
  if (dataset.format === "parquet") read = `SELECT * FROM read_parquet(${path})`;
  else if (dataset.format === "json") read = `SELECT * FROM read_json(${path})`;
  else {
    // Texera uses the first character of customDelimiter, and "," when it is empty.
    const delimiter =
      typeof p.customDelimiter === "string" && p.customDelimiter !== "" ? p.customDelimiter[0]! : ",";
    const header = p.hasHeader === false ? "false" : "true";
    const encoding = p.fileEncoding === "UTF_16" ? ", encoding = 'utf-16'" : ""; // US_ASCII is a subset of UTF-8
    read = `SELECT * FROM read_csv(${path}, header = ${header}, delim = ${quoteLiteral(delimiter)}${encoding})`;
  }
  const limit = typeof p.limit === "number" ? ` LIMIT ${whole(p.limit)}` : "";
  const offset = typeof p.offset === "number" && p.offset > 0 ? ` OFFSET ${whole(p.offset)}` : "";
  return limit || offset ? `SELECT * FROM (${read})${limit}${offset}` : read;
}

interface Predicate {
  attribute: string;
  condition: string;
  value?: string;
}

/** Texera's Filter: the predicates are OR-ed (SpecializedFilterOpDesc.scala:54-61). */
function filter(p: Props, input: Relation, at: At, params: Params): string {
  const predicates = (p.predicates as Predicate[]).map((c, i) => {
    const property = `predicates[${i}].attribute`;
    const column = requireColumn(input.columns, c.attribute, { ...at, property });
    const ident = quoteIdent(column.name);
    const condition = c.condition.toLowerCase();
    if (condition === "is null") return `${ident} IS NULL`;
    if (condition === "is not null") return `${ident} IS NOT NULL`;
    const mismatch = (why: string) =>
      new EngineError("type_mismatch", `${at.label}: predicates[${i}] ${why}`, {
        ...at,
        column: column.name,
        property: `predicates[${i}].value`,
      });
    if (c.value === undefined) throw mismatch(`compares ${column.name} with ${condition} but has no value`);
    const op = condition === "!=" ? "<>" : condition;
    return `${ident} ${op} ${params.add(comparisonValue(column, c.value, mismatch))}`;
  });
  return predicates.map((c) => `(${c})`).join(" OR ");
}

/** Texera's value is text, read as the column's type (FilterPredicate.java:96-158). */
function comparisonValue(
  column: ColumnSchema,
  value: string,
  mismatch: (why: string) => EngineError,
): string | number | boolean {
  const shown = JSON.stringify(value);
  switch (categoryOf(column.type)) {
    case "numeric": {
      const n = Number(value.trim());
      if (value.trim() === "" || !Number.isFinite(n)) {
        throw mismatch(
          `compares ${column.name} (${column.type}, a number) with ${shown}, which is not a number`,
        );
      }
      return n;
    }
    case "text":
    case "temporal":
      return value;
    case "boolean": {
      const lower = value.trim().toLowerCase();
      if (lower === "true" || lower === "false") return lower === "true";
      throw mismatch(`compares ${column.name} (BOOLEAN) with ${shown}; use "true" or "false"`);
    }
    default:
      throw mismatch(
        `compares ${column.name}, which is ${column.type}; a filter can compare numbers, text, booleans, dates and times only`,
      );
  }
}

function substring(p: Props, input: Relation, at: At, params: Params): string {
  const column = requireColumn(input.columns, String(p.attribute), { ...at, property: "attribute" });
  const text = `CAST(${quoteIdent(column.name)} AS VARCHAR)`;
  const needle = params.add(String(p.substring ?? ""));
  return p.isCaseSensitive === true
    ? `contains(${text}, ${needle})`
    : `contains(lower(${text}), lower(${needle}))`;
}

interface AttributeUnit {
  originalAttribute: string;
  alias?: string;
}

/** Texera's Projection: keep (renamed by alias) or, with isDrop, drop the listed columns. */
function projection(p: Props, input: Relation, at: At): string {
  const units = p.attributes as AttributeUnit[];
  const columns = units.map(
    (u, i) =>
      requireColumn(input.columns, u.originalAttribute, {
        ...at,
        property: `attributes[${i}].originalAttribute`,
      }).name,
  );
  if (p.isDrop === true) {
    if (columns.length === input.columns.length) {
      throw new EngineError(
        "invalid_properties",
        `${at.label}: isDrop would drop every column; keep at least one`,
        {
          ...at,
          property: "attributes",
        },
      );
    }
    return `SELECT * EXCLUDE (${columns.map(quoteIdent).join(", ")}) FROM ${input.sql}`;
  }
  const names: string[] = [];
  const selected = units.map((u, i) => {
    const name = u.alias ? u.alias : columns[i]!;
    const taken = names.find((n) => sameName(n, name));
    if (taken !== undefined) {
      throw new EngineError(
        "duplicate_column",
        `${at.label}: attributes[${i}] makes a second column named ${JSON.stringify(name)}; give it another alias`,
        { ...at, column: name, property: `attributes[${i}].alias` },
      );
    }
    names.push(name);
    return name === columns[i] ? quoteIdent(name) : `${quoteIdent(columns[i]!)} AS ${quoteIdent(name)}`;
  });
  return `SELECT ${selected.join(", ")} FROM ${input.sql}`;
}

interface Aggregation {
  aggFunction: (typeof AGGREGATE_FUNCTIONS)[number];
  attribute?: string;
  "result attribute": string;
}

/** Texera's Aggregate: group keys first, then one column per aggregation (AggregateOpDesc.scala). */
function aggregate(p: Props, input: Relation, at: At): string {
  const keys = ((p.groupByKeys as string[] | undefined) ?? []).map(
    (name, i) => requireColumn(input.columns, name, { ...at, property: `groupByKeys[${i}]` }).name,
  );
  const outputs: string[] = [...keys];
  const selected = (p.aggregations as Aggregation[]).map((agg, i) => {
    const result = agg["result attribute"];
    const property = `aggregations[${i}]["result attribute"]`;
    const taken = outputs.find((name) => sameName(name, result));
    if (taken !== undefined) {
      throw new EngineError(
        "duplicate_column",
        `${at.label}: ${property} ${JSON.stringify(result)} is already an output column (${JSON.stringify(taken)}); pick another name`,
        { ...at, column: result, property },
      );
    }
    if ([...result].some((ch) => ch.charCodeAt(0) < 32)) {
      throw new EngineError(
        "invalid_properties",
        `${at.label}: ${property} may not hold control characters`,
        {
          ...at,
          property,
        },
      );
    }
    outputs.push(result);
    const alias = quoteIdent(result);
    if (agg.aggFunction === "count(*)") return `count(*) AS ${alias}`;
    const column = requireColumn(input.columns, agg.attribute ?? "", {
      ...at,
      property: `aggregations[${i}].attribute`,
    });
    const ident = quoteIdent(column.name);
    const category = categoryOf(column.type);
    const needs = (ok: boolean, kinds: string) => {
      if (ok) return;
      throw new EngineError(
        "type_mismatch",
        `${at.label}: aggregations[${i}] takes the ${agg.aggFunction} of ${column.name}, which is ${column.type}; ${agg.aggFunction} needs ${kinds}`,
        { ...at, column: column.name, property: `aggregations[${i}].attribute` },
      );
    };
    switch (agg.aggFunction) {
      case "sum":
      case "average":
        needs(category === "numeric", "a number");
        return `${agg.aggFunction === "sum" ? "sum" : "avg"}(${ident}) AS ${alias}`;
      case "min":
      case "max":
        needs(category === "numeric" || category === "temporal", "a number or a time");
        return `${agg.aggFunction}(${ident}) AS ${alias}`;
      case "count":
        return `count(${ident}) AS ${alias}`;
      case "concat":
        // Texera joins every value with ",", a null as "" (AggregationOperation.concatAgg)
        return `string_agg(coalesce(CAST(${ident} AS VARCHAR), ''), ',') AS ${alias}`;
      default:
        throw new TypeError(`unknown aggregate function ${String(agg.aggFunction)}`);
    }
  });
  const keyList = keys.map(quoteIdent).join(", ");
  const select = [...keys.map(quoteIdent), ...selected].join(", ");
  if (keys.length === 0) return `SELECT ${select} FROM ${input.sql}`;
  // Groups come out in key order, so the same input always gives the same rows in the same order.
  const order = keys.map((k) => `${quoteIdent(k)} ASC NULLS LAST`).join(", ");
  return `SELECT ${select} FROM ${input.sql} GROUP BY ${keyList} ORDER BY ${order}`;
}

function sortKeys(p: Props, input: Relation, at: At): string {
  return (p.attributes as { attribute: string; sortPreference?: string }[])
    .map((k, i) => {
      const column = requireColumn(input.columns, k.attribute, {
        ...at,
        property: `attributes[${i}].attribute`,
      });
      return `${quoteIdent(column.name)} ${k.sortPreference === "DESC" ? "DESC" : "ASC"} NULLS LAST`;
    })
    .join(", ");
}

const JOIN_SQL: Record<string, string> = {
  inner: "INNER JOIN",
  "left outer": "LEFT JOIN",
  "right outer": "RIGHT JOIN",
  "full outer": "FULL OUTER JOIN",
};

/**
 * Texera's HashJoin output (HashJoinOpDesc.scala, probe schema): the left (build) columns, then the right
 * (probe) columns without probeAttributeName; a right name already taken by a left column becomes
 * `<name>#@1` (then #@2, …). For an unmatched right row the build key shows the probe key's value when
 * both keys have the same name, as Texera's probe fills fields by name.
 */
function join(p: Props, left: Relation, right: Relation, at: At): string {
  const l = requireColumn(left.columns, p.buildAttributeName as string, {
    ...at,
    property: "buildAttributeName",
    where: "the left input (input-0)",
  });
  const r = requireColumn(right.columns, p.probeAttributeName as string, {
    ...at,
    property: "probeAttributeName",
    where: "the right input (input-1)",
  });
  if (!comparable(l.type, r.type)) {
    throw new EngineError(
      "type_mismatch",
      `${at.label}: joins ${l.name} (${l.type}) with ${r.name} (${r.type}); the two join columns must hold the same kind of value`,
      { ...at, column: r.name, property: "probeAttributeName" },
    );
  }
  const joinType = String(p.joinType ?? "inner");
  const fillKey = l.name === r.name && (joinType === "right outer" || joinType === "full outer");
  const leftNames = left.columns.map((c) => c.name);
  const leftColumns = left.columns.map((c) =>
    fillKey && c.name === l.name
      ? `coalesce("__l".${quoteIdent(c.name)}, "__r".${quoteIdent(r.name)}) AS ${quoteIdent(c.name)}`
      : `"__l".${quoteIdent(c.name)}`,
  );
  const rightColumns = right.columns
    .filter((c) => c.name !== r.name)
    .map((c) => {
      let name = c.name;
      for (let n = 1; leftNames.some((x) => sameName(x, name)); n++) name = `${c.name}#@${n}`;
      return name === c.name
        ? `"__r".${quoteIdent(c.name)}`
        : `"__r".${quoteIdent(c.name)} AS ${quoteIdent(name)}`;
    });
  return (
    `SELECT ${[...leftColumns, ...rightColumns].join(", ")} FROM ${left.sql} AS "__l" ${JOIN_SQL[joinType]} ` +
    `${right.sql} AS "__r" ON "__l".${quoteIdent(l.name)} = "__r".${quoteIdent(r.name)}`
  );
}

/** Texera's Union: every input through its one port; all need the same columns (UnionOpDesc.scala). */
function union(inputs: Relation[], at: At): string {
  const [first, ...rest] = inputs;
  for (const [k, other] of rest.entries()) {
    const missing = first!.columns.filter((c) => !other.columns.some((d) => d.name === c.name));
    const extra = other.columns.filter((c) => !first!.columns.some((d) => d.name === c.name));
    if (missing.length > 0 || extra.length > 0) {
      const column = missing[0]?.name ?? extra[0]!.name;
      throw new EngineError(
        "unknown_column",
        `${at.label}: every input needs the same columns; ` +
          [
            missing.length > 0 ? `input ${k + 2} lacks ${missing.map((c) => c.name).join(", ")}` : "",
            extra.length > 0 ? `the first input lacks ${extra.map((c) => c.name).join(", ")}` : "",
          ]
            .filter(Boolean)
            .join(" and ") +
          `. First: ${describeColumns(first!.columns)}. Input ${k + 2}: ${describeColumns(other.columns)}. Add a Projection before the Union`,
        { ...at, column },
      );
    }
    for (const c of first!.columns) {
      const d = other.columns.find((x) => x.name === c.name)!;
      if (
        !comparable(c.type, d.type) &&
        !(categoryOf(c.type) === "numeric" && categoryOf(d.type) === "numeric")
      ) {
        throw new EngineError(
          "type_mismatch",
          `${at.label}: column ${c.name} is ${c.type} in the first input but ${d.type} in input ${k + 2}`,
          { ...at, column: c.name },
        );
      }
    }
  }
  return inputs.map((input) => `SELECT * FROM ${input.sql}`).join(" UNION ALL BY NAME ");
}

function whole(value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`expected a whole number, got ${String(value)}`);
  }
  return value;
}
