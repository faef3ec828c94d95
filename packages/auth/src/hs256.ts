import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto";
import { AlgorithmNotAllowed, SignatureInvalid, TokenMalformed } from "./errors.ts";

// Three non-empty base64url segments and nothing else: checked before any decoding, so garbage is cheap.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

// An HS256 signature is 32 bytes: 43 base64url characters, the last of which carries 4 bits of the MAC and
// 2 unused bits. Other spellings of the unused bits decode to the same bytes; accepting them would make
// tokens malleable, so only the one with zero bits is legal: the last character is one of these 16.
const CANONICAL_LAST = "AEIMQUYcgkosw048";

// Header segments already found acceptable (`alg` HS256, no `crit`), so that the common header
// (`{"alg":"HS256","typ":"JWT"}` or Texera's `{"alg":"HS256"}`) is decoded once, not per token. Keyed by the
// exact segment text; bounded, and only accepted headers enter, so a flood of odd headers costs a parse each.
const MAX_KNOWN_HEADERS = 16;

/**
 * The compact-JWS half of HS256 verification: form, header and signature, in that order, and only then
 * the payload, decoded from JSON. Returns the payload (not yet checked as claims). Errors:
 * `TokenMalformed` for the form, the header's JSON and a JSON-less payload, `SignatureInvalid` for a
 * non-canonical or wrong signature (compared in constant time), `AlgorithmNotAllowed` for any `alg` but
 * exactly "HS256".
 */
export function createHs256Check(key: Buffer): (token: string) => unknown {
  const secret: KeyObject = createSecretKey(key);
  const knownHeaders = new Set<string>();

  function checkHeader(segment: string): void {
    if (knownHeaders.has(segment)) return;
    let header: unknown;
    try {
      header = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    } catch {
      throw new TokenMalformed("the token header is not base64url-encoded JSON");
    }
    if (header === null || typeof header !== "object" || Array.isArray(header)) {
      throw new TokenMalformed("the token header is not a JSON object");
    }
    const h = header as Record<string, unknown>;
    if (h.alg !== "HS256") throw new AlgorithmNotAllowed();
    // no critical extension is understood here, so a token that names one is refused (RFC 7515 §4.1.11)
    if (h.crit !== undefined) throw new TokenMalformed("critical header extensions are not supported");
    if (knownHeaders.size < MAX_KNOWN_HEADERS) knownHeaders.add(segment);
  }

  return function check(token: string): unknown {
    if (!COMPACT_JWS.test(token)) throw new TokenMalformed();
    const firstDot = token.indexOf(".");
    const lastDot = token.lastIndexOf(".");
    const signature = token.slice(lastDot + 1);
    if (signature.length !== 43 || !CANONICAL_LAST.includes(signature[42]!)) throw new SignatureInvalid();
    checkHeader(token.slice(0, firstDot));

    const mac = createHmac("sha256", secret).update(token.slice(0, lastDot)).digest();
    if (!timingSafeEqual(mac, Buffer.from(signature, "base64url"))) throw new SignatureInvalid();

    try {
      return JSON.parse(Buffer.from(token.slice(firstDot + 1, lastDot), "base64url").toString("utf8"));
    } catch {
      throw new TokenMalformed("the token payload is not base64url-encoded JSON");
    }
  };
}
