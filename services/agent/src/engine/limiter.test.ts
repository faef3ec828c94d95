import { describe, expect, it } from "vitest";
import { Limiter, QueueFull } from "./limiter.ts";

const never = new AbortController().signal;
const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, 0));
  return done;
};

describe("Limiter", () => {
  it("keeps a slot for another owner while one owner is at its share", async () => {
    const limiter = new Limiter(2, 1);
    const heavy = await limiter.acquire(never, "alice");
    const aliceAgain = limiter.acquire(never, "alice");
    expect(await settled(aliceAgain)).toBe(false);
    // bob is not behind alice's second execution: he gets the free slot at once.
    const bob = limiter.acquire(never, "bob");
    expect(await settled(bob)).toBe(true);
    expect(limiter.holders("alice")).toBe(1);
    heavy();
    expect(await settled(aliceAgain)).toBe(true);
    (await bob)();
    (await aliceAgain)();
    expect(limiter.holders()).toBe(0);
  });

  it("serves waiters in order among the owners under their share", async () => {
    const limiter = new Limiter(2, 2);
    const [a1, a2] = [await limiter.acquire(never, "a"), await limiter.acquire(never, "a")];
    const order: string[] = [];
    const noted = (owner: string) =>
      limiter.acquire(never, owner).then((release) => {
        order.push(owner);
        return release;
      });
    const b = noted("b");
    const c = noted("c");
    a1();
    await b;
    expect(order).toEqual(["b"]);
    a2();
    await c;
    expect(order).toEqual(["b", "c"]);
  });

  it("refuses an owner with too many waiting, and a waiter that gives up leaves the queue", async () => {
    const limiter = new Limiter(1, 1, 1);
    const held = await limiter.acquire(never, "a");
    const stop = new AbortController();
    const waiting = limiter.acquire(stop.signal, "a");
    await expect(limiter.acquire(never, "a")).rejects.toBeInstanceOf(QueueFull);
    stop.abort(new Error("gave up"));
    await expect(waiting).rejects.toThrow("gave up");
    const next = limiter.acquire(never, "a");
    held();
    (await next)();
    expect(limiter.holders()).toBe(0);
  });
});
