import type { AccessControlSchema } from "@texera-agent/access-control/schema";
import type { DirectoryEntry, DirectorySource } from "@texera-agent/auth";
import { type Database, openDatabase } from "@texera-agent/db";

/** The two tables of access-control's directory that agent-service reads (never writes). */
type DirectoryTables = Pick<AccessControlSchema, "users" | "directory_version">;

export interface ReadOnlyDirectory extends DirectorySource {
  close(): Promise<void>;
}

/**
 * Reads access-control's user directory from its database, read-only: a SQLite file is opened read-only
 * and never created (until it exists, every check fails and is tried again), PostgreSQL sessions are
 * read-only transactions. The connection is opened on the first check and again after a failed one.
 */
export function openDirectorySource(url: string): ReadOnlyDirectory {
  let database: Database<DirectoryTables> | undefined;
  const open = () => {
    database ??= openDatabase<DirectoryTables>({
      url,
      dataDir: ".",
      fileName: "",
      readOnly: true,
      poolSize: 2,
    });
    return database.db;
  };
  async function reading<T>(work: (db: Database<DirectoryTables>["db"]) => Promise<T>): Promise<T> {
    try {
      return await work(open());
    } catch (error) {
      const failed = database;
      database = undefined;
      await failed?.close().catch(() => {});
      throw error;
    }
  }
  const version = (db: Database<DirectoryTables>["db"]) =>
    db
      .selectFrom("directory_version")
      .select("version")
      .where("id", "=", 1)
      .executeTakeFirstOrThrow()
      .then((row) => Number(row.version));
  return {
    version: () => reading(version),
    snapshot: () =>
      reading((db) =>
        db.transaction().execute(async (trx) => {
          const at = await version(trx);
          const rows = await trx.selectFrom("users").select(["id", "name", "role"]).execute();
          const users: DirectoryEntry[] = rows.map((r) => ({ id: Number(r.id), name: r.name, role: r.role }));
          return { version: at, users };
        }),
      ),
    async close() {
      await database?.close();
      database = undefined;
    },
  };
}
