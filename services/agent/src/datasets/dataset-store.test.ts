import { randomUUID } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { DatasetStore, type DatasetStoreOptions } from "./dataset-store.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A store on a fresh folder, its clock frozen, with an inspect that needs no DuckDB. */
function setup(options: Partial<DatasetStoreOptions> = {}) {
  const root = mkdtempSync(join(tmpdir(), "dataset-store-test-"));
  dirs.push(root);
  let clock = 1_000_000;
  const store = new DatasetStore({
    root,
    inspect: async () => ({ columns: [{ name: "a", type: "BIGINT" }], rowCount: 1 }),
    now: () => clock,
    ...options,
  });
  const upload = (userId: number, name: string) =>
    store.create(userId, { name, body: Readable.from([Buffer.from("a\n1\n")]), maxBytes: 1_000 });
  /** What another replica sharing the folder does: copies one of the user's datasets under a new name. */
  const addBehindTheStore = (userId: number, fromId: string, name: string) => {
    const dir = join(root, String(userId));
    const id = randomUUID();
    const meta = JSON.parse(readFileSync(join(dir, `${fromId}.meta.json`), "utf8"));
    copyFileSync(join(dir, `${fromId}.csv`), join(dir, `${id}.csv`));
    writeFileSync(join(dir, `${id}.meta.json`), JSON.stringify({ ...meta, id, name }));
  };
  const names = async (userId: number) => (await store.list(userId)).map((d) => d.name);
  return {
    root,
    store,
    upload,
    addBehindTheStore,
    names,
    tick: (ms: number) => {
      clock += ms;
    },
  };
}

describe("DatasetStore listing cache", () => {
  it("answers a second listing without reading the folder, until the listing is 2 s old", async () => {
    const { store, upload, addBehindTheStore, names, tick } = setup();
    const a = await upload(1, "a.csv");
    expect(await names(1)).toEqual(["a.csv"]);
    addBehindTheStore(1, a.id, "b.csv");
    expect(await names(1)).toEqual(["a.csv"]);
    tick(1_999);
    expect(await names(1)).toEqual(["a.csv"]);
    tick(1);
    expect(await names(1)).toEqual(["a.csv", "b.csv"]);
    // get() reads the metadata itself, so a dataset added elsewhere is found by id at once.
    expect((await store.get(1, a.id)).name).toBe("a.csv");
  });

  it("sees a folder removed behind its back only once the listing is old", async () => {
    const { root, upload, names, tick } = setup();
    await upload(7, "x.csv");
    expect(await names(7)).toEqual(["x.csv"]);
    rmSync(join(root, "7"), { recursive: true });
    expect(await names(7)).toEqual(["x.csv"]);
    tick(2_000);
    expect(await names(7)).toEqual([]);
  });

  it("drops the listing at once on upload and on delete through the store", async () => {
    const { store, upload, addBehindTheStore, names } = setup();
    const a = await upload(1, "a.csv");
    expect(await names(1)).toEqual(["a.csv"]);
    addBehindTheStore(1, a.id, "elsewhere.csv");
    const c = await upload(1, "c.csv");
    expect(await names(1)).toEqual(["a.csv", "c.csv", "elsewhere.csv"]);
    await store.remove(1, c.id);
    expect(await names(1)).toEqual(["a.csv", "elsewhere.csv"]);
    await store.remove(1, a.id);
    expect(await names(1)).toEqual(["elsewhere.csv"]);
  });

  it("checks a new upload's name against the folder, not the cached listing", async () => {
    const { store, upload, addBehindTheStore, names } = setup();
    const a = await upload(1, "a.csv");
    expect(await names(1)).toEqual(["a.csv"]);
    addBehindTheStore(1, a.id, "b.csv");
    await expect(upload(1, "b.csv")).rejects.toMatchObject({ code: "DATASET_NAME_TAKEN" });
    expect((await store.list(1)).map((d) => d.name)).toEqual(["a.csv"]);
  });

  it("keeps one user's listing apart from another's", async () => {
    const { upload, names } = setup();
    expect(await names(2)).toEqual([]);
    await upload(1, "a.csv");
    expect(await names(1)).toEqual(["a.csv"]);
    expect(await names(2)).toEqual([]);
  });

  it("keeps listings of at most listingMaxUsers users, dropping the oldest", async () => {
    const { upload, addBehindTheStore, names, tick } = setup({ listingMaxUsers: 2 });
    const a1 = await upload(1, "a.csv");
    const a2 = await upload(2, "a.csv");
    await names(1);
    tick(1);
    await names(2);
    tick(1);
    await names(3);
    addBehindTheStore(1, a1.id, "b.csv");
    addBehindTheStore(2, a2.id, "b.csv");
    expect(await names(2)).toEqual(["a.csv"]);
    expect(await names(1)).toEqual(["a.csv", "b.csv"]);
  });

  it("reads the folder every time with listingMaxAgeMs 0", async () => {
    const { upload, addBehindTheStore, names } = setup({ listingMaxAgeMs: 0 });
    const a = await upload(1, "a.csv");
    expect(await names(1)).toEqual(["a.csv"]);
    addBehindTheStore(1, a.id, "b.csv");
    expect(await names(1)).toEqual(["a.csv", "b.csv"]);
  });
});
