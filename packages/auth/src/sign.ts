import { createSigner as createFastJwtSigner } from "fast-jwt";
import type { UserClaims } from "./claims.ts";
import type { Role } from "./roles.ts";
import { keyFromSecret } from "./secret.ts";

export interface SignerOptions {
  secret: string;
  /** Token lifetime; Texera's auth.conf calls it `auth.jwt.expiration-in-minutes`. */
  expiresInMinutes: number;
  currentDate?: () => Date;
}

export interface TokenSubject {
  userName: string;
  userId: number;
  email?: string;
  role: Role;
}

export interface SignedToken {
  token: string;
  claims: UserClaims;
}

/** Mints tokens the way Texera's JwtAuth does: HS256 over the lowercased secret, the same claim names. */
export function createSigner(options: SignerOptions): (subject: TokenSubject) => SignedToken {
  if (!(options.expiresInMinutes > 0)) throw new TypeError("expiresInMinutes must be > 0");
  const now = options.currentDate ?? (() => new Date());
  const sign = createFastJwtSigner({
    key: keyFromSecret(options.secret),
    algorithm: "HS256",
  });
  return (subject) => {
    const iat = Math.floor(now().getTime() / 1000);
    const claims: UserClaims = {
      sub: subject.userName,
      userId: subject.userId,
      role: subject.role,
      exp: iat + Math.round(options.expiresInMinutes * 60),
      iat,
    };
    if (subject.email !== undefined) claims.email = subject.email;
    return { token: sign({ ...claims }), claims };
  };
}
