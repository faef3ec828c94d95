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
 * is deactivated. Failures count against the user name and the client address.
 */
export function createLoginService(deps: LoginServiceDeps): LoginService {
  const now = deps.now ?? Date.now;
  const dummyHash = deps.hasher.hash(randomBytes(16).toString("hex"));

  return async function login({ username, password, address }) {
    const wait = deps.limiter.retryAfterSeconds(username, address, now());
    if (wait > 0) throw errors.tooManyAttempts(wait);

    const user = await deps.repository.findByName(username);
    const ok = await deps.hasher.verify(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !ok) {
      deps.limiter.failed(username, address, now());
      throw errors.loginFailed();
    }
    deps.limiter.succeeded(username);
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
