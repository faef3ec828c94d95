import { describe, expect, it } from "vitest";
import { LoginLimiter, SlidingWindowLimiter } from "./login-limiter.ts";

describe("SlidingWindowLimiter", () => {
  it("refuses after `limit` failures until the oldest leaves the window", () => {
    const limiter = new SlidingWindowLimiter(3, 1000);
    limiter.fail("k", 0);
    limiter.fail("k", 100);
    expect(limiter.retryAfterMs("k", 200)).toBe(0);
    limiter.fail("k", 200);
    expect(limiter.retryAfterMs("k", 300)).toBe(700);
    expect(limiter.retryAfterMs("k", 999)).toBe(1);
    expect(limiter.retryAfterMs("k", 1000)).toBe(0); // the failure at 0 has left the window
    expect(limiter.retryAfterMs("other", 300)).toBe(0);
  });

  it("slides: each old failure that leaves frees one attempt", () => {
    const limiter = new SlidingWindowLimiter(2, 1000);
    limiter.fail("k", 0);
    limiter.fail("k", 500);
    expect(limiter.retryAfterMs("k", 999)).toBe(1);
    expect(limiter.retryAfterMs("k", 1000)).toBe(0);
    limiter.fail("k", 1000);
    expect(limiter.retryAfterMs("k", 1001)).toBe(499);
  });

  it("forgets on reset and keeps at most maxKeys keys", () => {
    const limiter = new SlidingWindowLimiter(1, 1000, 2);
    limiter.fail("a", 0);
    limiter.reset("a");
    expect(limiter.retryAfterMs("a", 1)).toBe(0);
    limiter.fail("a", 0);
    limiter.fail("b", 0);
    limiter.fail("c", 0);
    expect(limiter.retryAfterMs("a", 1)).toBe(0); // evicted
    expect(limiter.retryAfterMs("c", 1)).toBe(999);
  });
});

describe("LoginLimiter", () => {
  it("counts names in any letter case and answers whole seconds", () => {
    const limiter = new LoginLimiter({ windowMs: 10_000, perName: 1, perAddress: 100 });
    limiter.failed("Alice", "1.1.1.1", 0);
    expect(limiter.retryAfterSeconds("alice", "2.2.2.2", 1)).toBe(10);
    expect(limiter.retryAfterSeconds("alice", "2.2.2.2", 9_999)).toBe(1);
    limiter.succeeded("ALICE");
    expect(limiter.retryAfterSeconds("alice", "2.2.2.2", 2)).toBe(0);
  });
});
