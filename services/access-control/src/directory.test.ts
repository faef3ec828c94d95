import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase } from "@texera-agent/db/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createPasswordHasher } from "./password.ts";
import { type AccessControl, openUserDatabase } from "./service.ts";
import { mint, PASSWORD, startTestService, subrequest } from "./test-support.ts";
import { createUsersService, type UsersService } from "./users.service.ts";

const POSTGRES = process.env.TEST_POSTGRES_URL;

// The same directory tests on the embedded SQLite file and on PostgreSQL.
describe.each([
  { dialect: "sqlite", skip: false },
  { dialect: "postgres", skip: !POSTGRES },
])("user directory on $dialect", ({ dialect, skip }) => {
  let location: { dataDir: string; databaseUrl?: string };
  let users: UsersService;
  let close: () => Promise<void>;

  beforeAll(async () => {
    if (skip) return;
    location = { dataDir: mkdtempSync(join(tmpdir(), "ac-dir-")) };
    if (dialect === "postgres") location.databaseUrl = await createTestDatabase(POSTGRES!, "ac");
    // opening twice runs the migrations twice: they must be idempotent
    await (await openUserDatabase(location)).database.close();
    const { database, repository } = await openUserDatabase(location);
    expect(database.dialect).toBe(dialect);
    users = createUsersService({ repository, hasher: createPasswordHasher({ logN: 4, r: 8, p: 1 }) });
    close = () => database.close();
  });
  afterAll(async () => {
    await close?.();
  });

  it.skipIf(skip)("creates users with integer ids and lists them without password hashes", async () => {
    const a = await users.create({
      name: "ann",
      password: PASSWORD,
      role: "ADMIN",
      email: "ann@example.org",
    });
    const b = await users.create({ name: "ben", password: PASSWORD, role: "REGULAR" });
    expect(Number.isInteger(a.id) && Number.isInteger(b.id) && b.id > a.id).toBe(true);
    const list = await users.list();
    expect(list.map((u) => [u.name, u.role, u.email])).toEqual([
      ["ann", "ADMIN", "ann@example.org"],
      ["ben", "REGULAR", undefined],
    ]);
    expect(JSON.stringify(list)).not.toMatch(/scrypt|hash/i);
    expect(new Date(list[0]!.createdAt!).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it.skipIf(skip)("refuses a taken name with 409", async () => {
    await expect(users.create({ name: "ann", password: PASSWORD, role: "REGULAR" })).rejects.toMatchObject({
      statusCode: 409,
    });
  });

  it.skipIf(skip)("changes roles by id or name and keeps the last ADMIN", async () => {
    const ben = (await users.list()).find((u) => u.name === "ben")!;
    expect((await users.setRole({ id: ben.id }, "INACTIVE")).role).toBe("INACTIVE");
    expect((await users.setRole({ name: "ben" }, "RESTRICTED")).role).toBe("RESTRICTED");
    await expect(users.setRole({ name: "ann" }, "REGULAR")).rejects.toMatchObject({ statusCode: 409 });
    await expect(users.setRole({ id: 987654 }, "REGULAR")).rejects.toMatchObject({ statusCode: 404 });
    await users.setRole({ name: "ben" }, "ADMIN");
    expect((await users.setRole({ name: "ann" }, "REGULAR")).role).toBe("REGULAR");
    await users.setRole({ name: "ann" }, "ADMIN");
  });

  it.skipIf(skip)("finds the current record of a caller only by id and name together", async () => {
    const ann = (await users.list()).find((u) => u.name === "ann")!;
    expect((await users.current(ann.id, "ann"))?.role).toBe("ADMIN");
    expect(await users.current(ann.id, "not-ann")).toBeUndefined();
  });

  it.skipIf(skip)("ensureAdmin does nothing once an ADMIN exists", async () => {
    expect(await users.ensureAdmin({ name: "root", password: PASSWORD })).toEqual({ created: false });
    expect((await users.list()).some((u) => u.name === "root")).toBe(false);
  });

  it.skipIf(skip)("deactivation reaches another replica within its refresh bound", async () => {
    const config = { ...location, directory: { refreshMs: 50, maxStalenessMs: 1000 } };
    const a = await startTestService({ config });
    const b = await startTestService({ config });
    try {
      const carl = await a.users.create({ name: `carl-${dialect}`, password: PASSWORD, role: "REGULAR" });
      await b.directory.refresh();
      const token = mint("REGULAR", { userId: carl.id, name: carl.name });
      // the status, with the refusal's words when there is one (they say which rule refused)
      const ask = async (replica: AccessControl) => {
        const r = await replica.app.inject(
          subrequest("nginx", "GET", "/api/agents", { authorization: `Bearer ${token}` }),
        );
        return { statusCode: r.statusCode === 200 ? 200 : `${r.statusCode} ${r.body}` };
      };
      expect((await ask(a)).statusCode).toBe(200);
      expect((await ask(b)).statusCode).toBe(200);

      const started = Date.now();
      const ann = (await a.users.list()).find((u) => u.name === "ann")!;
      const admin = mint("ADMIN", { userId: ann.id, name: "ann" });
      const patch = await a.app.inject({
        method: "PATCH",
        url: `/api/auth/users/${carl.id}`,
        headers: { authorization: `Bearer ${admin}` },
        payload: { role: "INACTIVE" },
      });
      expect(patch.statusCode).toBe(200);
      // the replica that made the change: at once
      expect((await ask(a)).statusCode).toMatch(/^403 .*deactivated/);
      // the other one: within its refresh interval (plus query time), far inside maxStalenessMs
      await vi.waitFor(async () => expect((await ask(b)).statusCode).toMatch(/^403 .*deactivated/), {
        timeout: 1000,
        interval: 10,
      });
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
