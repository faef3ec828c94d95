// agent-service's copy of access-control's directory (the RoleDirectory of @texera-agent/auth), read from access-control's own database (SQLite file
// and PostgreSQL), with the clock injected instead of sleeps.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createPasswordHasher,
  createUsersService,
  DATABASE_FILE,
  openUserDatabase,
} from "@texera-agent/access-control";
import { type DirectorySource, RoleDirectory } from "@texera-agent/auth";
import { createTestDatabase } from "@texera-agent/db/testing";
import { describe, expect, it } from "vitest";
import { parseAgentEnv } from "../config.ts";
import { openDirectorySource } from "./directory-source.ts";
import { loadIdentityConfig } from "./identity-config.ts";

const hasher = createPasswordHasher({ logN: 4, r: 8, p: 1 });

async function directoryOn(databaseUrl: string | undefined, dataDir: string) {
  const { database, repository } = await openUserDatabase({ dataDir, databaseUrl });
  const users = createUsersService({ repository, hasher });
  const alice = await users.create({ name: "alice", password: "password-1", role: "ADMIN" });
  await users.create({ name: "root", password: "password-1", role: "ADMIN" });
  const url = databaseUrl ?? loadIdentityConfig(parseAgentEnv({ DATA_DIR: dataDir })).directoryUrl!;
  const source = openDirectorySource(url);
  let now = 0;
  const directory = new RoleDirectory({ source, refreshMs: 1_000, maxStalenessMs: 5_000, now: () => now });
  await directory.refresh();
  return {
    users,
    alice,
    directory,
    tick: (ms: number) => {
      now += ms;
    },
    async close() {
      await source.close();
      await database.close();
    },
  };
}

type DatabaseUrl = () => Promise<string | undefined | null>;
const sqliteFile: DatabaseUrl = async () => undefined;
const postgres: DatabaseUrl = async () =>
  process.env.TEST_POSTGRES_URL ? createTestDatabase(process.env.TEST_POSTGRES_URL) : null;

describe.each<[string, DatabaseUrl]>([
  ["SQLite", sqliteFile],
  ["PostgreSQL", postgres],
])("the directory over access-control's %s database", (_name, url) => {
  it("knows each user by id and name, sees a role change on the next check, and knows no one else", async (ctx) => {
    const databaseUrl = await url();
    if (databaseUrl === null) return ctx.skip();
    const dataDir = mkdtempSync(join(tmpdir(), "agent-directory-"));
    const d = await directoryOn(databaseUrl, dataDir);
    try {
      expect(d.directory.lookup(d.alice.id, "alice")).toBe("ADMIN");
      expect(d.directory.lookup(d.alice.id, "Alice-impostor")).toBe("unknown");
      expect(d.directory.lookup(424242, "alice")).toBe("unknown");
      await d.users.setRole({ id: d.alice.id }, "REGULAR");
      expect(d.directory.lookup(d.alice.id, "alice")).toBe("ADMIN"); // until the next check
      d.tick(1_000);
      await d.directory.refresh();
      expect(d.directory.lookup(d.alice.id, "alice")).toBe("REGULAR");
      await d.users.setRole({ id: d.alice.id }, "INACTIVE");
      await d.directory.refresh();
      expect(d.directory.lookup(d.alice.id, "alice")).toBe("INACTIVE");
    } finally {
      await d.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("agent-service's directory", () => {
  it("answers stale (fail closed) once no check has succeeded for maxStalenessMs, and recovers", async () => {
    let now = 0;
    let up = true;
    const source: DirectorySource = {
      version: async () => {
        if (!up) throw new Error("database down");
        return 1;
      },
      snapshot: async () => ({ version: 1, users: [{ id: 1, name: "bob", role: "REGULAR" }] }),
    };
    const health: boolean[] = [];
    const directory = new RoleDirectory({
      source,
      refreshMs: 1_000,
      maxStalenessMs: 5_000,
      now: () => now,
      onHealthChange: (healthy) => health.push(healthy),
    });
    await directory.refresh();
    up = false;
    now = 4_000;
    await expect(directory.refresh()).rejects.toThrow("database down");
    expect(directory.lookup(1, "bob")).toBe("REGULAR");
    now = 5_001;
    expect(directory.lookup(1, "bob")).toBe("stale");
    expect(directory.lookup(2, "anyone")).toBe("stale");
    up = true;
    await directory.refresh();
    expect(directory.lookup(1, "bob")).toBe("REGULAR");
    expect(health).toEqual([false, true]);
  });

  it("waits for a directory file that does not exist yet, without creating it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agent-directory-"));
    try {
      const source = openDirectorySource(
        loadIdentityConfig(parseAgentEnv({ DATA_DIR: dataDir })).directoryUrl!,
      );
      let now = 0;
      const directory = new RoleDirectory({
        source,
        refreshMs: 1_000,
        maxStalenessMs: 5_000,
        now: () => now,
      });
      // the first check fails (no file yet): start says so, and keeps checking until stopped
      await expect(directory.start()).rejects.toThrow();
      directory.stop();
      expect(directory.lookup(1, "x")).toBe("stale");
      expect(existsSync(join(dataDir, DATABASE_FILE))).toBe(false);
      const { database, repository } = await openUserDatabase({ dataDir, databaseUrl: undefined });
      const user = await createUsersService({ repository, hasher }).create({
        name: "carol",
        password: "password-1",
        role: "REGULAR",
      });
      now = 1_000;
      await directory.refresh();
      expect(directory.lookup(user.id, "carol")).toBe("REGULAR");
      await source.close();
      await database.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("loadIdentityConfig", () => {
  it("finds the directory where access-control keeps it, and keeps the bounds within 5 s", () => {
    expect(loadIdentityConfig(parseAgentEnv({ DATA_DIR: "/srv/texera" })).directoryUrl).toBe(
      `sqlite:/srv/texera/${DATABASE_FILE}`,
    );
    expect(loadIdentityConfig(parseAgentEnv({ DATABASE_URL: "postgres://db/x" })).directoryUrl).toBe(
      "postgres://db/x",
    );
    expect(
      loadIdentityConfig(parseAgentEnv({ DIRECTORY_URL: "none", DATABASE_URL: "postgres://db/x" }))
        .directoryUrl,
    ).toBe(undefined);
    expect(() => loadIdentityConfig(parseAgentEnv({ DIRECTORY_URL: "mysql://x" }))).toThrow(/DIRECTORY_URL/);
    expect(() => loadIdentityConfig(parseAgentEnv({ DIRECTORY_MAX_STALENESS_MS: "60000" }))).toThrow(/5000/);
    expect(loadIdentityConfig(parseAgentEnv({})).maxSocketsPerUser).toBe(20);
  });
});
