import { type Static, Type } from "@sinclair/typebox";
import { IsoDate } from "./common.ts";

/** Names of the tools that run the workflow and read datasets (agent-service owns their schemas). */
export const EXECUTION_TOOLS = [
  "executeWorkflow",
  "getOperatorResult",
  "listDatasets",
  "describeDataset",
] as const;
export type ExecutionToolName = (typeof EXECUTION_TOOLS)[number];

/** One output column of an operator or a dataset, with its DuckDB type name (BIGINT, DOUBLE, VARCHAR, …). */
export const ColumnSchema = Type.Object({ name: Type.String(), type: Type.String() });
export type ColumnSchema = Static<typeof ColumnSchema>;

/**
 * The result of one operator in one execution: the first rows (bounded), how many rows it produced, and
 * whether rows were left out. Rows are arrays in the order of `columns`; values are JSON (numbers, text,
 * booleans, null; dates and timestamps as ISO-like text; nested values as arrays and objects).
 */
export const OperatorResult = Type.Object({
  operatorId: Type.String(),
  operatorType: Type.String(),
  columns: Type.Array(ColumnSchema),
  rows: Type.Array(Type.Array(Type.Unknown())),
  rowCount: Type.Integer({ minimum: 0 }),
  /** true when rows holds fewer rows than rowCount (row bound or size bound), or long cells were cut */
  truncated: Type.Boolean(),
  /**
   * true when cells were cut before they left the engine (over its cell or row byte bound): each such
   * cell is text ending in "… [cut at N of M bytes]" (M: the value's full size)
   */
  cellsCut: Type.Optional(Type.Boolean()),
  elapsedMs: Type.Number(),
  /** Set when this operator failed; its rows are then empty and downstream operators did not run. */
  error: Type.Optional(Type.String()),
});
export type OperatorResult = Static<typeof OperatorResult>;

/** An operator's result without its rows: what a step frame carries (row counts for the DAG's edges). */
export const OperatorResultSummary = Type.Omit(OperatorResult, ["rows"]);
export type OperatorResultSummary = Static<typeof OperatorResultSummary>;

/**
 * One operator's latest result as Texera's frontend annotates the canvas with it (Texera's
 * `OperatorResultSummary`, frontend agent.service.ts:103-115 at b29e5be1be08a6df37b7b3c0e45d19d1aa743342).
 * `sampleRecords` are the first rows as objects keyed by column name. Extras: `operatorType`, `columns`
 * (names and types in order), `truncated`, `elapsedMs`.
 */
export const OperatorResultAnnotation = Type.Object({
  state: Type.String(),
  inputTuples: Type.Integer(),
  outputTuples: Type.Integer(),
  outputColumns: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String()),
  totalRowCount: Type.Optional(Type.Integer()),
  sampleRecords: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
  operatorType: Type.Optional(Type.String()),
  columns: Type.Optional(Type.Array(ColumnSchema)),
  truncated: Type.Optional(Type.Boolean()),
  cellsCut: Type.Optional(Type.Boolean()),
  elapsedMs: Type.Optional(Type.Number()),
});
export type OperatorResultAnnotation = Static<typeof OperatorResultAnnotation>;

/** Results keyed by operator id (Texera's `Record<operatorId, OperatorResultSummary>`). */
export const OperatorResultMap = Type.Record(Type.String(), OperatorResultAnnotation);
export type OperatorResultMap = Static<typeof OperatorResultMap>;

/**
 * GET /api/agents/:id/operator-results: the results of the agent's latest execution, keyed by operator id.
 * Extras: which operator the execution ran up to, and when.
 */
export const OperatorResultsResponse = Type.Object({
  results: OperatorResultMap,
  targetOperatorId: Type.Optional(Type.String()),
  executedAt: Type.Optional(IsoDate),
});
export type OperatorResultsResponse = Static<typeof OperatorResultsResponse>;

/** The results of one execution as the engine stores them (rows as arrays in the order of `columns`). */
export const OperatorResultList = Type.Object({
  /** The operator the execution ran up to (every sink when absent). */
  targetOperatorId: Type.Optional(Type.String()),
  executedAt: Type.Optional(IsoDate),
  results: Type.Array(OperatorResult),
});
export type OperatorResultList = Static<typeof OperatorResultList>;

/** Texera's annotation of one stored result: rows become records keyed by column name. */
export function toAnnotation(result: OperatorResult, inputTuples = 0): OperatorResultAnnotation {
  const names = result.columns.map((c) => c.name);
  return {
    state: result.error ? "Failed" : "Completed",
    inputTuples,
    outputTuples: result.rowCount,
    outputColumns: names.length,
    ...(result.error ? { error: result.error } : {}),
    totalRowCount: result.rowCount,
    sampleRecords: result.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]]))),
    operatorType: result.operatorType,
    columns: result.columns,
    truncated: result.truncated,
    ...(result.cellsCut ? { cellsCut: true } : {}),
    elapsedMs: result.elapsedMs,
  };
}

export const DatasetFormat = Type.Union([Type.Literal("csv"), Type.Literal("parquet"), Type.Literal("json")]);
export type DatasetFormat = Static<typeof DatasetFormat>;

/** A dataset a user uploaded, or a read-only sample every user sees. */
export const Dataset = Type.Object({
  id: Type.String(),
  /** What a file scan's fileName property names, e.g. "orders.csv". */
  name: Type.String(),
  format: DatasetFormat,
  sizeBytes: Type.Integer({ minimum: 0 }),
  rowCount: Type.Integer({ minimum: 0 }),
  columns: Type.Array(ColumnSchema),
  createdAt: IsoDate,
  /** A sample shipped with the service: read-only, visible to every user. */
  sample: Type.Boolean(),
});
export type Dataset = Static<typeof Dataset>;

export const DatasetList = Type.Object({ datasets: Type.Array(Dataset) });
export type DatasetList = Static<typeof DatasetList>;

export const DatasetIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type DatasetIdParams = Static<typeof DatasetIdParams>;

/** POST /api/agents/datasets with a raw body: the name comes in the query (multipart: the file's name). */
export const UploadDatasetQuery = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    format: Type.Optional(DatasetFormat),
  },
  { additionalProperties: false },
);
export type UploadDatasetQuery = Static<typeof UploadDatasetQuery>;
