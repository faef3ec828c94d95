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

/** GET /api/agents/:id/operator-results: the results of the agent's latest execution, per operator. */
export const OperatorResultList = Type.Object({
  /** The operator the execution ran up to (every sink when absent). */
  targetOperatorId: Type.Optional(Type.String()),
  executedAt: Type.Optional(IsoDate),
  results: Type.Array(OperatorResult),
});
export type OperatorResultList = Static<typeof OperatorResultList>;

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
