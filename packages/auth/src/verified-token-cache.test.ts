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
