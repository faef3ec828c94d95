import { createVerifier, type TokenVerifier, type UserClaims } from "@texera-agent/auth";
import { describe, expect, it, vi } from "vitest";
import { mint, SECRET } from "./test-support.ts";
import { withTokenCache } from "./token-cache.ts";

function counting(verify: TokenVerifier) {
  const calls = vi.fn(verify);
  return calls;
}

describe("withTokenCache", () => {
  it("answers a repeated token from the cache, the very same claims", () => {
    const inner = counting(createVerifier({ secret: SECRET, cacheSize: 0 }));
    const verify = withTokenCache(inner, { capacity: 100 });
    const token = mint("REGULAR", { userId: 3, name: "c" });
    const first = verify(token);
    expect(verify(token)).toBe(first);
    expect(verify(token)).toBe(first);
    expect(inner).toHaveBeenCalledTimes(1);
  });

  it("never caches refusals, and a different token never hits", () => {
    const inner = counting(createVerifier({ secret: SECRET, cacheSize: 0 }));
    const verify = withTokenCache(inner, { capacity: 100 });
    const token = mint("REGULAR");
    verify(token);
    const tampered = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    expect(() => verify(tampered)).toThrow(/signature/);
    expect(() => verify(tampered)).toThrow(/signature/);
    expect(() => verify(undefined)).toThrow();
    expect(inner).toHaveBeenCalledTimes(4);
  });

  it("hands an expired cached token back to the verifier, which refuses it", () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const clock = () => new Date(now);
    const inner = counting(createVerifier({ secret: SECRET, cacheSize: 0, currentDate: clock }));
    const verify = withTokenCache(inner, { capacity: 100, now: () => now });
    const token = mint("REGULAR", { now: clock, minutes: 1 });
    verify(token);
    now += 60_000 + 29_000; // within the 30 s tolerance: still a hit
    verify(token);
    expect(inner).toHaveBeenCalledTimes(1);
    now += 2_000;
    expect(() => verify(token)).toThrow(/expired/);
    expect(inner).toHaveBeenCalledTimes(2);
  });

  it("hands a cached token whose nbf lies ahead back to the verifier", () => {
    const now = 1_900_000_000_000;
    const claims: UserClaims = {
      sub: "n",
      userId: 1,
      role: "REGULAR",
      exp: now / 1000 + 600,
      nbf: now / 1000 + 100,
    };
    const inner = vi.fn(() => claims);
    const verify = withTokenCache(inner, { capacity: 10, now: () => now });
    verify("t");
    verify("t");
    expect(inner).toHaveBeenCalledTimes(2);
  });

  it("holds at most `capacity` tokens, keeping recently used ones", () => {
    const inner = vi.fn(
      (token: unknown): UserClaims => ({ sub: String(token), userId: 1, role: "REGULAR", exp: 4e9 }),
    );
    const verify = withTokenCache(inner, { capacity: 4 });
    for (const t of ["a", "b", "c", "d", "e", "f"]) verify(t);
    expect(inner).toHaveBeenCalledTimes(6);
    // generations of 2: {e, f} young, {c, d} old; a and b are gone
    verify("c"); // old -> young: generations become {c}, {e, f}
    verify("f");
    expect(inner).toHaveBeenCalledTimes(6);
    verify("a");
    expect(inner).toHaveBeenCalledTimes(7);
  });

  it("is no cache at all below a capacity of 2", () => {
    const inner = vi.fn((): UserClaims => ({ sub: "x", userId: 1, role: "REGULAR", exp: 4e9 }));
    const verify = withTokenCache(inner, { capacity: 1 });
    verify("t");
    verify("t");
    expect(inner).toHaveBeenCalledTimes(2);
  });
});
