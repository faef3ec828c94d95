import type { Dialect } from "@texera-agent/db";
import { type Kysely, type Migration, sql } from "kysely";

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
  };
}
