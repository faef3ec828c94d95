import type BetterSqlite3 from "better-sqlite3";
import { CompiledQuery, type Kysely } from "kysely";

/** One statement with `?` placeholders (the SQL SQLite and PostgreSQL share) and its parameters. */
export interface SqlStatement {
  text: string;
  params: readonly unknown[];
}

/**
 * Plain parameterised statements for a service's hot paths, beside the Kysely instance (which stays for
 * migrations and anything built with the query builder). Write statements once with `?` placeholders
 * and no `?` anywhere else.
 *
 * On SQLite each statement text is prepared once and reused, and runs synchronously on the connection:
 * through Kysely, every statement is prepared again and waits for a connection mutex, ≈20 µs more per
 * statement than the statement itself. On PostgreSQL the statements go through Kysely's pool (`$1…`).
 */
export interface SqlClient {
  query<R>(text: string, params: readonly unknown[]): Promise<R[]>;
  /** Runs a statement that returns no rows; answers how many rows it changed. */
  execute(text: string, params: readonly unknown[]): Promise<number>;
  /** Runs the statements in order in one transaction: all of them are saved, or none. */
  batch(statements: readonly SqlStatement[]): Promise<void>;
}

/** Prepared statements kept per connection; more distinct texts than this means texts are being built. */
const MAX_PREPARED = 500;

export function sqliteClient(sqlite: BetterSqlite3.Database, db: Kysely<unknown>): SqlClient {
  const prepared = new Map<string, BetterSqlite3.Statement>();
  const prepare = (text: string) => {
    let statement = prepared.get(text);
    if (!statement) {
      statement = sqlite.prepare(text);
      if (prepared.size >= MAX_PREPARED) prepared.clear();
      prepared.set(text, statement);
    }
    return statement;
  };
  const run = (text: string, params: readonly unknown[]) => {
    const statement = prepare(text);
    if (!statement.reader) return statement.run(...params).changes;
    statement.all(...params);
    return 0;
  };
  const all = (text: string, params: readonly unknown[]) => {
    const statement = prepare(text);
    if (statement.reader) return statement.all(...params);
    statement.run(...params);
    return [];
  };
  const runAll = sqlite.transaction((statements: readonly SqlStatement[]) => {
    for (const s of statements) run(s.text, s.params);
  });
  const viaKysely = postgresLikeClient(db, (text) => text);
  return {
    query<R>(text: string, params: readonly unknown[]) {
      // A Kysely transaction is open on the shared connection (it awaits between its statements): queue
      // behind it as Kysely does, instead of slipping into it.
      if (sqlite.inTransaction) return viaKysely.query<R>(text, params);
      try {
        return Promise.resolve(all(text, params) as R[]);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    execute(text, params) {
      if (sqlite.inTransaction) return viaKysely.execute(text, params);
      try {
        return Promise.resolve(run(text, params));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    batch(statements) {
      if (sqlite.inTransaction) return viaKysely.batch(statements);
      try {
        runAll(statements);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

export function postgresClient(db: Kysely<unknown>): SqlClient {
  const numbered = new Map<string, string>();
  return postgresLikeClient(db, (text) => {
    let out = numbered.get(text);
    if (out === undefined) {
      let n = 0;
      out = text.replace(/\?/g, () => `$${++n}`);
      if (numbered.size >= MAX_PREPARED) numbered.clear();
      numbered.set(text, out);
    }
    return out;
  });
}

function postgresLikeClient(db: Kysely<unknown>, placeholders: (text: string) => string): SqlClient {
  const raw = (text: string, params: readonly unknown[]) =>
    CompiledQuery.raw(placeholders(text), [...params]);
  return {
    async query<R>(text: string, params: readonly unknown[]) {
      return (await db.executeQuery<R>(raw(text, params))).rows;
    },
    async execute(text, params) {
      return Number((await db.executeQuery(raw(text, params))).numAffectedRows ?? 0);
    },
    async batch(statements) {
      await db.transaction().execute(async (trx) => {
        for (const s of statements) await trx.executeQuery(raw(s.text, s.params));
      });
    },
  };
}
