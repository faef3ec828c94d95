import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { expect, it } from "vitest";
import { startCheckpointer } from "./checkpointer.ts";
import { openDatabase } from "./database.ts";
import { type Params, queryOf } from "./query.ts";

interface Schema {
  blobs: { id: number; body: string };
}

const INSERT = queryOf<Schema>()((db, p: Params<Schema["blobs"]>) =>
  db.insertInto("blobs").values({ id: p("id"), body: p("body") }),
);

it("checkpoints the WAL in a worker thread, not in the commits of the service's connection", async () => {
  const dir = mkdtempSync(join(tmpdir(), "checkpoint-"));
  const database = openDatabase<Schema>({ dataDir: dir, fileName: "c.sqlite", checkpointIntervalMs: 30 });
  try {
    const { rows } = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(
      database.db,
    );
    expect(rows[0]!.wal_autocheckpoint).toBe(0);
    await database.db.schema
      .createTable("blobs")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("body", "text")
      .execute();
    const body = "x".repeat(1000);
    for (let i = 0; i < 3000; i++) await database.sql.execute(INSERT, { id: i, body });
    // ≈3 MB of pages are in the WAL; the database file only gets them from a checkpoint.
    const file = join(dir, "c.sqlite");
    const until = Date.now() + 5_000;
    while (statSync(file).size < 2_000_000 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(statSync(file).size).toBeGreaterThan(2_000_000);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it("reports a worker that cannot checkpoint, so the caller can fall back", async () => {
  const failure = await new Promise<Error>((resolve) => {
    const checkpointer = startCheckpointer({
      file: join(tmpdir(), "no-such-dir-for-checkpoints", "x.sqlite"),
      intervalMs: 10,
      onFailure: resolve,
    });
    void checkpointer;
  });
  expect(failure.message).toMatch(/WAL checkpoint failed/);
});
