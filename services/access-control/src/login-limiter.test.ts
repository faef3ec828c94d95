import { describe, expect, it } from "vitest";
import {
  type LoginAdmission,
  type LoginAttemptSlot,
  LoginLimiter,
  SlidingWindowLimiter,
} from "./login-limiter.ts";

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

  it("takes back one released attempt", () => {
    const limiter = new SlidingWindowLimiter(2, 1000);
    limiter.fail("k", 5);
    limiter.fail("k", 6);
    expect(limiter.retryAfterMs("k", 7)).toBe(998);
    limiter.release("k", 6);
    expect(limiter.retryAfterMs("k", 7)).toBe(0);
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
  const limits = {
    windowMs: 10_000,
    perNameAndAddress: 2,
    perAddress: 5,
    slowAfterPerName: 3,
    slowDelayMs: 700,
  };
  const admitted = (a: LoginAdmission): LoginAttemptSlot => {
    if ("retryAfterSeconds" in a) throw new Error(`refused for ${a.retryAfterSeconds} s`);
    return a;
  };

  it("counts an attempt from the moment it is admitted, so parallel attempts cannot all pass", () => {
    const limiter = new LoginLimiter(limits);
    // two admitted and still in flight (no result yet): the third is refused at once
    admitted(limiter.admit("alice", "1.1.1.1", 0));
    admitted(limiter.admit("alice", "1.1.1.1", 0));
    expect(limiter.admit("alice", "1.1.1.1", 1)).toEqual({ retryAfterSeconds: 10 });
  });

  it("takes back a reservation that succeeded or was abandoned, and clears the pair on success", () => {
    const limiter = new LoginLimiter(limits);
    admitted(limiter.admit("alice", "1.1.1.1", 0)).failed(1);
    admitted(limiter.admit("alice", "1.1.1.1", 0)).abandoned();
    admitted(limiter.admit("alice", "1.1.1.1", 0)).succeeded();
    admitted(limiter.admit("alice", "1.1.1.1", 2)).failed(2);
    admitted(limiter.admit("alice", "1.1.1.1", 3)).failed(3);
    expect(limiter.admit("alice", "1.1.1.1", 4)).toEqual({ retryAfterSeconds: 10 });
  });

  it("refuses per name and address in any letter case, never the same name from another address", () => {
    const limiter = new LoginLimiter(limits);
    admitted(limiter.admit("Alice", "6.6.6.6", 0)).failed(0);
    admitted(limiter.admit("ALICE", "6.6.6.6", 0)).failed(0);
    expect(limiter.admit("alice", "6.6.6.6", 9_999)).toEqual({ retryAfterSeconds: 1 });
    // the attacker's address is refused; alice's own address is not
    const own = admitted(limiter.admit("alice", "2.2.2.2", 1));
    own.succeeded();
    expect("retryAfterSeconds" in limiter.admit("alice", "6.6.6.6", 10_000)).toBe(false);
  });

  it("refuses per address across names", () => {
    const limiter = new LoginLimiter(limits);
    for (let i = 0; i < 5; i++) admitted(limiter.admit(`user${i}`, "6.6.6.6", 0)).failed(0);
    expect(limiter.admit("someone-else", "6.6.6.6", 1)).toEqual({ retryAfterSeconds: 10 });
    expect("retryAfterSeconds" in limiter.admit("someone-else", "7.7.7.7", 1)).toBe(false);
  });

  it("only slows a name that failed from many addresses, and never refuses it", () => {
    const limiter = new LoginLimiter(limits);
    for (let i = 0; i < 3; i++) {
      const slot = admitted(limiter.admit("alice", `6.6.6.${i}`, 0));
      expect(slot.slowDownMs).toBe(0);
      slot.failed(0);
    }
    const fromHome = admitted(limiter.admit("alice", "2.2.2.2", 1));
    expect(fromHome.slowDownMs).toBe(700);
    fromHome.succeeded();
    // the window passes: no longer slowed
    expect(admitted(limiter.admit("alice", "2.2.2.2", 10_001)).slowDownMs).toBe(0);
  });
});
