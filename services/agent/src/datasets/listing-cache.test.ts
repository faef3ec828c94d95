import { describe, expect, it } from "vitest";
import { ListingCache } from "./listing-cache.ts";

function setup(options: { maxAgeMs?: number; maxEntries?: number } = {}) {
  let clock = 1_000;
  const cache = new ListingCache<string, string[]>({
    maxAgeMs: options.maxAgeMs ?? 2_000,
    maxEntries: options.maxEntries ?? 10,
    now: () => clock,
  });
  const reads: string[] = [];
  const read = (key: string, value = [`${key}@${clock}`]) => {
    return () => {
      reads.push(key);
      return Promise.resolve(value);
    };
  };
  return {
    cache,
    reads,
    read,
    tick: (ms: number) => {
      clock += ms;
    },
  };
}

describe("ListingCache", () => {
  it("reuses a listing until it is maxAgeMs old, then reads again", async () => {
    const { cache, reads, read, tick } = setup();
    expect(await cache.get("a", read("a"))).toEqual(["a@1000"]);
    tick(1_999);
    expect(await cache.get("a", read("a"))).toEqual(["a@1000"]);
    expect(reads).toEqual(["a"]);
    tick(1);
    expect(await cache.get("a", read("a"))).toEqual(["a@3000"]);
    expect(reads).toEqual(["a", "a"]);
  });

  it("keeps one listing per key", async () => {
    const { cache, reads, read } = setup();
    await cache.get("a", read("a"));
    expect(await cache.get("b", read("b"))).toEqual(["b@1000"]);
    await cache.get("a", read("a"));
    expect(reads).toEqual(["a", "b"]);
  });

  it("shares one read between concurrent callers", async () => {
    const { cache } = setup();
    let reads = 0;
    let finish!: (v: string[]) => void;
    const slow = () => {
      reads++;
      return new Promise<string[]>((resolve) => {
        finish = resolve;
      });
    };
    const both = Promise.all([cache.get("a", slow), cache.get("a", slow)]);
    finish(["x"]);
    expect(await both).toEqual([["x"], ["x"]]);
    expect(reads).toBe(1);
  });

  it("reads again at once after invalidate, even when a read was under way", async () => {
    const { cache, reads, read } = setup();
    let finish!: (v: string[]) => void;
    const pending = cache.get("a", () => new Promise<string[]>((resolve) => (finish = resolve)));
    cache.invalidate("a");
    finish(["before the change"]);
    expect(await pending).toEqual(["before the change"]);
    expect(await cache.get("a", read("a", ["after"]))).toEqual(["after"]);
    expect(await cache.get("a", read("a", ["again"]))).toEqual(["after"]);
    expect(reads).toEqual(["a"]);
  });

  it("does not keep a failed read", async () => {
    const { cache, read } = setup();
    await expect(cache.get("a", () => Promise.reject(new Error("EIO")))).rejects.toThrow("EIO");
    expect(cache.size).toBe(0);
    expect(await cache.get("a", read("a", ["ok"]))).toEqual(["ok"]);
  });

  it("keeps at most maxEntries keys, dropping the one read longest ago", async () => {
    const { cache, reads, read, tick } = setup({ maxEntries: 2 });
    await cache.get("a", read("a"));
    tick(1);
    await cache.get("b", read("b"));
    tick(1);
    await cache.get("c", read("c"));
    expect(cache.size).toBe(2);
    await cache.get("b", read("b"));
    await cache.get("c", read("c"));
    expect(reads).toEqual(["a", "b", "c"]);
    await cache.get("a", read("a"));
    expect(reads).toEqual(["a", "b", "c", "a"]);
    expect(cache.size).toBe(2);
  });

  it("with maxAgeMs 0 reads every time", async () => {
    const { cache, reads, read } = setup({ maxAgeMs: 0 });
    await cache.get("a", read("a"));
    await cache.get("a", read("a"));
    expect(reads).toEqual(["a", "a"]);
  });

  it("refuses bad options", () => {
    expect(() => new ListingCache({ maxAgeMs: -1, maxEntries: 1 })).toThrow(TypeError);
    expect(() => new ListingCache({ maxAgeMs: 1, maxEntries: 0 })).toThrow(TypeError);
  });
});
