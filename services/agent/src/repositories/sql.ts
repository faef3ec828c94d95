import type { Dialect } from "@texera-agent/db";
import { CompiledQuery, type Kysely } from "kysely";
import type { AgentDatabase } from "../db/schema.ts";

/**
 * A statement written once with `?` placeholders, in the SQL that SQLite and PostgreSQL share. The hot
 * path (a run saves a handful of rows per message) skips the query builder: building and freezing a
 * query tree cost more than the statement itself.
 */
export class Statement {
  private readonly postgres: string;

  constructor(private readonly sqlite: string) {
    let n = 0;
    this.postgres = sqlite.replace(/\?/g, () => `$${++n}`);
  }

  text(dialect: Dialect): string {
    return dialect === "postgres" ? this.postgres : this.sqlite;
  }
}

/** A connection (or a transaction) and its dialect. */
export interface SqlRunner {
  db: Kysely<AgentDatabase>;
  dialect: Dialect;
}

export async function query<R>(runner: SqlRunner, statement: Statement, params: unknown[]): Promise<R[]> {
  const result = await runner.db.executeQuery<R>(CompiledQuery.raw(statement.text(runner.dialect), params));
  return result.rows;
}

export async function execute(runner: SqlRunner, statement: Statement, params: unknown[]): Promise<number> {
  const result = await runner.db.executeQuery(CompiledQuery.raw(statement.text(runner.dialect), params));
  return Number(result.numAffectedRows ?? 0);
}
