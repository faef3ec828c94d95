import { openDatabase } from "@texera-agent/db";
import { sql } from "kysely";
import { afterEach, beforeEach, expect, it } from "vitest";
import { DeferredWrites } from "./deferred-writes.ts";
import type { SqlClient } from "./sql.ts";

let database: ReturnType<typeof openDatabase<unknown>>;
let batches: number;
let client: SqlClient;

beforeEach(async () => {
  database = openDatabase<unknown>({ url: "sqlite::memory:", dataDir: "/tmp", fileName: "x" });
  await sql`create table t (id integer primary key, v text not null)`.execute(database.db);
  batches = 0;
  client = {
    ...database.sql,
    batch: (statements) => {
      batches++;
      return database.sql.batch(statements);
    },
  };
});
afterEach(() => database.close());

const insert = (id: number, v: string | null) => ({
  text: "insert into t (id, v) values (?, ?)",
  params: [id, v],
});
const ids = async () =>
  (await database.sql.query<{ id: number }>("select id from t order by id", [])).map((r) => r.id);

it("commits the writes of one event-loop turn in one transaction, after the turn", async () => {
  const writes = new DeferredWrites(client);
  const saved = [writes.add(insert(1, "a")), writes.add(insert(2, "b")), writes.add(insert(3, "c"))];
  expect(await ids()).toEqual([]); // nothing yet: the turn is not over
  await Promise.all(saved);
  expect(await ids()).toEqual([1, 2, 3]);
  expect(batches).toBe(1);
  await writes.add(insert(4, "d"));
  expect(batches).toBe(2);
});

it("a failing write fails alone", async () => {
  const writes = new DeferredWrites(client);
  const results = await Promise.allSettled([
    writes.add(insert(1, "a")),
    writes.add(insert(2, null)), // NOT NULL
    writes.add(insert(3, "c")),
  ]);
  expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect(await ids()).toEqual([1, 3]);
});

it("saves a group whole or not at all, and a failing group fails alone", async () => {
  const writes = new DeferredWrites(client);
  const results = await Promise.allSettled([
    writes.add([insert(1, "a"), insert(2, "b")]),
    writes.add([insert(3, "c"), insert(4, null)]), // NOT NULL: 3 must not stay either
    writes.add(insert(5, "e")),
  ]);
  expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect(await ids()).toEqual([1, 2, 5]);
});

it("commits at once when enough groups wait, without waiting for the end of the turn", async () => {
  const writes = new DeferredWrites(client, 3);
  const saved = [writes.add(insert(1, "a")), writes.add(insert(2, "b"))];
  expect(await ids()).toEqual([]);
  saved.push(writes.add(insert(3, "c"))); // the third: committed now, synchronously on SQLite
  expect(await ids()).toEqual([1, 2, 3]);
  await Promise.all(saved);
  expect(batches).toBe(1);
  await writes.add(insert(4, "d"));
  expect(await ids()).toEqual([1, 2, 3, 4]);
});

it("flush() saves what is pending at once", async () => {
  const writes = new DeferredWrites(client);
  const saved = writes.add(insert(1, "a"));
  await writes.flush();
  expect(await ids()).toEqual([1]);
  await saved;
});
