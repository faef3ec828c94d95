// The cluster link's failures on a live connection: a failed NOTIFY is reported (and the link stays up), a
// failed unlock is reported and recycles the link, so that PostgreSQL drops the lock it could not let go.
import { createTestDatabase } from "@texera-agent/db/testing";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ClusterLink, type LinkEvents } from "./cluster-link.ts";

const PG = process.env.TEST_POSTGRES_URL;

type Seen = { failed: [string, string][]; down: number; up: number; messages: string[] };

function openLink(url: string, pack: (records: readonly string[]) => string[] = (r) => [...r]) {
  const seen: Seen = { failed: [], down: 0, up: 0, messages: [] };
  let upResolve: () => void = () => {};
  const events: LinkEvents = {
    message: (p) => seen.messages.push(p),
    down: () => seen.down++,
    up: () => {
      seen.up++;
      upResolve();
    },
    failed: (kind, error) => seen.failed.push([kind, error.message]),
  };
  const link = new ClusterLink({
    url,
    channel: "link_test",
    events,
    pack,
    minBackoffMs: 20,
    maxBackoffMs: 50,
  });
  const backUp = () => new Promise<void>((resolve) => (upResolve = resolve));
  return { link, seen, backUp };
}

const until = async (check: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.skipIf(!PG)("cluster link failures (PostgreSQL)", () => {
  let url: string;
  let other: pg.Client;
  const links: ClusterLink[] = [];

  beforeAll(async () => {
    url = await createTestDatabase(PG!, "clusterlink");
    other = new pg.Client({ connectionString: url });
    await other.connect();
  });
  afterEach(async () => {
    await Promise.all(links.splice(0).map((l) => l.close()));
  });
  afterAll(async () => {
    await other?.end();
  });

  it("reports a NOTIFY PostgreSQL refuses and keeps the link up", async () => {
    // pg_notify refuses payloads of 8,000 bytes or more: the packer normally keeps under that; this one does not
    const { link, seen } = openLink(url, (records) => records.map((r) => r.repeat(9_000)));
    links.push(link);
    await link.start();
    link.publish("x");
    await until(() => seen.failed.length > 0);
    expect(seen.failed[0]?.[0]).toBe("notify");
    expect(seen.failed[0]?.[1]).toMatch(/too long/i);
    expect(seen.down).toBe(0);
    expect(link.isUp).toBe(true);
  });

  it("reports a failed unlock and recycles the link, so the lock it held is dropped", async () => {
    const { link, seen, backUp } = openLink(url);
    links.push(link);
    await link.start();
    const key = "4242424242";
    const lock = await link.tryLock(key);
    expect(lock).toBeDefined();
    const heldElsewhere = async () =>
      !(await other.query<{ ok: boolean }>("select pg_try_advisory_lock($1::bigint) as ok", [key])).rows[0]
        ?.ok;
    expect(await heldElsewhere()).toBe(true);

    const up = backUp();
    // a key PostgreSQL cannot read as a bigint: the unlock statement fails on a live connection
    link.unlock({ key: "not-a-number", connection: lock!.connection });
    await until(() => seen.failed.length > 0);
    expect(seen.failed[0]?.[0]).toBe("unlock");
    expect(seen.down).toBe(1);
    // the session that held the lock ends: another session can take it (and lets it go again)
    const end = Date.now() + 5_000;
    while ((await heldElsewhere()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(await heldElsewhere()).toBe(false);
    await other.query("select pg_advisory_unlock($1::bigint)", [key]);
    await up;
    expect(link.isUp).toBe(true);
  });
});
