import { describe, expect, it } from "vitest";
import { classifyFailure, createUpstreamPool } from "./upstream-pool.ts";

const urls = ["http://10.0.0.1:3001", "http://10.0.0.2:3001", "http://10.0.0.3:3001"].map((u) => new URL(u));

function pool(count = 3) {
  const clock = { now: 1_000 };
  const p = createUpstreamPool("agent-service", urls.slice(0, count), {
    failTimeoutMs: 5000,
    now: () => clock.now,
  });
  const hosts = () => p.order().map((r) => r.url.hostname.slice(-1));
  return { p, clock, hosts };
}

describe("createUpstreamPool", () => {
  it("starts each request on the next replica, the others after it as retries", () => {
    const { hosts } = pool();
    expect([hosts(), hosts(), hosts(), hosts()]).toEqual([
      ["1", "2", "3"],
      ["2", "3", "1"],
      ["3", "1", "2"],
      ["1", "2", "3"],
    ]);
  });

  it("keeps one keep-alive agent per replica", () => {
    const { p } = pool();
    expect(new Set(p.replicas.map((r) => r.agent)).size).toBe(3);
    expect(p.replicas.every((r) => r.name === "agent-service")).toBe(true);
  });

  it("skips a replica marked down, shares evenly between the rest, and tries it last", () => {
    const { p, hosts } = pool();
    p.markDown(p.replicas[0]!);
    const firsts = Array.from({ length: 6 }, () => hosts());
    expect(firsts.map((o) => o[0])).toEqual(["2", "3", "2", "3", "2", "3"]);
    expect(firsts.every((o) => o[2] === "1")).toBe(true);
  });

  it("takes a replica back once fail_timeout has passed", () => {
    const { p, clock, hosts } = pool(2);
    p.markDown(p.replicas[0]!);
    clock.now += 4_999;
    expect(p.isDown(p.replicas[0]!)).toBe(true);
    expect([hosts()[0], hosts()[0]]).toEqual(["2", "2"]);
    clock.now += 1;
    expect(p.isDown(p.replicas[0]!)).toBe(false);
    expect([hosts()[0], hosts()[0]].sort()).toEqual(["1", "2"]);
  });

  it("tries every replica, round-robin, when all are down", () => {
    const { p, hosts } = pool();
    for (const r of p.replicas) p.markDown(r);
    expect([hosts(), hosts()]).toEqual([
      ["1", "2", "3"],
      ["2", "3", "1"],
    ]);
  });

  it("refuses an empty list", () => {
    expect(() => createUpstreamPool("agent-service", [], { failTimeoutMs: 1 })).toThrow(/at least one/);
  });
});

describe("classifyFailure", () => {
  const error = (code: string) => Object.assign(new Error(code), { code });
  it("marks refused, timed-out and unreachable connects down", () => {
    for (const code of ["ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]) {
      expect(classifyFailure(error(code), false)).toBe("down");
    }
  });
  it("treats a reset on a reused keep-alive connection as stale, on a fresh one as down", () => {
    expect(classifyFailure(error("ECONNRESET"), true)).toBe("stale");
    expect(classifyFailure(error("ECONNRESET"), false)).toBe("down");
  });
  it("leaves other errors alone", () => {
    expect(classifyFailure(error("ERR_INVALID_CHAR"), false)).toBe("other");
    expect(classifyFailure(new Error("no code"), false)).toBe("other");
  });
});
