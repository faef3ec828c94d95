import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { type Params, queryOf } from "./query.ts";
import { type NotesSchema, notesMigrations } from "./testing/notes-fixture.ts";
import { createTestDatabase } from "./testing/postgres.ts";

type Schema = NotesSchema;
const migrations = notesMigrations;

const query = queryOf<Schema>();
const INSERT = query((db, p: Params<{ id: number; body: string }>) =>
  db.insertInto("notes").values({ id: p("id"), body: p("body") }),
);
const ALL = query((db) => db.selectFrom("notes").select(["id", "body"]).orderBy("id"));
const SET_BODY_ABOVE = query((db, p: Params<{ body: string; above: number }>) =>
  db
    .updateTable("notes")
    .set({ body: p("body") })
    .where("id", ">", p("above")),
);
const BODY_OF = query((db, p: Params<{ id: number }>) =>
  db.selectFrom("notes").select("body").where("id", "=", p("id")),
);
const NOTHING = query((db) => db.selectFrom("notes").select(sql<number>`nothing`.as("nothing")));

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
      await migrateToLatest(database.db, "test", migrations);
    });
    afterEach(async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("runs its queries again and again, on one prepared statement each", async () => {
      for (let i = 1; i <= 3; i++)
        expect(await database.sql.execute(INSERT, { id: i, body: `note ${i}` })).toBe(1);
      expect(await database.sql.query(ALL, {})).toEqual([
        { id: 1, body: "note 1" },
        { id: 2, body: "note 2" },
        { id: 3, body: "note 3" },
      ]);
      expect(await database.sql.execute(SET_BODY_ABOVE, { body: "x", above: 1 })).toBe(2);
      expect(await database.sql.query(BODY_OF, { id: 3 })).toEqual([{ body: "x" }]);
    });

    it("binds each call's named parameters wherever they stand, beside the query's constants", async () => {
      const between = query((db, p: Params<{ low: number; high: number }>) =>
        db
          .selectFrom("notes")
          .select(["id", "body"])
          .where("body", "<>", "skip")
          .where("id", ">=", p("low"))
          .where("id", "<=", p("high"))
          .where("id", "<>", p("low"))
          .orderBy("id"),
      );
      for (const [id, body] of [
        [1, "a"],
        [2, "skip"],
        [3, "c"],
        [4, "d"],
        [5, "e"],
      ] as const) {
        await database.sql.execute(INSERT, { id, body });
      }
      const rows: { id: number; body: string }[] = await database.sql.query(between, { high: 4, low: 1 });
      expect(rows).toEqual([
        { id: 3, body: "c" },
        { id: 4, body: "d" },
      ]);
      expect(await database.sql.query(between, { low: 3, high: 5 })).toEqual([
        { id: 4, body: "d" },
        { id: 5, body: "e" },
      ]);
      const { text, params } = database.sql.statement(between, { low: 3, high: 5 });
      expect(params).toEqual(["skip", 3, 5, 3]);
      expect(text).toContain(dialect.name === "SQLite" ? "?" : "$4");
    });

    it("reports a failing statement as a rejected promise", async () => {
      await database.sql.execute(INSERT, { id: 1, body: "a" });
      await expect(database.sql.execute(INSERT, { id: 1, body: "again" })).rejects.toThrow();
      await expect(database.sql.query(NOTHING, {})).rejects.toThrow();
    });

    it("saves a batch whole or not at all", async () => {
      await database.sql.batch([
        database.sql.statement(INSERT, { id: 1, body: "a" }),
        database.sql.statement(INSERT, { id: 2, body: "b" }),
      ]);
      await expect(
        database.sql.batch([
          database.sql.statement(INSERT, { id: 3, body: "c" }),
          database.sql.statement(INSERT, { id: 1, body: "duplicate" }),
        ]),
      ).rejects.toThrow();
      expect((await database.sql.query(ALL, {})).map((r) => r.id)).toEqual([1, 2]);
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
      const outside = database.sql.execute(INSERT, { id: 2, body: "outside" });
      const batch = database.sql.batch([database.sql.statement(INSERT, { id: 3, body: "outside too" })]);
      release();
      await expect(trx).rejects.toThrow("rolled back");
      await outside;
      await batch;
      expect((await database.sql.query(ALL, {})).map((r) => r.id)).toEqual([2, 3]);
    });
  });
}

describe("SqlClient on SQLite", () => {
  it("keeps working past its prepared-statement cache", async () => {
    const database = openDatabase<Schema>({ url: "sqlite::memory:", dataDir: "/tmp", fileName: "x" });
    await migrateToLatest(database.db, "test", migrations);
    for (let i = 0; i < 600; i++) {
      // 600 queries, 600 texts: more than the connection keeps prepared
      const insert = query((db, p: Params<{ id: number }>) =>
        db.insertInto("notes").values({ id: p("id"), body: String(i) }),
      );
      await database.sql.execute(insert, { id: i });
    }
    const { rows } = await sql<{ n: number }>`select count(*) as n from notes`.execute(database.db);
    expect(rows[0]!.n).toBe(600);
    await database.close();
  });
});
