import { describe, expect, it } from "vitest";
import type { UserClaims } from "./claims.ts";
import { VerifiedTokenCache } from "./verified-token-cache.ts";

const claims = (sub: string): UserClaims => ({ sub, userId: 1, role: "REGULAR", exp: 4e9 });

describe("VerifiedTokenCache", () => {
  it("holds at most its capacity, keeping recently used tokens", () => {
    const cache = new VerifiedTokenCache(4);
    for (const t of ["a", "b", "c", "d", "e", "f"]) cache.set(t, claims(t));
    expect(cache.size).toBeLessThanOrEqual(4);
    // generations of 2: {e, f} young, {c, d} old; a and b are gone
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("c")?.sub).toBe("c"); // old → young: {c}, {e, f}
    cache.set("g", claims("g")); // young full? no: {c, g}, {e, f}
    cache.set("h", claims("h")); // {h}, {c, g}: e, f dropped
    expect(cache.get("c")?.sub).toBe("c");
    expect(cache.get("e")).toBeUndefined();
    expect(cache.size).toBeLessThanOrEqual(4);
  });

  it("caches nothing below a capacity of 2", () => {
    const cache = new VerifiedTokenCache(1);
    cache.set("a", claims("a"));
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe("VerifiedTokenCache.offer (doorkeeper)", () => {
  const token = (i: number) => `header.payload.${i.toString(36).padStart(16, "x")}`;

  it("keeps a token from its second offer on, by its exact bytes", () => {
    const cache = new VerifiedTokenCache(100);
    cache.offer(token(1), claims("a"));
    expect(cache.get(token(1))).toBeUndefined();
    cache.offer(token(1), claims("a"));
    expect(cache.get(token(1))?.sub).toBe("a");
    expect(cache.get(`${token(1)}x`)).toBeUndefined();
  });

  it("does not fill the maps with tokens offered once", () => {
    const cache = new VerifiedTokenCache(1000);
    for (let i = 0; i < 5000; i++) cache.offer(token(i), claims(String(i)));
    // only doorkeeper false positives (same fingerprint bit) get in: a few percent at most
    expect(cache.size).toBeLessThan(250);
  });

  it("forgets first offers after a window of capacity / 2 offers", () => {
    const cache = new VerifiedTokenCache(20);
    cache.offer(token(0), claims("0"));
    for (let i = 1; i <= 10; i++) cache.offer(token(1000 + i), claims("other"));
    cache.offer(token(0), claims("0")); // the window was reset: a first offer again
    expect(cache.get(token(0))).toBeUndefined();
  });

  it("caches nothing below a capacity of 2", () => {
    const cache = new VerifiedTokenCache(1);
    cache.offer("a", claims("a"));
    cache.offer("a", claims("a"));
    expect(cache.size).toBe(0);
  });
});
