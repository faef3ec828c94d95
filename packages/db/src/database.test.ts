import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase, redactUrl } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { type NotesSchema, notesMigrations } from "./testing/notes-fixture.ts";
import { createTestDatabase } from "./testing/postgres.ts";

type Schema = NotesSchema;
const migrations = notesMigrations;

async function roundTrip(url: string | undefined) {
  const database = openDatabase<Schema>({
    url,
    dataDir: mkdtempSync(join(tmpdir(), "db-")),
    fileName: "t.sqlite",
  });
  try {
    await migrateToLatest(database.db, "test", migrations);
    await migrateToLatest(database.db, "test", migrations); // idempotent
    await database.db.insertInto("notes").values({ id: 1, body: "hello" }).execute();
    const rows = await database.db.selectFrom("notes").selectAll().execute();
    expect(rows).toEqual([{ id: 1, body: "hello" }]);
    return database.dialect;
  } finally {
    await database.close();
  }
}

describe("openDatabase", () => {
  it.skipIf(!process.env.TEST_POSTGRES_URL)(
    "tells its listeners of a pooled PostgreSQL connection lost between statements, and keeps serving",
    async () => {
      const url = await createTestDatabase(process.env.TEST_POSTGRES_URL!);
      const database = openDatabase<Schema>({ url, dataDir: "/nonexistent", fileName: "x" });
      const errors: Error[] = [];
      database.onConnectionError((error) => errors.push(error));
      try {
        await database.db
          .transaction()
          .execute(async (trx) => {
            const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
            // another session ends this one while the transaction holds it between two statements
            const killer = openDatabase<Schema>({ url, dataDir: "/nonexistent", fileName: "x" });
            await sql`select pg_terminate_backend(${rows[0]?.pid})`.execute(killer.db);
            await killer.close();
            const end = Date.now() + 5_000;
            while (errors.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
          })
          .catch(() => {}); // the commit fails on the dead connection
        expect(errors.length).toBeGreaterThan(0);
        expect(errors[0]?.message).toMatch(/terminat/i);
        // the pool dropped the dead client and serves on a new one
        const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
        expect(rows[0]?.one).toBe(1);
      } finally {
        await database.close();
      }
    },
  );

  it("uses an embedded SQLite file by default", async () => {
    expect(await roundTrip(undefined)).toBe("sqlite");
  });

  it.skipIf(!process.env.TEST_POSTGRES_URL)("uses PostgreSQL for a postgres:// URL", async () => {
    expect(await roundTrip(await createTestDatabase(process.env.TEST_POSTGRES_URL!))).toBe("postgres");
  });

  it.skipIf(!process.env.TEST_POSTGRES_URL)(
    "survives PostgreSQL ending a connection a transaction holds between two statements",
    async () => {
      const url = await createTestDatabase(process.env.TEST_POSTGRES_URL!);
      const database = openDatabase<Schema>({ url, dataDir: tmpdir(), fileName: "unused" });
      try {
        const failed = database.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          // another session ends this one while the transaction holds it and runs nothing
          await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(database.db);
          await new Promise((resolve) => setTimeout(resolve, 200));
          await sql`select 1`.execute(trx);
        });
        await expect(failed).rejects.toThrow();
        // the pool dropped the dead client: the next query gets a fresh connection
        const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
        expect(rows).toEqual([{ one: 1 }]);
      } finally {
        await database.close();
      }
    },
  );

  it("commits SQLite in WAL mode without an fsync per commit", async () => {
    const database = openDatabase<Schema>({ url: "sqlite::memory:", dataDir: "/tmp", fileName: "x" });
    const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(database.db);
    expect(rows[0]?.synchronous).toBe(1); // NORMAL
    await database.close();
  });

  it("opens another service's SQLite file read-only, and never creates one", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "db-ro-"));
    const options = { dataDir, fileName: "other.sqlite", readOnly: true };
    expect(() => openDatabase<Schema>(options)).toThrow();
    expect(existsSync(join(dataDir, "other.sqlite"))).toBe(false);
    const writer = openDatabase<Schema>({ dataDir, fileName: "other.sqlite" });
    await migrateToLatest(writer.db, "test", migrations);
    await writer.db.insertInto("notes").values({ id: 1, body: "hello" }).execute();
    const reader = openDatabase<Schema>(options);
    try {
      expect(await reader.db.selectFrom("notes").select("body").execute()).toEqual([{ body: "hello" }]);
      await expect(reader.db.insertInto("notes").values({ id: 2, body: "x" }).execute()).rejects.toThrow(
        /readonly/,
      );
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it.skipIf(!process.env.TEST_POSTGRES_URL)("opens PostgreSQL read-only sessions", async () => {
    const url = await createTestDatabase(process.env.TEST_POSTGRES_URL!);
    const writer = openDatabase<Schema>({ url, dataDir: tmpdir(), fileName: "unused" });
    await migrateToLatest(writer.db, "test", migrations);
    const reader = openDatabase<Schema>({ url, dataDir: tmpdir(), fileName: "unused", readOnly: true });
    try {
      await expect(reader.db.insertInto("notes").values({ id: 2, body: "x" }).execute()).rejects.toThrow(
        /read-only/,
      );
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it("refuses an unknown URL scheme", () => {
    expect(() => openDatabase({ url: "mysql://x", dataDir: "/tmp", fileName: "x" })).toThrow(/postgres:\/\//);
  });

  it("names a failing migration", async () => {
    const database = openDatabase<Schema>({ url: "sqlite::memory:", dataDir: "/tmp", fileName: "x" });
    const bad = { "001_bad": { up: async (db: Kysely<unknown>) => void (await sql`nonsense`.execute(db)) } };
    await expect(migrateToLatest(database.db, "test", bad)).rejects.toThrow(/001_bad/);
    await database.close();
  });

  it("redacts passwords from URLs", () => {
    expect(redactUrl("postgres://u:secret@h:5432/d")).toBe("postgres://u:***@h:5432/d");
  });
});
