import type { DuckDBConnection } from "@duckdb/node-api";
import { isSource } from "../workflow/catalog.ts";
import { compileOperator, type Relation, scanSql } from "./compile-operator.ts";
import { EngineError } from "./errors.ts";
import { operatorLabel, type PlanNode } from "./plan.ts";
import type { ColumnSchema } from "./protocol.ts";
import type { DatasetResolver, ResolvedDataset } from "./resolver.ts";
import { ScanCache } from "./scan-cache.ts";
import { Params, quoteIdent } from "./sql.ts";

export interface MaterializeContext {
  conn: DuckDBConnection;
  resolver: DatasetResolver;
  cache: ScanCache;
  /** Dry: create each table empty, only to learn its columns; the files are sniffed, not read. */
  dry: boolean;
  /** Names the temporary tables of this pass: `<prefix>_<index>`. */
  prefix: string;
  /** Once aborted, no further statement starts (the caller interrupts the one running). */
  signal?: AbortSignal;
}

export interface Materialized extends Relation {
  rowCount: number;
}

/** Marks a statement that DuckDB stopped because the connection was interrupted. */
export class Interrupted extends Error {}

/**
 * Runs one operator into a temporary table of the connection (CREATE TEMP TABLE … AS its SELECT; a file
 * scan becomes a view over the file instead) and describes it. The SQL comes from compileOperator, so column and type errors name the operator
 * before DuckDB sees anything; DuckDB's own errors are reported as the operator's, with file paths
 * replaced by dataset names.
 */
export async function materialize(
  ctx: MaterializeContext,
  node: PlanNode,
  index: number,
  inputs: Relation[],
  /** The columns a dry run found (exactly those of the real run): no need to describe the table again. */
  knownColumns?: ColumnSchema[],
): Promise<Materialized> {
  const at = { operatorId: node.id, label: operatorLabel(node.op) };
  const table = quoteIdent(`${ctx.prefix}_${index}`);
  const params = new Params(`p${index}`);
  const dataset = isSource(node.type)
    ? ctx.resolver.resolve(String(node.properties.fileName), at)
    : undefined;
  const select = compileOperator(node, inputs, dataset, params);
  const cacheKey = dataset && ScanCache.key(dataset.path, dataset.sizeBytes, dataset.modifiedMs, select);
  const cached = ctx.dry && cacheKey ? ctx.cache.get(cacheKey) : undefined;
  const body = cached
    ? `SELECT ${cached.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`).join(", ")} LIMIT 0`
    : ctx.dry
      ? `SELECT * FROM (${select}) LIMIT 0`
      : select;
  try {
    if (ctx.signal?.aborted) throw new Interrupted();
    let rowCount: number;
    if (dataset && !ctx.dry) {
      // A file is not copied into memory: its operator is a view that the next operator reads as it
      // runs. Its row count was taken when the dataset was stored (for the default options).
      await ctx.conn.run(`CREATE TEMP VIEW ${table} AS ${select}`);
      rowCount =
        select === scanSql(dataset)
          ? dataset.rowCount
          : Number((await ctx.conn.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0]?.[0] ?? 0);
    } else {
      const created = await ctx.conn.runAndReadAll(`CREATE TEMP TABLE ${table} AS ${body}`, params.values);
      rowCount = Number(created.getRows()[0]?.[0] ?? 0);
    }
    if (ctx.signal?.aborted) throw new Interrupted();
    const columns = knownColumns ?? (await describeTable(ctx.conn, table));
    if (cacheKey && !cached) ctx.cache.set(cacheKey, columns);
    return { sql: table, columns, rowCount };
  } catch (error) {
    throw duckdbError(error, at, dataset, ctx.resolver);
  }
}

async function describeTable(conn: DuckDBConnection, table: string): Promise<ColumnSchema[]> {
  const described = await conn.runAndReadAll(`DESCRIBE ${table}`);
  return described.getRows().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
}

/** A DuckDB failure as the operator's error, in one line, without any file path. */
export function duckdbError(
  error: unknown,
  at: { operatorId: string; label: string },
  dataset: ResolvedDataset | undefined,
  resolver: DatasetResolver,
): Error {
  if (error instanceof EngineError || error instanceof Interrupted) return error;
  const raw = error instanceof Error ? error.message : String(error);
  if (/^INTERRUPT Error/i.test(raw)) return new Interrupted(raw);
  let message = raw.split("\n")[0]!.trim();
  for (const { path, name } of resolver.knownPaths()) message = message.replaceAll(path, name);
  message = message.replace(/(?<![\w.])(\/[^\s"'`/]+){2,}\/?/g, "<path>");
  const code = dataset
    ? "unreadable_dataset"
    : /^(Conversion|Binder|Mismatch Type) Error/.test(message)
      ? "type_mismatch"
      : "execution_failed";
  const hint = dataset
    ? ` (reading ${JSON.stringify(dataset.name)}; check the scan's options such as delimiter and hasHeader)`
    : "";
  return new EngineError(code, `${at.label} failed in DuckDB: ${message}${hint}`, {
    operatorId: at.operatorId,
  });
}
