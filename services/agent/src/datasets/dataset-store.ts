import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { ColumnSchema, Dataset, DatasetFormat } from "../engine/protocol.ts";
import { EXTENSION, formatFromName, nameProblem, unsupportedFileText } from "./dataset-names.ts";
import { DatasetError, datasetBodyError, datasetNotFound } from "./errors.ts";
import { ListingCache } from "./listing-cache.ts";
import { loadSamples, type SampleSet } from "./samples.ts";
import { BodyError, writeLimited } from "./write-limited.ts";

/** A dataset with where it lives; `ownerId` null for a sample. Never sent out as is (see toDataset). */
export interface DatasetRecord extends Dataset {
  ownerId: number | null;
  path: string;
  modifiedMs: number;
}

/** What DuckDB found in a file: its columns and how many rows it has. */
export type Inspect = (
  path: string,
  format: DatasetFormat,
) => Promise<{ columns: ColumnSchema[]; rowCount: number }>;

export interface DatasetStoreOptions {
  /** Folder of every user's datasets: `<root>/<userId>/<datasetId>.<ext>` plus `<datasetId>.meta.json` metadata. */
  root: string;
  /** Folder of the read-only samples every user sees; none when undefined. */
  samplesDir?: string;
  inspect: Inspect;
  /** Most datasets one user may keep. */
  maxPerUser?: number;
  /** How long a user's listing is reused (see DatasetStore.list); default 2 s, 0 to always read the folder. */
  listingMaxAgeMs?: number;
  /** Most users whose listing is kept at once; default 1,000 (the one read longest ago goes first). */
  listingMaxUsers?: number;
  /** The clock of the listing cache (tests freeze it). */
  now?: () => number;
}

export interface CreateDatasetInput {
  name: string;
  format?: DatasetFormat;
  body: Readable;
  maxBytes: number;
  /** Aborts reading the body (the upload's time bounds): the upload fails with the signal's reason. */
  signal?: AbortSignal;
}

/** The metadata file beside each dataset file (never a dataset extension). */
const META = ".meta.json";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Users' datasets on disk, each file beside a JSON metadata file (so data and metadata are written,
 * listed and deleted together, with no database rows that can point at a missing file). A user only
 * ever reaches the files under their own folder, plus the samples.
 */
export class DatasetStore {
  private readonly samples: SampleSet;
  private readonly locks = new Map<number, Promise<unknown>>();
  private readonly listings: ListingCache<number, DatasetRecord[]>;

  constructor(private readonly options: DatasetStoreOptions) {
    this.samples = loadSamples(options.samplesDir, options.inspect);
    this.listings = new ListingCache({
      maxAgeMs: options.listingMaxAgeMs ?? 2_000,
      maxEntries: options.listingMaxUsers ?? 1_000,
      now: options.now,
    });
  }

  /** The root folder, resolved (DuckDB compares real paths against its allowed folders). */
  async realRoot(): Promise<string> {
    await mkdir(this.options.root, { recursive: true });
    return realpath(this.options.root);
  }

  /**
   * The user's datasets by name, then the samples whose names the user has not taken.
   *
   * Read on every model turn, so the user's folder listing is reused for up to `listingMaxAgeMs` (2 s).
   * An upload or delete through this store drops it at once. Several agent-service replicas may share
   * DATA_DIR, though, and a change made by another replica is only seen once the listing is that old:
   * a listing up to 2 s stale is accepted (a dataset deleted elsewhere then fails its scan as "file not
   * found"; one uploaded elsewhere shows up on a later turn). Name checks on upload always read the folder.
   */
  async list(userId: number): Promise<DatasetRecord[]> {
    const own = await this.listings.get(userId, () => this.own(userId));
    const names = new Set(own.map((d) => d.name));
    const samples = (await this.samples.all()).filter((s) => !names.has(s.name));
    return [...own, ...samples];
  }

  /** One of the user's datasets or a sample; anything else (another user's included) is "not found". */
  async get(userId: number, id: string): Promise<DatasetRecord> {
    if (UUID.test(id)) {
      const found = await this.readRecord(userId, id);
      if (found) return found;
    } else {
      const sample = (await this.samples.all()).find((s) => s.id === id);
      if (sample) return sample;
    }
    throw datasetNotFound(id);
  }

  async remove(userId: number, id: string): Promise<void> {
    const record = await this.get(userId, id);
    if (record.ownerId === null) {
      throw new DatasetError(
        "DATASET_READ_ONLY",
        `${record.name} is a sample dataset; samples cannot be deleted`,
      );
    }
    await this.exclusive(userId, async () => {
      const dir = this.userDir(userId);
      try {
        await rm(join(dir, `${id}${META}`), { force: true });
        await rm(record.path, { force: true });
      } finally {
        this.listings.invalidate(userId);
      }
    });
  }

