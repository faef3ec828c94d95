import { describe, expect, it, vi } from "vitest";
import { createPasswordHasher } from "./password.ts";
import { openUserDatabase } from "./service.ts";
import { PASSWORD } from "./test-support.ts";
import { createUsersService } from "./users.service.ts";

async function fresh() {
  const { database, repository } = await openUserDatabase({
    databaseUrl: "sqlite::memory:",
    dataDir: "/tmp",
  });
  const onChange = vi.fn();
  const users = createUsersService({
    repository,
    hasher: createPasswordHasher({ logN: 4, r: 8, p: 1 }),
    onChange,
  });
  return { users, repository, onChange, close: () => database.close() };
}

describe("users service", () => {
  it("ensureAdmin creates the first ADMIN once, with a working password", async () => {
    const { users, repository, close } = await fresh();
    expect(await users.ensureAdmin({ name: "root", password: PASSWORD })).toEqual({ created: true });
    expect(await users.ensureAdmin({ name: "root", password: "another-password" })).toEqual({
      created: false,
    });
    expect(await users.ensureAdmin({ name: "other", password: PASSWORD })).toEqual({ created: false });
    const list = await users.list();
    expect(list.map((u) => [u.name, u.role])).toEqual([["root", "ADMIN"]]);
    const stored = await repository.findByName("root");
    expect(await createPasswordHasher({ logN: 4, r: 8, p: 1 }).verify(PASSWORD, stored!.passwordHash)).toBe(
      true,
    );
    await close();
  });

  it("ensureAdmin refuses to promote an existing non-admin silently", async () => {
    const { users, close } = await fresh();
    await users.create({ name: "admin", password: PASSWORD, role: "REGULAR" });
    await expect(users.ensureAdmin({ name: "admin", password: PASSWORD })).rejects.toThrow(
      /set-role admin ADMIN/,
    );
    await close();
  });

  it("tells its replica's directory about every committed change, and bumps the version", async () => {
    const { users, repository, onChange, close } = await fresh();
    const v0 = await repository.version();
    const u = await users.create({ name: "x", password: PASSWORD, role: "REGULAR" });
    await users.setRole({ id: u.id }, "INACTIVE");
    expect(onChange.mock.calls.map(([e]) => e)).toEqual([
      { id: u.id, name: "x", role: "REGULAR" },
      { id: u.id, name: "x", role: "INACTIVE" },
    ]);
    expect(await repository.version()).toBe(v0 + 2);
    // a refused change tells nobody
    await expect(users.create({ name: "x", password: PASSWORD, role: "REGULAR" })).rejects.toThrow(/taken/);
    expect(onChange).toHaveBeenCalledTimes(2);
    await close();
  });
});
