import { randomBytes } from "node:crypto";
import type { SignedToken, TokenSubject } from "@texera-agent/auth";
import type { LoginResponse } from "@texera-agent/protocol";
import { errors } from "./errors.ts";
import type { LoginLimiter } from "./login-limiter.ts";
import type { PasswordHasher } from "./password.ts";
import type { UsersRepository } from "./users.repository.ts";
import { toUserDto } from "./users.service.ts";

export interface LoginServiceDeps {
  repository: Pick<UsersRepository, "findByName">;
  hasher: PasswordHasher;
  sign: (subject: TokenSubject) => SignedToken;
  limiter: LoginLimiter;
  /** Milliseconds clock for the rate limiter. */
  now?: () => number;
  /** Waits the limiter's slow-down (injectable for tests). */
  sleep?: (ms: number) => Promise<void>;
}

export interface LoginAttempt {
  username: string;
  password: string;
  /** The client address, for the per-address limit. */
  address: string;
}

export type LoginService = (attempt: LoginAttempt) => Promise<LoginResponse>;

/**
 * Sign-in. An unknown user and a wrong password get the same words after the same work (scrypt runs
 * against a dummy hash made with the same parameters); only a correct password reveals that an account
 * is deactivated. Every attempt counts against its limits from the moment it is admitted, before scrypt
 * runs, so parallel attempts cannot all be checked (see login-limiter.ts for which limits refuse and which
 * only slow down).
 */
export function createLoginService(deps: LoginServiceDeps): LoginService {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const dummyHash = deps.hasher.hash(randomBytes(16).toString("hex"));

  return async function login({ username, password, address }) {
    const slot = deps.limiter.admit(username, address, now());
    if ("retryAfterSeconds" in slot) throw errors.tooManyAttempts(slot.retryAfterSeconds);

    let user: Awaited<ReturnType<LoginServiceDeps["repository"]["findByName"]>>;
    let ok: boolean;
    try {
      if (slot.slowDownMs > 0) await sleep(slot.slowDownMs);
      user = await deps.repository.findByName(username);
      ok = await deps.hasher.verify(password, user?.passwordHash ?? (await dummyHash));
    } catch (error) {
      slot.abandoned();
      throw error;
    }
    if (!user || !ok) {
      slot.failed(now());
      throw errors.loginFailed();
    }
    slot.succeeded();
    if (user.role === "INACTIVE") throw errors.userInactive();

    const subject: TokenSubject = { userName: user.name, userId: user.id, role: user.role };
    if (user.email !== undefined) subject.email = user.email;
    const { token, claims } = deps.sign(subject);
    return {
      accessToken: token,
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      user: toUserDto(user),
    };
  };
}
