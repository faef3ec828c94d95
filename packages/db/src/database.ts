import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";

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
}

export interface Database<DB> {
  db: Kysely<DB>;
  dialect: Dialect;
  /** Where the data lives, for the start-up log; never the password. */
  description: string;
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
    const pool = new pg.Pool({ connectionString: url as string, max: options.poolSize ?? 10 });
    // An idle client that loses its server must not crash the process; the next query reports it.
    pool.on("error", () => {});
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      dialect: "postgres",
      description: `PostgreSQL ${redactUrl(url as string)}`,
      close: () => db.destroy(),
    };
  }
  if (url && !url.startsWith("sqlite:")) {
    throw new TypeError("DATABASE_URL must start with postgres://, postgresql:// or sqlite:");
  }
  const file = url ? url.slice("sqlite:".length) : join(options.dataDir, options.fileName);
  if (file !== ":memory:") mkdirSync(resolve(file, ".."), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  // WAL + NORMAL: a commit survives a crash or kill -9 of the process (the WAL is in the OS), only an OS
  // crash may lose the last commits; FULL would fsync on every commit, milliseconds on the run path.
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: "sqlite", description: `SQLite ${file}`, close: () => db.destroy() };
}
