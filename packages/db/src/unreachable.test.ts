import pg from "pg";
import { describe, expect, it } from "vitest";
import { freePort } from "./testing/free-port.ts";
import { isDatabaseUnreachable } from "./unreachable.ts";

describe("isDatabaseUnreachable", () => {
  it("knows a refused connection from node-postgres", async () => {
    const client = new pg.Client({ connectionString: `postgres://x@127.0.0.1:${await freePort()}/x` });
    const error = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDatabaseUnreachable(error)).toBe(true);
  });

  it("knows PostgreSQL's shutdown and connection SQLSTATEs, and nothing else", () => {
    const withCode = (code: string) => Object.assign(new Error("x"), { code });
    expect(isDatabaseUnreachable(withCode("57P01"))).toBe(true);
    expect(isDatabaseUnreachable(withCode("08006"))).toBe(true);
    expect(isDatabaseUnreachable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnreachable(withCode("23505"))).toBe(false); // unique violation: a real bug
    expect(isDatabaseUnreachable(withCode("42P01"))).toBe(false);
    expect(isDatabaseUnreachable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnreachable("ECONNREFUSED")).toBe(false);
  });
});
