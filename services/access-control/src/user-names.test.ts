import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateToLatest, openDatabase } from "@texera-agent/db";
import { createTestDatabase } from "@texera-agent/db/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLoginService } from "./login.service.ts";
import { LoginLimiter } from "./login-limiter.ts";
import { accessControlMigrations } from "./migrations.ts";
import { createPasswordHasher } from "./password.ts";
import { DATABASE_FILE, openUserDatabase } from "./service.ts";
import { PASSWORD } from "./test-support.ts";
import type { UsersRepository } from "./users.repository.ts";
import { createUsersService, type UsersService } from "./users.service.ts";

const POSTGRES = process.env.TEST_POSTGRES_URL;
const hasher = createPasswordHasher({ logN: 4, r: 8, p: 1 });

// User names are one user in any letter case: `ADMIN` is `admin`. On SQLite and on PostgreSQL.
describe.each([
  { dialect: "sqlite", skip: false },
  { dialect: "postgres", skip: !POSTGRES },
])("user names in any letter case on $dialect", ({ dialect, skip }) => {
  const location = async () => {
    const at: { dataDir: string; databaseUrl?: string } = {
      dataDir: mkdtempSync(join(tmpdir(), "ac-names-")),
    };
    if (dialect === "postgres") at.databaseUrl = await createTestDatabase(POSTGRES!, "acnames");
    return at;
  };
  let users: UsersService;
  let repository: UsersRepository;
  let close: () => Promise<void>;

  beforeAll(async () => {
    if (skip) return;
    const opened = await openUserDatabase(await location());
    repository = opened.repository;
    users = createUsersService({ repository, hasher });
    close = () => opened.database.close();
  });
  afterAll(async () => {
    await close?.();
  });

  it.skipIf(skip)("refuses a name that differs from a taken one only in letter case (409)", async () => {
    await users.create({ name: "admin", password: PASSWORD, role: "ADMIN" });
    await expect(users.create({ name: "ADMIN", password: PASSWORD, role: "ADMIN" })).rejects.toMatchObject({
      statusCode: 409,
    });
    // the database refuses it too, whoever writes (a second replica racing, the CLI)
    await expect(
      repository.insert({ name: "Admin", role: "REGULAR", passwordHash: "x" }, new Date()),
    ).rejects.toThrow();
    expect((await users.list()).map((u) => u.name)).toEqual(["admin"]);
  });

  it.skipIf(skip)("signs in with the name in any letter case, as the stored name", async () => {
    await users.create({ name: "Carol", password: PASSWORD, role: "REGULAR" });
    const login = createLoginService({
      repository,
      hasher,
      sign: (subject) => ({
        token: "t",
        claims: { sub: subject.userName, userId: subject.userId, role: subject.role, exp: 2e9 },
      }),
      limiter: new LoginLimiter({
        windowMs: 60_000,
        perNameAndAddress: 10,
        perAddress: 10,
        slowAfterPerName: 10,
        slowDelayMs: 0,
      }),
    });
    for (const typed of ["carol", "CAROL", "cArOl"]) {
      const answer = await login({ username: typed, password: PASSWORD, address: "a" });
      expect(answer.user.name).toBe("Carol");
    }
  });

  it.skipIf(skip)(
    "stops at migration when existing users collide, changes nothing, and goes on once renamed",
    async () => {
      const at = await location();
      // a directory from before: migration 001 only, with `ADMIN` and `admin` as two users
      const old = openDatabase({ url: at.databaseUrl, dataDir: at.dataDir, fileName: DATABASE_FILE });
      const db = old.db as Kysely<unknown>;
      const all = accessControlMigrations(old.dialect);
      await migrateToLatest(db, "access_control", { "001_users": all["001_users"]! });
      const now = new Date().toISOString();
      for (const [name, role] of [
        ["admin", "ADMIN"],
        ["ADMIN", "REGULAR"],
        ["bob", "REGULAR"],
      ]) {
        await sql`insert into users (name, role, password_hash, created_at, updated_at)
          values (${name}, ${role}, 'x', ${now}, ${now})`.execute(db);
      }
      await old.close();

      const opening = openUserDatabase(at);
      await expect(opening).rejects.toThrow(/002_user_names_any_case/);
      await expect(opening).rejects.toThrow(/"admin" \(id 1\) and "ADMIN" \(id 2\)/);
      await expect(opening).rejects.toThrow(/update users set name = 'ADMIN-2' where id = 2/);

      const again = openDatabase({ url: at.databaseUrl, dataDir: at.dataDir, fileName: DATABASE_FILE });
      const rows = await sql<{ name: string }>`select name from users order by id`.execute(
        again.db as Kysely<unknown>,
      );
      expect(rows.rows.map((r) => r.name)).toEqual(["admin", "ADMIN", "bob"]);
      // the operator renames as told; the next start migrates
      await sql`update users set name = 'ADMIN-2' where id = 2`.execute(again.db);
      await again.close();
      const reopened = await openUserDatabase(at);
      expect((await reopened.repository.findByName("ADMIN"))?.id).toBe(1);
      await reopened.database.close();
    },
  );
});
