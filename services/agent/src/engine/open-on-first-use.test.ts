import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testEngine } from "./testing.ts";

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

async function engineForTest(options: Parameters<typeof testEngine>[0] = {}) {
  const t = await testEngine(options);
  cleanups.push(t.cleanup);
  return t;
}

describe("the engine's DuckDB, opened on first use", () => {
  it("is not opened by creating the engine (its spill folder is not even made)", async () => {
    const { engine, dataDir } = await engineForTest();
    expect(engine.isOpen).toBe(false);
    expect(existsSync(join(dataDir, "duckdb-tmp"))).toBe(false);
    // the datasets folder is made at once: a DATA_DIR that cannot be written still stops start-up
    expect(existsSync(join(dataDir, "datasets"))).toBe(true);
    const conn = await engine.connect();
    conn.closeSync();
    expect(engine.isOpen).toBe(true);
    expect(existsSync(join(dataDir, "duckdb-tmp"))).toBe(true);
  });

  it("gives concurrent first callers connections to one database", async () => {
    const { engine } = await engineForTest();
    const conns = await Promise.all(Array.from({ length: 6 }, () => engine.connect()));
    try {
      await conns[0]!.run("CREATE TABLE shared_probe AS SELECT 42 AS answer");
      for (const conn of conns.slice(1)) {
        const read = await conn.runAndReadAll("SELECT answer FROM shared_probe");
        expect(read.getRows()).toEqual([[42]]);
      }
    } finally {
      for (const conn of conns) conn.closeSync();
    }
  });

  it("hands out connections only after the lockdown: configuration locked, other folders closed", async () => {
    const outside = mkdtempSync(join(tmpdir(), "engine-outside-"));
    cleanups.push(() => rmSync(outside, { recursive: true, force: true }));
    writeFileSync(join(outside, "secret.csv"), "a\n1\n");
    const { engine } = await engineForTest();
    // the very first connections, asked for together
    const [first, second] = await Promise.all([engine.connect(), engine.connect()]);
    try {
      for (const conn of [first!, second!]) {
        const locked = await conn.runAndReadAll(
          "SELECT current_setting('lock_configuration'), current_setting('enable_external_access')",
        );
        expect(locked.getRows()).toEqual([[true, false]]);
        await expect(conn.run("SET enable_external_access = true")).rejects.toThrow(/lock/i);
        await expect(conn.run(`SELECT * FROM read_csv('${join(outside, "secret.csv")}')`)).rejects.toThrow(
          /external access|Permission|not allowed/i,
        );
      }
    } finally {
      first?.closeSync();
      second?.closeSync();
    }
  });

  it("refuses connections once closed, also to callers whose opening was under way", async () => {
    const { engine } = await engineForTest();
    const opening = engine.connect();
    engine.close();
    await expect(opening).rejects.toThrow(/closed/);
    await expect(engine.connect()).rejects.toThrow(/closed/);
    expect(engine.isOpen).toBe(false);
  });

  it("tries again after a failed opening instead of keeping the failure", async () => {
    const { engine, dataDir } = await engineForTest();
    // a file where the spill folder must go: the opening fails
    const spill = join(dataDir, "duckdb-tmp");
    writeFileSync(spill, "");
    await expect(engine.connect()).rejects.toThrow(/EEXIST|ENOTDIR|exists|not a directory/i);
    expect(engine.isOpen).toBe(false);
    rmSync(spill);
    const conn = await engine.connect();
    conn.closeSync();
    expect(engine.isOpen).toBe(true);
  });
});
