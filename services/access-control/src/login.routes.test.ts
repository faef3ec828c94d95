import { createVerifier } from "@texera-agent/auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessControl } from "./service.ts";
import { PASSWORD, SECRET, startTestService, subrequest } from "./test-support.ts";

let service: AccessControl;
let clock = new Date("2030-01-01T00:00:00Z").getTime();
const now = () => new Date(clock);

beforeAll(async () => {
  service = await startTestService({
    now,
    config: {
      jwt: { secret: SECRET, source: "test", generated: false, expirationMinutes: 30 },
      loginLimits: {
        windowMs: 60_000,
        perNameAndAddress: 3,
        perAddress: 5,
        slowAfterPerName: 100,
        slowDelayMs: 0,
      },
    },
  });
  await service.users.create({
    name: "dora",
    password: PASSWORD,
    role: "REGULAR",
    email: "dora@example.org",
  });
  await service.users.create({ name: "ivan", password: PASSWORD, role: "INACTIVE" });
  for (const name of ["u1", "u2", "u3"]) {
    await service.users.create({ name, password: PASSWORD, role: "REGULAR" });
  }
});
afterAll(() => service.close());

// each test uses its own client address, so the per-address limit of one does not leak into another
const login = (username: string, password: string, address = "10.0.0.1") =>
  service.app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { username, password },
    remoteAddress: address,
  });

describe("POST /api/auth/login", () => {
  it("returns a token with the user's claims, its expiry and the user", async () => {
    const r = await login("dora", PASSWORD);
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.user).toMatchObject({ name: "dora", role: "REGULAR", email: "dora@example.org" });
    expect(body.user.passwordHash).toBeUndefined();
    expect(body.expiresAt).toBe(new Date(clock + 30 * 60_000).toISOString());
    const claims = createVerifier({ secret: SECRET, currentDate: now })(body.accessToken);
    expect(claims).toMatchObject({
      sub: "dora",
      userId: body.user.id,
      role: "REGULAR",
      email: "dora@example.org",
    });
    // and the gateway lets it through
    const auth = await service.app.inject(
      subrequest("nginx", "GET", "/api/agents", { authorization: `Bearer ${body.accessToken}` }),
    );
    expect(auth.statusCode).toBe(200);
  });

  it("answers a wrong password and an unknown user with the same words", async () => {
    const wrong = await login("dora", "not the password", "10.0.0.2");
    const unknown = await login("nobody-here", PASSWORD, "10.0.0.2");
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body).toBe(unknown.body);
    expect(wrong.json().error).toBe("wrong user name or password");
  });

  it("tells an INACTIVE user so only after a correct password", async () => {
    const wrong = await login("ivan", "bad password", "10.0.0.3");
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe("wrong user name or password");
    const right = await login("ivan", PASSWORD, "10.0.0.3");
    expect(right.statusCode).toBe(403);
    expect(right.json().error).toMatch(/deactivated/);
    expect(right.json().accessToken).toBeUndefined();
  });

  it("limits attempts per user name and address with 429 and Retry-After, in any letter case", async () => {
    for (let i = 0; i < 3; i++) expect((await login("u1", "bad", "10.1.0.1")).statusCode).toBe(401);
    const limited = await login("U1", PASSWORD, "10.1.0.1");
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(Number(limited.headers["retry-after"])).toBeLessThanOrEqual(60);
    expect(limited.json().error).toMatch(/try again in \d+ s/);
    // even the right password waits: the limit is checked first
    expect((await login("u1", PASSWORD, "10.1.0.1")).statusCode).toBe(429);
    // the attacker's failures do not lock u1 out of another address
    expect((await login("u1", PASSWORD, "10.1.0.2")).statusCode).toBe(200);
    // another user is not affected
    expect((await login("u2", PASSWORD, "10.1.0.1")).statusCode).toBe(200);
    // the window slides: once it has passed, the right password works again
    clock += 61_000;
    expect((await login("u1", PASSWORD, "10.1.0.1")).statusCode).toBe(200);
  });

  it("counts attempts in flight: of many parallel wrong passwords only the limit is checked", async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => login("dora", "parallel guess", "10.6.0.1")),
    );
    const codes = answers.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(3);
    expect(codes.filter((c) => c === 429)).toHaveLength(9);
    // per address too: 12 names in parallel from one address, 5 checked
    const many = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login(`parallel${i}`, "bad", "10.6.0.2")),
    );
    expect(many.filter((r) => r.statusCode === 401)).toHaveLength(5);
  });

  it("limits failures per client address", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await login(`someone${i}`, "bad", "10.2.0.1")).statusCode).toBe(401);
    }
    const limited = await login("u3", PASSWORD, "10.2.0.1");
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["retry-after"]).toMatch(/^\d+$/);
    expect((await login("u3", PASSWORD, "10.2.0.2")).statusCode).toBe(200);
  });

  it("reads the client address from X-Forwarded-For only from a trusted (loopback) proxy", async () => {
    let attempt = 0;
    const viaProxy = (address: string, forwarded: string) =>
      service.app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: { username: `xff-nobody-${attempt++}`, password: "bad" },
        remoteAddress: address,
        headers: { "x-forwarded-for": forwarded },
      });
    for (let i = 0; i < 5; i++) await viaProxy("127.0.0.1", "10.3.0.1");
    expect((await viaProxy("127.0.0.1", "10.3.0.1")).statusCode).toBe(429);
    expect((await viaProxy("127.0.0.1", "10.3.0.2")).statusCode).toBe(401);
    // from an untrusted peer the header is ignored: its own address counts
    for (let i = 0; i < 5; i++) await viaProxy("10.4.0.1", `10.5.0.${i}`);
    expect((await viaProxy("10.4.0.1", "10.5.0.99")).statusCode).toBe(429);
  });

  it("answers bad bodies with 400", async () => {
    const post = (payload: string, contentType = "application/json") =>
      service.app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload,
        headers: { "content-type": contentType },
      });
    expect((await post("{")).statusCode).toBe(400);
    expect((await post("{}")).statusCode).toBe(400);
    expect((await post(JSON.stringify({ username: "a b", password: "x" }))).statusCode).toBe(400);
    expect((await post(JSON.stringify({ username: "dora", password: "" }))).statusCode).toBe(400);
    expect((await post("username=dora", "application/x-www-form-urlencoded")).statusCode).toBe(415);
  });
});
