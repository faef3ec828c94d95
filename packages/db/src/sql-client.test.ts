import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Kysely, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { type NotesSchema, notesMigrations } from "./testing/notes-fixture.ts";
import { createTestDatabase } from "./testing/postgres.ts";

type Schema = NotesSchema;
const migrations = notesMigrations;

const INSERT = "insert into notes (id, body) values (?, ?)";
const ALL = "select id, body from notes order by id";

const dialects = [
  { name: "SQLite", url: async () => undefined, skip: false },
  {
    name: "PostgreSQL",
    url: async () => createTestDatabase(process.env.TEST_POSTGRES_URL!),
    skip: !process.env.TEST_POSTGRES_URL,
  },
];

for (const dialect of dialects) {
  describe.skipIf(dialect.skip)(`SqlClient on ${dialect.name}`, () => {
    let dir: string;
    let database: Database<Schema>;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), "sql-client-"));
      database = openDatabase<Schema>({ url: await dialect.url(), dataDir: dir, fileName: "t.sqlite" });
      await migrateToLatest(database.db as Kysely<unknown>, "test", migrations);
    });
    afterEach(async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("runs statements with ? placeholders, again and again", async () => {
      for (let i = 1; i <= 3; i++) expect(await database.sql.execute(INSERT, [i, `note ${i}`])).toBe(1);
      expect(await database.sql.query(ALL, [])).toEqual([
        { id: 1, body: "note 1" },
        { id: 2, body: "note 2" },
        { id: 3, body: "note 3" },
      ]);
      expect(await database.sql.execute("update notes set body = ? where id > ?", ["x", 1])).toBe(2);
      expect(await database.sql.query("select body from notes where id = ?", [3])).toEqual([{ body: "x" }]);
    });

    it("reports a failing statement as a rejected promise", async () => {
      await database.sql.execute(INSERT, [1, "a"]);
      await expect(database.sql.execute(INSERT, [1, "again"])).rejects.toThrow();
      await expect(database.sql.query("select nothing from nowhere", [])).rejects.toThrow();
    });

    it("saves a batch whole or not at all", async () => {
      await database.sql.batch([
        { text: INSERT, params: [1, "a"] },
        { text: INSERT, params: [2, "b"] },
      ]);
      await expect(
        database.sql.batch([
          { text: INSERT, params: [3, "c"] },
          { text: INSERT, params: [1, "duplicate"] },
        ]),
      ).rejects.toThrow();
      expect((await database.sql.query<{ id: number }>(ALL, [])).map((r) => r.id)).toEqual([1, 2]);
    });

    it("never slips into a Kysely transaction that is open on the same connection", async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const trx = database.db.transaction().execute(async (tx) => {
        await tx.insertInto("notes").values({ id: 1, body: "in the transaction" }).execute();
        await held;
        throw new Error("rolled back");
      });
      await new Promise((r) => setTimeout(r, 20));
      const outside = database.sql.execute(INSERT, [2, "outside"]);
      const batch = database.sql.batch([{ text: INSERT, params: [3, "outside too"] }]);
      release();
      await expect(trx).rejects.toThrow("rolled back");
      await outside;
      await batch;
      expect((await database.sql.query<{ id: number }>(ALL, [])).map((r) => r.id)).toEqual([2, 3]);
    });
  });
}

describe("SqlClient on SQLite", () => {
  it("keeps working past its prepared-statement cache", async () => {
    const database = openDatabase<Schema>({ url: "sqlite::memory:", dataDir: "/tmp", fileName: "x" });
    await migrateToLatest(database.db as Kysely<unknown>, "test", migrations);
    for (let i = 0; i < 600; i++) {
      await database.sql.execute(`insert into notes (id, body) values (?, '${i}')`, [i]);
    }
    const { rows } = await sql<{ n: number }>`select count(*) as n from notes`.execute(database.db);
    expect(rows[0]!.n).toBe(600);
    await database.close();
  });
});
