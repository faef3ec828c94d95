import type { Kysely } from "kysely";

/** A one-table schema and its migration, shared by this package's own tests. */
export interface NotesSchema {
  notes: { id: number; body: string };
}

export const notesMigrations = {
  "001_notes": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("notes")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("body", "text", (c) => c.notNull())
        .execute();
    },
  },
};
