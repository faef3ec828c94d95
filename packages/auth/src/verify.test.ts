import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSigner } from "./sign.ts";
import { mintRaw } from "./testing.ts";
import { createVerifier } from "./verify.ts";

const SECRET = "Texera-Test-Secret-0123456789-ABCDEFGHIJ"; // mixed case on purpose: keys are lowercased
const KEY = SECRET.toLowerCase();
const NOW = new Date("2026-11-28T12:00:00Z");
const nowSec = NOW.getTime() / 1000;
const verify = createVerifier({ secret: SECRET, currentDate: () => NOW, cacheSize: 0 });
const claims = { sub: "alice", userId: 7, email: "a@example.org", role: "REGULAR", exp: nowSec + 600 };
const good = mintRaw({ alg: "HS256", typ: "JWT" }, claims, KEY);

function code(token: unknown): string {
  try {
    verify(token);
    return "accepted";
  } catch (error) {
    return (error as { code?: string }).code ?? `threw ${String(error)}`;
  }
}

describe("verify", () => {
  it("returns the claims of a valid token", () => {
    expect(verify(good)).toEqual(claims);
  });

  it("refuses other spellings of the same signature bytes (unused bits set), and a cut or padded one", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(good.at(-1)!);
    expect(last % 4).toBe(0); // the canonical spelling has the 2 unused bits at zero
    for (const unused of [1, 2, 3]) {
      const twin = good.slice(0, -1) + alphabet[last + unused];
      // the same 32 bytes: only the spelling differs
      expect(Buffer.from(twin.split(".")[2]!, "base64url")).toEqual(
        Buffer.from(good.split(".")[2]!, "base64url"),
      );
      expect(code(twin)).toBe("ERR_JWT_SIGNATURE_INVALID");
    }
    expect(code(good.slice(0, -1))).toBe("ERR_JWT_SIGNATURE_INVALID");
    expect(code(`${good}A`)).toBe("ERR_JWT_SIGNATURE_INVALID");
  });

  it("converts a numeric-string userId", () => {
    expect(verify(mintRaw({ alg: "HS256" }, { ...claims, userId: "42" }, KEY)).userId).toBe(42);
    expect(code(mintRaw({ alg: "HS256" }, { ...claims, userId: "4x2" }, KEY))).toBe("ERR_JWT_CLAIM_INVALID");
  });

  it("rejects a token signed with another secret", () => {
    expect(code(mintRaw({ alg: "HS256" }, claims, "another-secret-another-secret-another"))).toBe(
      "ERR_JWT_SIGNATURE_INVALID",
    );
  });

  it("rejects a token signed with the secret in its original case (keys are lowercased)", () => {
    expect(code(mintRaw({ alg: "HS256" }, claims, SECRET))).toBe("ERR_JWT_SIGNATURE_INVALID");
  });

  it("rejects a tampered payload", () => {
    const [h, , s] = good.split(".");
    const forged = Buffer.from(JSON.stringify({ ...claims, role: "ADMIN" })).toString("base64url");
    expect(code(`${h}.${forged}.${s}`)).toBe("ERR_JWT_SIGNATURE_INVALID");
  });

  it("rejects a tampered header", () => {
    const [, p, s] = good.split(".");
    const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT", kid: "x" })).toString("base64url");
    expect(code(`${header}.${p}.${s}`)).toBe("ERR_JWT_SIGNATURE_INVALID");
  });

  it("rejects a token expired beyond the 30 s skew", () => {
    expect(code(mintRaw({ alg: "HS256" }, { ...claims, exp: nowSec - 31 }, KEY))).toBe("ERR_JWT_EXPIRED");
  });

  it("accepts a token expired within the skew", () => {
    expect(code(mintRaw({ alg: "HS256" }, { ...claims, exp: nowSec - 29 }, KEY))).toBe("accepted");
  });

  it("rejects nbf in the future beyond the skew, accepts it within", () => {
    expect(code(mintRaw({ alg: "HS256" }, { ...claims, nbf: nowSec + 120 }, KEY))).toBe(
      "ERR_JWT_NOT_YET_VALID",
    );
    expect(code(mintRaw({ alg: "HS256" }, { ...claims, nbf: nowSec + 20 }, KEY))).toBe("accepted");
  });

  for (const alg of ["none", "None", "NONE", "HS512", "RS256", "hs256"]) {
    it(`rejects alg ${alg}`, () => {
      expect(code(mintRaw({ alg }, claims, KEY))).toBe("ERR_JWT_ALG_NOT_ALLOWED");
    });
  }

  it("rejects an unsigned alg none token with an empty signature", () => {
    const [h, p] = mintRaw({ alg: "none" }, claims, KEY).split(".");
    expect(code(`${h}.${p}.`)).toBe("ERR_JWT_MALFORMED");
  });

  for (const claim of ["exp", "sub", "userId", "role"]) {
    it(`rejects a token without ${claim}`, () => {
      const { [claim as keyof typeof claims]: _, ...rest } = claims;
      expect(code(mintRaw({ alg: "HS256" }, rest, KEY))).toBe("ERR_JWT_CLAIM_INVALID");
    });
  }

  it("rejects an unknown role and ill-typed claims", () => {
    expect(code(mintRaw({ alg: "HS256" }, { ...claims, role: "SUPERUSER" }, KEY))).toBe(
      "ERR_JWT_CLAIM_INVALID",
    );
    expect(code(mintRaw({ alg: "HS256" }, { ...claims, role: "regular" }, KEY))).toBe(
      "ERR_JWT_CLAIM_INVALID",
    );
    expect(code(mintRaw({ alg: "HS256" }, { ...claims, sub: "" }, KEY))).toBe("ERR_JWT_CLAIM_INVALID");
    expect(code(mintRaw({ alg: "HS256" }, { ...claims, exp: "soon" }, KEY))).toBe("ERR_JWT_CLAIM_INVALID");
    expect(code(mintRaw({ alg: "HS256" }, { ...claims, email: 3 }, KEY))).toBe("ERR_JWT_CLAIM_INVALID");
    expect(code(mintRaw({ alg: "HS256" }, [claims], KEY))).toMatch(/ERR_JWT_(CLAIM_INVALID|MALFORMED)/);
  });

  it("rejects two- and four-part tokens", () => {
    const [h, p, s] = good.split(".");
    expect(code(`${h}.${p}`)).toBe("ERR_JWT_MALFORMED");
    expect(code(`${h}.${p}.${s}.${s}`)).toBe("ERR_JWT_MALFORMED");
  });

  it("rejects empty and whitespace tokens and non-strings", () => {
    expect(code("")).toBe("ERR_JWT_MALFORMED");
    expect(code("   ")).toBe("ERR_JWT_MALFORMED");
    expect(code(` ${good}`)).toBe("ERR_JWT_MALFORMED");
    expect(code(undefined)).toBe("ERR_JWT_MALFORMED");
    expect(code(42)).toBe("ERR_JWT_MALFORMED");
  });

  it("rejects characters outside base64url", () => {
    expect(code(`${good.slice(0, 10)}+${good.slice(11)}`)).toBe("ERR_JWT_MALFORMED");
    expect(code(`${good}=`)).toBe("ERR_JWT_MALFORMED");
    expect(code(good.replace(".", ".\u00e9"))).toBe("ERR_JWT_MALFORMED");
  });

  it("rejects a 100 KiB token before parsing it", () => {
    const big = mintRaw({ alg: "HS256" }, { ...claims, pad: "x".repeat(100 * 1024) }, KEY);
    expect(code(big)).toBe("ERR_JWT_TOO_LARGE");
  });

  it("verifies a token minted the way Texera's JwtAuth mints it", () => {
    // Texera (jose4j): header {"alg":"HS256"} only, HMAC key = configured secret lowercased, UTF-8 bytes.
    const texera = mintRaw(
      { alg: "HS256" },
      { sub: "bob", userId: 3, googleId: null, email: "bob@example.org", role: "ADMIN", exp: nowSec + 60 },
      Buffer.from(KEY, "utf8"),
    );
    expect(verify(texera)).toMatchObject({ sub: "bob", userId: 3, role: "ADMIN" });
  });

  it("verifies what createSigner mints", () => {
    const sign = createSigner({ secret: SECRET, expiresInMinutes: 15, currentDate: () => NOW });
    const { token, claims: minted } = sign({ userName: "carol", userId: 9, role: "ADMIN" });
    expect(verify(token)).toEqual(minted);
    expect(minted.exp - nowSec).toBe(900);
  });
});

