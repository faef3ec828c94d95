import { createVerifier as createFastJwtVerifier, TokenError } from "fast-jwt";
import { parseClaims, type UserClaims } from "./claims.ts";
import {
  AlgorithmNotAllowed,
  type JwtError,
  SignatureInvalid,
  TokenExpired,
  TokenMalformed,
  TokenNotYetValid,
  TokenTooLarge,
} from "./errors.ts";
import { keyFromSecret } from "./secret.ts";
import { VerifiedTokenCache } from "./verified-token-cache.ts";

export interface VerifierOptions {
  /** The configured secret, as an operator wrote it (it is lowercased here, as Texera does). */
  secret: string;
  /** Allowed clock skew on `exp` and `nbf`, in seconds. */
  clockToleranceSec?: number;
  /** The clock, so tests can freeze time. */
  currentDate?: () => Date;
  /** Tokens longer than this are refused before any parsing. */
  maxTokenBytes?: number;
  /** How many verified tokens to remember (0 disables the cache). */
  cacheSize?: number;
}

export type TokenVerifier = (token: unknown) => UserClaims;

// Three non-empty base64url segments and nothing else: checked before any decoding, so garbage is cheap.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * A synchronous HS256 verifier compatible with Texera's tokens. fast-jwt checks the header and the
 * signature with a node:crypto HMAC (µs, on the calling thread: jose's WebCrypto path costs ~20x more
 * here); this module adds the structural pre-checks, required and well-typed claims, the role, and the
 * time checks against an injectable clock. Successful verifications are cached by the whole token, and
 * `exp`/`nbf` are checked again on every hit.
 */
export function createVerifier(options: VerifierOptions): TokenVerifier {
  const clockTolerance = options.clockToleranceSec ?? 30;
  const currentDate = options.currentDate;
  // without an injected clock, no Date is allocated per call
  const nowSeconds = currentDate ? () => currentDate().getTime() / 1000 : () => Date.now() / 1000;
  const maxTokenBytes = options.maxTokenBytes ?? 8 * 1024;
  const cache = new VerifiedTokenCache(options.cacheSize ?? 10_000);
  if (!(clockTolerance >= 0) || !(maxTokenBytes > 0)) {
    throw new TypeError("clockToleranceSec must be >= 0 and maxTokenBytes > 0");
  }

  const checkSignature = createFastJwtVerifier({
    key: keyFromSecret(options.secret),
    algorithms: ["HS256"],
    complete: false,
    cache: false,
    ignoreExpiration: true,
    ignoreNotBefore: true,
  });

  function checkTimes(claims: UserClaims): void {
    const seconds = nowSeconds();
    if (seconds > claims.exp + clockTolerance) throw new TokenExpired();
    if (claims.nbf !== undefined && claims.nbf > seconds + clockTolerance) throw new TokenNotYetValid();
  }

  return function verify(token: unknown): UserClaims {
    if (typeof token !== "string") throw new TokenMalformed("the token must be a string");
    if (token.length > maxTokenBytes) throw new TokenTooLarge(maxTokenBytes);
    const cached = cache.get(token);
    if (cached) {
      checkTimes(cached);
      return cached;
    }
    if (!COMPACT_JWS.test(token)) throw new TokenMalformed();
    if (!isCanonicalHs256Signature(token)) throw new SignatureInvalid();

    let payload: unknown;
    try {
      payload = checkSignature(token);
    } catch (error) {
      throw translate(error);
    }
    const claims = parseClaims(payload);
    checkTimes(claims);
    cache.offer(token, claims);
    return claims;
  };
}

// An HS256 signature is 32 bytes: 43 base64url characters whose last one carries 4 bits of the last byte
// and 2 unused bits. Other spellings (unused bits set) decode to the same bytes; accepting them would make
// tokens malleable, so only the one with zero unused bits is legal: a last character whose 6-bit value is a
// multiple of 4. The alphabet itself was checked by COMPACT_JWS; no decoding needed (hot path).
const CANONICAL_LAST_CHARS = "AEIMQUYcgkosw048";

function isCanonicalHs256Signature(token: string): boolean {
  return (
    token.length - token.lastIndexOf(".") - 1 === 43 && CANONICAL_LAST_CHARS.includes(token.at(-1) ?? "")
  );
}

function translate(error: unknown): JwtError {
  if (!(error instanceof TokenError)) return new TokenMalformed();
  switch (error.code) {
    case TokenError.codes.invalidAlgorithm:
      return new AlgorithmNotAllowed();
    case TokenError.codes.invalidSignature:
    case TokenError.codes.missingSignature:
      return new SignatureInvalid();
    default:
      return new TokenMalformed();
  }
}
