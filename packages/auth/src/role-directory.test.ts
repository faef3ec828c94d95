import { describe, expect, it, vi } from "vitest";
import { type DirectoryEntry, type DirectorySource, RoleDirectory } from "./role-directory.ts";

/** An in-memory stand-in for the database, with a version counter and a switch to make it fail. */
function fakeSource(initial: DirectoryEntry[]) {
  let users = initial;
  let version = 1;
  const state = {
    failing: false,
    snapshots: 0,
    // a snapshot that resolves only when released, to interleave it with local writes
    hold: undefined as Promise<void> | undefined,
  };
  const source: DirectorySource = {
    async version() {
      if (state.failing) throw new Error("database down");
      return version;
    },
    async snapshot() {
      if (state.failing) throw new Error("database down");
      state.snapshots++;
      const taken = { version, users: users.map((u) => ({ ...u })) };
      await state.hold;
      return taken;
    },
  };
  const write = (next: DirectoryEntry[]) => {
    users = next;
    version++;
  };
  return { source, state, write };
}

const alice: DirectoryEntry = { id: 1, name: "alice", role: "REGULAR" };

function setup(options: { refreshMs?: number; maxStalenessMs?: number } = {}) {
  let now = 1_000_000;
  const fake = fakeSource([alice]);
  const health = vi.fn();
  const directory = new RoleDirectory({
    source: fake.source,
    refreshMs: options.refreshMs ?? 1000,
    maxStalenessMs: options.maxStalenessMs ?? 5000,
    now: () => now,
    onHealthChange: health,
  });
  return { directory, fake, health, advance: (ms: number) => (now += ms) };
}

// The directory copy that access-control (authorize) and agent-service (its guard) both keep.
describe("RoleDirectory", () => {
  it("answers the current role of a known user, by id and name", async () => {
    const { directory } = setup();
    await directory.refresh();
    expect(directory.lookup(1, "alice")).toBe("REGULAR");
    expect(directory.lookup(1, "mallory")).toBe("unknown");
    expect(directory.lookup(2, "alice")).toBe("unknown");
  });

  it("reloads only when the version moved", async () => {
    const { directory, fake } = setup();
    await directory.refresh();
    await directory.refresh();
    expect(fake.state.snapshots).toBe(1);
    fake.write([{ ...alice, role: "INACTIVE" }]);
    await directory.refresh();
    expect(fake.state.snapshots).toBe(2);
    expect(directory.lookup(1, "alice")).toBe("INACTIVE");
  });

  it("fails closed once no check has succeeded for maxStalenessMs", async () => {
    const { directory, fake, health, advance } = setup({ maxStalenessMs: 5000 });
    expect(directory.lookup(1, "alice")).toBe("stale"); // never loaded
    await directory.refresh();
    fake.state.failing = true;
    advance(4000);
    await expect(directory.refresh()).rejects.toThrow(/down/);
    expect(health).toHaveBeenCalledWith(false, expect.any(Error));
    expect(directory.lookup(1, "alice")).toBe("REGULAR");
    expect(directory.fresh).toBe(true);
    advance(1001);
    expect(directory.lookup(1, "alice")).toBe("stale");
    expect(directory.lookup(99, "nobody")).toBe("stale");
    expect(directory.fresh).toBe(false);
    fake.state.failing = false;
    await directory.refresh();
    expect(health).toHaveBeenLastCalledWith(true);
    expect(directory.lookup(1, "alice")).toBe("REGULAR");
  });

  it("applies its own writes at once, even over a snapshot that was in flight", async () => {
    const { directory, fake } = setup();
    await directory.refresh();
    let release!: () => void;
    fake.state.hold = new Promise((r) => {
      release = r;
    });
    fake.write([alice]); // another replica wrote: the next check reloads
    const inFlight = directory.refresh();
    await new Promise((r) => setImmediate(r));
    directory.apply({ ...alice, role: "INACTIVE" });
    expect(directory.lookup(1, "alice")).toBe("INACTIVE");
    release();
    await inFlight;
    expect(directory.lookup(1, "alice")).toBe("INACTIVE");
  });

  it("shares one check between concurrent callers", async () => {
    const { directory, fake } = setup();
    await Promise.all([directory.refresh(), directory.refresh(), directory.refresh()]);
    expect(fake.state.snapshots).toBe(1);
  });

  it("checks on its own every refreshMs once started", async () => {
    const fake = fakeSource([alice]);
    const directory = new RoleDirectory({ source: fake.source, refreshMs: 20, maxStalenessMs: 1000 });
    await directory.start();
    fake.write([{ ...alice, role: "ADMIN" }]);
    await vi.waitFor(() => expect(directory.lookup(1, "alice")).toBe("ADMIN"), {
      timeout: 1000,
      interval: 5,
    });
    directory.stop();
  });

  it("says when its first check failed, and keeps checking until it succeeds (or is stopped)", async () => {
    const fake = fakeSource([alice]);
    fake.state.failing = true;
    const health = vi.fn();
    const directory = new RoleDirectory({
      source: fake.source,
      refreshMs: 20,
      maxStalenessMs: 1000,
      onHealthChange: health,
    });
    await expect(directory.start()).rejects.toThrow(/down/);
    expect(health).toHaveBeenCalledWith(false, expect.any(Error));
    expect(directory.lookup(1, "alice")).toBe("stale");
    fake.state.failing = false;
    await vi.waitFor(() => expect(directory.lookup(1, "alice")).toBe("REGULAR"), {
      timeout: 1000,
      interval: 5,
    });
    expect(health).toHaveBeenLastCalledWith(true);
    directory.stop();
    const snapshots = fake.state.snapshots;
    fake.write([{ ...alice, role: "ADMIN" }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.state.snapshots).toBe(snapshots);
  });

  it("refuses inconsistent options", () => {
    const { source } = fakeSource([]);
    expect(() => new RoleDirectory({ source, refreshMs: 0, maxStalenessMs: 10 })).toThrow(TypeError);
    expect(() => new RoleDirectory({ source, refreshMs: 100, maxStalenessMs: 10 })).toThrow(TypeError);
  });
});
