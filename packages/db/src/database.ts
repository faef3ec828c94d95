import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { type Checkpointer, startCheckpointer } from "./checkpointer.ts";
import { postgresClient, type SqlClient, sqliteClient } from "./sql-client.ts";

export type Dialect = "sqlite" | "postgres";

export interface DatabaseOptions {
  /** `postgres://…` / `postgresql://…` for PostgreSQL, `sqlite:<path>` or unset for the embedded file. */
  url?: string;
  /** Folder of the embedded SQLite file when `url` is unset. */
  dataDir: string;
  /** File name of the embedded database, one per service (e.g. `agent.sqlite`). */
  fileName: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /**
   * SQLite file: how often a worker thread checkpoints the WAL, so that no commit on the event loop pays
   * for a checkpoint's fsyncs (see checkpointer.ts). 0: SQLite's own automatic checkpoints. Default 1000.
   */
  checkpointIntervalMs?: number;
  /** Told when the background checkpoints failed and SQLite's automatic ones took over again. */
  onCheckpointFailure?(error: Error): void;
  /**
   * Read another service's database without ever writing it: a SQLite file must exist already and is
   * opened read-only (no WAL set-up, no checkpoints); PostgreSQL sessions are read-only transactions.
   */
  readOnly?: boolean;
}

export interface Database<DB> {
  db: Kysely<DB>;
  /** The service's queries (query.ts), each compiled once and prepared once (see sql-client.ts). */
  sql: SqlClient<DB>;
  dialect: Dialect;
  /** Where the data lives, for the start-up log; never the password. */
  description: string;
  /**
   * Tells `listener` of errors no statement sees: a PostgreSQL connection lost while idle in the pool or
   * between two statements of a transaction. They no longer crash or vanish; the service logs and counts them.
   */
  onConnectionError(listener: (error: Error) => void): void;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string | undefined): boolean {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

/** Describes a database URL without its password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable database URL)";
  }
}

export function openDatabase<DB>(options: DatabaseOptions): Database<DB> {
  const { url } = options;
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({
      connectionString: url as string,
      max: options.poolSize ?? 10,
      ...(options.readOnly && { options: "-c default_transaction_read_only=on" }),
    });
    // A client that loses its server must not crash the process: idle ones are reported here (and dropped
    // by the pool); one that is checked out (held by a transaction between two statements) has no pool
    // listener and would throw an unhandled 'error' event when PostgreSQL restarts. Its next query fails
    // instead, and the pool drops it on release.
    const listeners: ((error: Error) => void)[] = [];
    const report = (error: Error) => {
      for (const listener of listeners) listener(error);
    };
    pool.on("error", report);
    pool.on("connect", (client) => client.on("error", report));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      sql: postgresClient(db),
      dialect: "postgres",
      description: `PostgreSQL ${redactUrl(url as string)}`,
      onConnectionError: (listener) => listeners.push(listener),
      close: () => db.destroy(),
    };
  }
  if (url && !url.startsWith("sqlite:")) {
    throw new TypeError("DATABASE_URL must start with postgres://, postgresql:// or sqlite:");
  }
  const file = url ? url.slice("sqlite:".length) : join(options.dataDir, options.fileName);
  if (options.readOnly) return openSqliteReadOnly<DB>(file);
  if (file !== ":memory:") mkdirSync(resolve(file, ".."), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  // WAL + NORMAL: a commit survives a crash or kill -9 of the process (the WAL is in the OS), only an OS
  // crash may lose the last commits; FULL would fsync on every commit, milliseconds on the run path.
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  const intervalMs = options.checkpointIntervalMs ?? 1_000;
  let checkpointer: Checkpointer | undefined;
  if (file !== ":memory:" && file !== "" && intervalMs > 0) {
    sqlite.pragma("wal_autocheckpoint = 0");
    checkpointer = startCheckpointer({
      file,
      intervalMs,
      onFailure(error) {
        if (sqlite.open) sqlite.pragma("wal_autocheckpoint = 1000");
        options.onCheckpointFailure?.(error);
      },
    });
  }
  return {
    db,
    sql: sqliteClient(sqlite, db),
    dialect: "sqlite",
    description: `SQLite ${file}`,
    // one file in this process: no connection to lose
    onConnectionError() {},
    async close() {
      await checkpointer?.close();
      await db.destroy();
    },
  };
}

function openSqliteReadOnly<DB>(file: string): Database<DB> {
  // Throws when the file does not exist (yet): the caller retries; nothing is created here.
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  sqlite.pragma("busy_timeout = 5000");
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    sql: sqliteClient(sqlite, db),
    dialect: "sqlite",
    description: `SQLite ${file} (read-only)`,
    onConnectionError() {},
    close: () => db.destroy(),
  };
}
