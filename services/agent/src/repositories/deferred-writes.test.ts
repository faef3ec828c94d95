import type { Database } from "@texera-agent/db";
import { afterEach, beforeEach, expect, it } from "vitest";
import { openAgentDatabase } from "../db/open-agent-database.ts";
import { type AgentDatabase, agentQuery } from "../db/schema.ts";
import { DeferredWrites } from "./deferred-writes.ts";
import type { Params, SqlClient } from "./sql.ts";

let database: Database<AgentDatabase>;
let batches: number;
let client: SqlClient;

beforeEach(async () => {
  database = await openAgentDatabase({ url: "sqlite::memory:", dataDir: "/tmp" });
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

// a table with a primary key: inserting an id twice fails
const INSERT = agentQuery((db, p: Params<{ jti: string }>) =>
  db.insertInto("ws_ticket_uses").values({ jti: p("jti"), expires_at: "2030-01-01T00:00:00.000Z" }),
);
const insert = (id: number) => database.sql.statement(INSERT, { jti: String(id) });
const ids = async () =>
  (await database.db.selectFrom("ws_ticket_uses").select("jti").orderBy("jti").execute()).map((r) =>
    Number(r.jti),
  );

it("commits the writes of one event-loop turn in one transaction, after the turn", async () => {
  const writes = new DeferredWrites(client);
  const saved = [writes.add(insert(1)), writes.add(insert(2)), writes.add(insert(3))];
  expect(await ids()).toEqual([]); // nothing yet: the turn is not over
  await Promise.all(saved);
  expect(await ids()).toEqual([1, 2, 3]);
  expect(batches).toBe(1);
  await writes.add(insert(4));
  expect(batches).toBe(2);
});

it("a failing write fails alone", async () => {
  const writes = new DeferredWrites(client);
  const results = await Promise.allSettled([
    writes.add(insert(1)),
    writes.add(insert(1)), // again
    writes.add(insert(3)),
  ]);
  expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect(await ids()).toEqual([1, 3]);
});

it("saves a group whole or not at all, and a failing group fails alone", async () => {
  const writes = new DeferredWrites(client);
  const results = await Promise.allSettled([
    writes.add([insert(1), insert(2)]),
    writes.add([insert(3), insert(1)]), // 1 again: 3 must not stay either
    writes.add(insert(5)),
  ]);
  expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect(await ids()).toEqual([1, 2, 5]);
});

it("commits at once when enough groups wait, without waiting for the end of the turn", async () => {
  const writes = new DeferredWrites(client, 3);
  const saved = [writes.add(insert(1)), writes.add(insert(2))];
  expect(await ids()).toEqual([]);
  saved.push(writes.add(insert(3))); // the third: committed now, synchronously on SQLite
  expect(await ids()).toEqual([1, 2, 3]);
  await Promise.all(saved);
  expect(batches).toBe(1);
  await writes.add(insert(4));
  expect(await ids()).toEqual([1, 2, 3, 4]);
});

it("flush() saves what is pending at once", async () => {
  const writes = new DeferredWrites(client);
  const saved = writes.add(insert(1));
  await writes.flush();
  expect(await ids()).toEqual([1]);
  await saved;
});