describe("verified-token cache", () => {
  it("re-checks expiry on every hit", () => {
    let now = NOW;
    const cached = createVerifier({ secret: SECRET, currentDate: () => now, cacheSize: 10 });
    const token = mintRaw({ alg: "HS256" }, { ...claims, exp: nowSec + 60 }, KEY);
    expect(cached(token).sub).toBe("alice");
    now = new Date(NOW.getTime() + 91_000);
    expect(() => cached(token)).toThrow(expect.objectContaining({ code: "ERR_JWT_EXPIRED" }));
  });

  it("never vouches for a different token", () => {
    const cached = createVerifier({ secret: SECRET, currentDate: () => NOW, cacheSize: 10 });
    expect(cached(good).sub).toBe("alice");
    expect(() => cached(`${good.slice(0, -2)}AA`)).toThrow(
      expect.objectContaining({ code: "ERR_JWT_SIGNATURE_INVALID" }),
    );
  });
});

describe("property: hostile input", () => {
  it("rejects random strings without throwing anything but a JwtError", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const c = code(s);
        return c.startsWith("ERR_JWT_");
      }),
      { numRuns: 2000 },
    );
  });

  it("rejects every byte mutation of a valid token", () => {
    const bytes = Buffer.from(good, "latin1");
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (pos, delta) => {
        const mutated = Buffer.from(bytes);
        mutated[pos] = (mutated[pos]! + delta) % 256;
        const token = mutated.toString("latin1");
        if (token === good) return true;
        return code(token).startsWith("ERR_JWT_");
      }),
      { numRuns: 3000 },
    );
  });
});
