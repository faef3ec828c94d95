import type { Role } from "@texera-agent/auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessControl } from "./service.ts";
import { mint, OTHER_SECRET, PASSWORD, startTestService } from "./test-support.ts";

let service: AccessControl;
const tokens: Partial<Record<Role, string>> = {};
let regularId = 0;

beforeAll(async () => {
  service = await startTestService();
  for (const role of ["ADMIN", "REGULAR", "RESTRICTED"] as const) {
    const name = `the-${role.toLowerCase()}`;
    const user = await service.users.create({ name, password: PASSWORD, role });
    tokens[role] = mint(role, { userId: user.id, name });
    if (role === "REGULAR") regularId = user.id;
  }
});
afterAll(() => service.close());

const as = (token: string | undefined) => (token ? { authorization: `Bearer ${token}` } : {});
const list = (token?: string) => service.app.inject({ url: "/api/auth/users", headers: as(token) });
const create = (token: string | undefined, body: object) =>
  service.app.inject({ method: "POST", url: "/api/auth/users", headers: as(token), payload: body });
const patch = (token: string | undefined, id: number | string, body: object) =>
  service.app.inject({ method: "PATCH", url: `/api/auth/users/${id}`, headers: as(token), payload: body });

describe("admin routes", () => {
  it("refuse callers without a token (401) and non-admins (403)", async () => {
    const noToken = await list();
    expect(noToken.statusCode).toBe(401);
    expect(noToken.headers["www-authenticate"]).toBe("Bearer");
    expect((await list("garbage")).statusCode).toBe(401);
    expect((await list(tokens.REGULAR)).statusCode).toBe(403);
    expect((await list(tokens.RESTRICTED)).statusCode).toBe(403);
    expect(
      (await create(tokens.REGULAR, { username: "x1", password: PASSWORD, role: "ADMIN" })).statusCode,
    ).toBe(403);
    expect((await patch(tokens.REGULAR, regularId, { role: "ADMIN" })).statusCode).toBe(403);
  });

  it("refuse an ADMIN token the directory does not back", async () => {
    // minted elsewhere with the same secret, for a user this directory does not know
    const external = mint("ADMIN", { userId: 31337, name: "texera-admin" });
    expect((await list(external)).statusCode).toBe(403);
    expect((await list(external)).json().error).toMatch(/ADMIN account of this user directory/);
    // a REGULAR user's token that claims ADMIN
    const forged = mint("ADMIN", { userId: regularId, name: "the-regular" });
    expect((await list(forged)).statusCode).toBe(403);
    // signed with another secret
    expect(
      (await list(mint("ADMIN", { userId: 1, name: "the-admin", secret: OTHER_SECRET }))).statusCode,
    ).toBe(401);
  });

  it("let an ADMIN create, list and change roles", async () => {
    const created = await create(tokens.ADMIN, {
      username: "fresh.user",
      password: PASSWORD,
      email: "fresh@example.org",
      role: "REGULAR",
    });
    expect(created.statusCode).toBe(201);
    const user = created.json();
    expect(user).toMatchObject({ name: "fresh.user", email: "fresh@example.org", role: "REGULAR" });
    expect(JSON.stringify(user)).not.toMatch(/password|scrypt/i);

    const all = (await list(tokens.ADMIN)).json().users as { name: string; role: string }[];
    expect(all.map((u) => u.name)).toContain("fresh.user");

    const changed = await patch(tokens.ADMIN, user.id, { role: "INACTIVE" });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().role).toBe("INACTIVE");
    // and the new user can sign in with the password the admin set (before deactivation: 403 now)
    const login = await service.app.inject({
      method: "POST",
      url: "/api/auth/login",
      payload: { username: "fresh.user", password: PASSWORD },
    });
    expect(login.statusCode).toBe(403);
  });

  it("answer mistakes with fitting 4xx", async () => {
    const admin = tokens.ADMIN;
    expect(
      (await create(admin, { username: "the-regular", password: PASSWORD, role: "REGULAR" })).statusCode,
    ).toBe(409);
    expect(
      (await create(admin, { username: "bad name", password: PASSWORD, role: "REGULAR" })).statusCode,
    ).toBe(400);
    expect(
      (await create(admin, { username: "shortpw", password: "short", role: "REGULAR" })).statusCode,
    ).toBe(400);
    expect((await create(admin, { username: "norole", password: PASSWORD, role: "KING" })).statusCode).toBe(
      400,
    );
    expect(
      (await create(admin, { username: "bademail", password: PASSWORD, role: "REGULAR", email: "nope" }))
        .statusCode,
    ).toBe(400);
    expect((await patch(admin, 987654, { role: "REGULAR" })).statusCode).toBe(404);
    expect((await patch(admin, "abc", { role: "REGULAR" })).statusCode).toBe(400);
    expect((await patch(admin, "99999999999999999999", { role: "REGULAR" })).statusCode).toBe(400);
    expect((await patch(admin, regularId, { role: "nope" })).statusCode).toBe(400);
    expect((await patch(admin, regularId, {})).statusCode).toBe(400);
  });

  it("keep the last ADMIN, and drop an ADMIN's rights as soon as the directory demotes them", async () => {
    const adminId = (await service.users.list()).find((u) => u.name === "the-admin")!.id;
    const last = await patch(tokens.ADMIN, adminId, { role: "REGULAR" });
    expect(last.statusCode).toBe(409);
    expect(last.json().error).toMatch(/last ADMIN/);

    await service.users.setRole({ id: regularId }, "ADMIN");
    expect((await patch(tokens.ADMIN, adminId, { role: "REGULAR" })).statusCode).toBe(200);
    // the old token still says ADMIN, but the directory no longer does
    expect((await list(tokens.ADMIN)).statusCode).toBe(403);
    // the promoted user's REGULAR token is now honoured as ADMIN
    expect((await list(tokens.REGULAR)).statusCode).toBe(200);
  });
});

describe("health and the OpenAPI document", () => {
  it("serves GET /api/healthcheck openly", async () => {
    const r = await service.app.inject("/api/healthcheck");
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: "ok" });
  });

  it("serves the OpenAPI document at /api/auth/openapi.json", async () => {
    const r = await service.app.inject("/api/auth/openapi.json");
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/auth", "/api/auth/login", "/api/auth/users", "/api/auth/users/{id}"]),
    );
    expect(doc.paths["/api/auth/login"].post.requestBody).toBeDefined();
  });

  it("answers unknown routes with a JSON 404", async () => {
    const r = await service.app.inject("/api/nothing");
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toMatch(/no such route/);
  });
});
