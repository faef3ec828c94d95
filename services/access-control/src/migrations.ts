import type { Dialect } from "@texera-agent/db";
import { type Kysely, type Migration, sql } from "kysely";
import { canonicalUserName } from "./user-name.ts";

/**
 * The user directory's tables. `users.id` is an integer identity (Texera's user ids are integers and go
 * into the `userId` claim). `directory_version` holds one counter that every write bumps in the same
 * transaction, so a replica learns that something changed with one cheap query.
 */
export function accessControlMigrations(dialect: Dialect): Record<string, Migration> {
  const timestamp = dialect === "postgres" ? "timestamptz" : "text";
  return {
    "001_users": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("users")
          .addColumn("id", "integer", (c) =>
            dialect === "postgres"
              ? c.primaryKey().generatedByDefaultAsIdentity()
              : c.primaryKey().autoIncrement(),
          )
          .addColumn("name", "text", (c) => c.notNull().unique())
          .addColumn("email", "text")
          .addColumn("role", "text", (c) =>
            c.notNull().check(sql`role in ('INACTIVE', 'RESTRICTED', 'REGULAR', 'ADMIN')`),
          )
          .addColumn("password_hash", "text", (c) => c.notNull())
          .addColumn("created_at", timestamp, (c) => c.notNull())
          .addColumn("updated_at", timestamp, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("directory_version")
          .addColumn("id", "integer", (c) => c.primaryKey())
          .addColumn("version", "integer", (c) => c.notNull())
          .execute();
        await sql`insert into directory_version (id, version) values (1, 0)`.execute(db);
      },
    },
    "002_user_names_any_case": {
      // `ADMIN` and `admin` were two users. Names are now unique in any ASCII letter case (names are ASCII:
      // `UserName` in @texera-agent/protocol, and lower() folds ASCII alike on SQLite and PostgreSQL).
      async up(db: Kysely<unknown>) {
        const { rows } = await sql<{
          id: number;
          name: string;
        }>`select id, name from users order by id`.execute(db);
        const collisions = userNameCollisions(rows);
        if (collisions.length > 0) throw new UserNameCollisionError(collisions);
        await sql`create unique index users_name_any_case on users (lower(name))`.execute(db);
      },
    },
  };
}

/** Groups of existing users whose names differ only in letter case, each ordered by id. */
export function userNameCollisions(rows: { id: number; name: string }[]): { id: number; name: string }[][] {
  const byName = new Map<string, { id: number; name: string }[]>();
  for (const row of rows) {
    const key = canonicalUserName(row.name);
    byName.set(key, [...(byName.get(key) ?? []), { id: Number(row.id), name: row.name }]);
  }
  return [...byName.values()].filter((group) => group.length > 1);
}

/**
 * The directory holds users whose names differ only in letter case. The migration does not guess which of
 * them keeps the name (each may be a different person, and a renamed user's tokens would stop matching
 * the directory): it changes nothing and stops the start, saying what to rename.
 */
export class UserNameCollisionError extends Error {
  constructor(readonly collisions: { id: number; name: string }[][]) {
    const groups = collisions.map((g) => g.map((u) => `"${u.name}" (id ${u.id})`).join(" and ")).join("; ");
    const [first] = collisions;
    const example = first![first!.length - 1]!;
    super(
      `user names must be unique in any letter case, and these are not: ${groups}. Nothing was changed. ` +
        "Rename all but one of each group in the database, then start again, e.g. " +
        `update users set name = '${example.name}-${example.id}' where id = ${example.id};`,
    );
    this.name = "UserNameCollisionError";
  }
}
