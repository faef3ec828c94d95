import { ClaimInvalid } from "./errors.ts";
import { isRole, type Role } from "./roles.ts";

/** The claims Texera's JwtAuth puts into a token, after validation. */
export interface UserClaims {
  /** user name */
  sub: string;
  userId: number;
  email?: string;
  role: Role;
  /** seconds since the epoch */
  exp: number;
  iat?: number;
  nbf?: number;
}

const USER_ID_STRING = /^(0|[1-9][0-9]{0,15})$/;

function isSeconds(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** Checks types and presence of every claim. Signature and time checks happen elsewhere. */
export function parseClaims(payload: unknown): UserClaims {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    throw new ClaimInvalid("payload", "invalid");
  }
  const p = payload as Record<string, unknown>;

  if (p.sub === undefined) throw new ClaimInvalid("sub", "missing");
  if (typeof p.sub !== "string" || p.sub.trim() === "") throw new ClaimInvalid("sub", "invalid");

  let userId: number;
  if (p.userId === undefined) throw new ClaimInvalid("userId", "missing");
  if (typeof p.userId === "number" && Number.isSafeInteger(p.userId) && p.userId >= 0) {
    userId = p.userId;
  } else if (typeof p.userId === "string" && USER_ID_STRING.test(p.userId)) {
    userId = Number(p.userId);
    if (!Number.isSafeInteger(userId)) throw new ClaimInvalid("userId", "invalid");
  } else {
    throw new ClaimInvalid("userId", "invalid");
  }

  if (p.email !== undefined && p.email !== null && typeof p.email !== "string") {
    throw new ClaimInvalid("email", "invalid");
  }
  if (p.role === undefined) throw new ClaimInvalid("role", "missing");
  if (!isRole(p.role)) throw new ClaimInvalid("role", "invalid");
  if (p.exp === undefined) throw new ClaimInvalid("exp", "missing");
  if (!isSeconds(p.exp)) throw new ClaimInvalid("exp", "invalid");
  if (p.nbf !== undefined && !isSeconds(p.nbf)) throw new ClaimInvalid("nbf", "invalid");
  if (p.iat !== undefined && !isSeconds(p.iat)) throw new ClaimInvalid("iat", "invalid");

  const claims: UserClaims = { sub: p.sub, userId, role: p.role, exp: p.exp };
  if (typeof p.email === "string") claims.email = p.email;
  if (p.iat !== undefined) claims.iat = p.iat as number;
  if (p.nbf !== undefined) claims.nbf = p.nbf as number;
  return claims;
}