  /**
   * Streams the body to disk (never more than maxBytes: the stream is cut and the upload refused), has
   * DuckDB read it to learn its columns and row count, then publishes it under its name.
   */
  async create(userId: number, input: CreateDatasetInput): Promise<DatasetRecord> {
    const problem = nameProblem(input.name);
    if (problem) throw new DatasetError("DATASET_INVALID", problem);
    const format = input.format ?? formatFromName(input.name);
    if (!format) throw new DatasetError("DATASET_UNSUPPORTED_MEDIA", unsupportedFileText(input.name));
    await this.checkNameFree(userId, input.name);
    const dir = this.userDir(userId);
    await mkdir(dir, { recursive: true });
    const id = randomUUID();
    const part = join(await realpath(dir), `.upload-${id}.part`);
    try {
      let size: number;
      try {
        size = await writeLimited(input.body, part, input.maxBytes, input.signal);
      } catch (error) {
        if (error instanceof BodyError) throw datasetBodyError(error, input.maxBytes);
        throw error;
      }
      if (size === 0) throw new DatasetError("DATASET_INVALID", "the uploaded file is empty");
      if (format !== "parquet" && (await looksBinary(part))) {
        throw new DatasetError(
          "DATASET_UNSUPPORTED_MEDIA",
          `${JSON.stringify(input.name)} is not a text file, so it cannot be ${format.toUpperCase()}: upload the data as CSV, Parquet or JSON`,
        );
      }
      const inspected = await this.inspectUpload(part, format, input.name);
      // DuckDB reads almost any text as a CSV of one column; a file without a single row is not data.
      if (inspected.rowCount === 0) {
        throw new DatasetError(
          "DATASET_INVALID",
          `${JSON.stringify(input.name)} has no rows as ${format.toUpperCase()}${format === "csv" ? " (a header line, then one line per row)" : ""}: upload a file with data in it`,
        );
      }
      return await this.exclusive(userId, async () => {
        await this.checkNameFree(userId, input.name);
        const path = join(await realpath(dir), `${id}.${EXTENSION[format]}`);
        await rename(part, path);
        const record: DatasetRecord = {
          id,
          name: input.name,
          format,
          sizeBytes: size,
          rowCount: inspected.rowCount,
          columns: inspected.columns,
          createdAt: new Date().toISOString(),
          sample: false,
          ownerId: userId,
          path,
          modifiedMs: (await stat(path)).mtimeMs,
        };
        const { path: _p, modifiedMs: _m, ...meta } = record;
        await writeFile(join(dir, `.${id}${META}.tmp`), JSON.stringify(meta));
        await rename(join(dir, `.${id}${META}.tmp`), join(dir, `${id}${META}`));
        this.listings.invalidate(userId);
        return record;
      });
    } finally {
      await rm(part, { force: true });
    }
  }

  private async inspectUpload(path: string, format: DatasetFormat, name: string) {
    try {
      return await this.options.inspect(path, format);
    } catch (error) {
      const reason = ((error as Error).message ?? String(error)).split("\n")[0]!.replaceAll(path, name);
      throw new DatasetError(
        "DATASET_INVALID",
        `DuckDB could not read ${JSON.stringify(name)} as ${format.toUpperCase()}: ${reason}`,
      );
    }
  }

  private async checkNameFree(userId: number, name: string): Promise<void> {
    const own = await this.own(userId);
    if (own.some((d) => d.name === name)) {
      throw new DatasetError(
        "DATASET_NAME_TAKEN",
        `you already have a dataset named ${JSON.stringify(name)}; delete it first or pick another name`,
      );
    }
    const max = this.options.maxPerUser ?? 200;
    if (own.length >= max) {
      throw new DatasetError(
        "DATASET_LIMIT_REACHED",
        `you have ${own.length} datasets, the most allowed; delete some first`,
      );
    }
  }

  /** The user's own datasets, sorted by name; files without complete metadata are skipped. */
  private async own(userId: number): Promise<DatasetRecord[]> {
    let entries: string[];
    try {
      entries = await readdir(this.userDir(userId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const ids = entries
      .filter((e) => e.endsWith(META) && UUID.test(e.slice(0, -META.length)))
      .map((e) => e.slice(0, -META.length));
    const records = await Promise.all(ids.map((id) => this.readRecord(userId, id)));
    return records
      .filter((r): r is DatasetRecord => r !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private async readRecord(userId: number, id: string): Promise<DatasetRecord | undefined> {
    const dir = this.userDir(userId);
    try {
      const meta = JSON.parse(await readFile(join(dir, `${id}${META}`), "utf8")) as Dataset & {
        ownerId: number;
      };
      if (meta.id !== id || meta.ownerId !== userId || !EXTENSION[meta.format]) return undefined;
      const path = join(await realpath(dir), `${id}.${EXTENSION[meta.format]}`);
      const info = await stat(path);
      return { ...meta, sample: false, ownerId: userId, path, modifiedMs: info.mtimeMs };
    } catch {
      return undefined;
    }
  }

  private userDir(userId: number): string {
    if (!Number.isSafeInteger(userId) || userId < 0) throw new TypeError(`bad user id ${userId}`);
    return join(this.options.root, String(userId));
  }

  /** Runs `fn` after every earlier exclusive section of the same user (name checks, renames, deletes). */
  private exclusive<T>(userId: number, fn: () => Promise<T>): Promise<T> {
    const before = this.locks.get(userId) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.catch(() => {});
    this.locks.set(userId, settled);
    void settled.then(() => {
      if (this.locks.get(userId) === settled) this.locks.delete(userId);
    });
    return run;
  }
}

/** The dataset as the API shows it: no path, no owner. */
export function toDataset(record: DatasetRecord): Dataset {
  return {
    id: record.id,
    name: record.name,
    format: record.format,
    sizeBytes: record.sizeBytes,
    rowCount: record.rowCount,
    columns: record.columns,
    createdAt: record.createdAt,
    sample: record.sample,
  };
}

/** A NUL byte in the first 8 KB: the file is binary (an image, a spreadsheet), not CSV or JSON text. */
async function looksBinary(path: string): Promise<boolean> {
  const file = await open(path, "r");
  try {
    const head = Buffer.alloc(8192);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).includes(0);
  } finally {
    await file.close();
  }
}
