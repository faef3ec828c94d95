import type { SignedToken, TokenSubject } from "@texera-agent/auth";
import { describe, expect, it } from "vitest";
import { createLoginService } from "./login.service.ts";
import { LoginLimiter } from "./login-limiter.ts";
import { createPasswordHasher, type PasswordHasher } from "./password.ts";
import type { UserRecord } from "./users.repository.ts";

const real = createPasswordHasher({ logN: 4, r: 8, p: 1 });

/** A hasher that records every verification and how long each took. */
function recordingHasher(): PasswordHasher & { calls: { encoded: string; ms: number }[] } {
  const calls: { encoded: string; ms: number }[] = [];
  return {
    calls,
    hash: (password) => real.hash(password),
    async verify(password, encoded) {
      const start = performance.now();
      const ok = await real.verify(password, encoded);
      calls.push({ encoded, ms: performance.now() - start });
      return ok;
    },
  };
}

async function setup() {
  const hasher = recordingHasher();
  const user: UserRecord = {
    id: 7,
    name: "erin",
    role: "REGULAR",
    passwordHash: await real.hash("erin's password"),
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  };
  const signed: TokenSubject[] = [];
  const slept: number[] = [];
  const login = createLoginService({
    repository: { findByName: async (name) => (name === "erin" ? user : undefined) },
    hasher,
    sign: (subject): SignedToken => {
      signed.push(subject);
      return {
        token: "t.t.t",
        claims: { sub: subject.userName, userId: subject.userId, role: subject.role, exp: 2e9 },
      };
    },
    limiter: new LoginLimiter({
      windowMs: 60_000,
      perNameAndAddress: 100,
      perAddress: 100,
      slowAfterPerName: 2,
      slowDelayMs: 1234,
    }),
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return { login, hasher, signed, user, slept };
}

describe("login service", () => {
  it("runs scrypt against a dummy hash of the same cost for an unknown user", async () => {
    const { login, hasher, user } = await setup();
    await expect(login({ username: "ghost", password: "x", address: "a" })).rejects.toMatchObject({
      statusCode: 401,
    });
    await expect(login({ username: "erin", password: "x", address: "a" })).rejects.toMatchObject({
      statusCode: 401,
    });
    expect(hasher.calls).toHaveLength(2);
    const [dummy, known] = hasher.calls;
    expect(dummy!.encoded).not.toBe(user.passwordHash);
    // the same parameters, so the same work
    expect(dummy!.encoded.split("$")[2]).toBe(known!.encoded.split("$")[2]);
  });

  it("signs the directory's record, not what the caller typed", async () => {
    const { login, signed } = await setup();
    const answer = await login({ username: "erin", password: "erin's password", address: "a" });
    expect(signed).toEqual([{ userName: "erin", userId: 7, role: "REGULAR" }]);
    expect(answer).toMatchObject({ accessToken: "t.t.t", expiresAt: new Date(2e12).toISOString() });
    expect(answer.user).toEqual({ id: 7, name: "erin", role: "REGULAR", createdAt: expect.any(String) });
  });

  it("slows every attempt on a name that failed from many addresses, and lets the right password in", async () => {
    const { login, slept } = await setup();
    for (const address of ["x1", "x2"]) {
      await expect(login({ username: "erin", password: "guess", address })).rejects.toMatchObject({
        statusCode: 401,
      });
    }
    expect(slept).toEqual([]);
    await expect(
      login({ username: "erin", password: "erin's password", address: "home" }),
    ).resolves.toMatchObject({ user: { name: "erin" } });
    expect(slept).toEqual([1234]);
  });
});
