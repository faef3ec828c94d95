import { readdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { formatFromName } from "./dataset-names.ts";
import type { DatasetRecord, Inspect } from "./dataset-store.ts";

export interface SampleSet {
  /** Every sample, inspected once (the first call reads them with DuckDB); a sample that fails is left out. */
  all(): Promise<DatasetRecord[]>;
}

/** The read-only sample datasets in `dir`: every .csv, .parquet and .json file, named by its file name. */
export function loadSamples(dir: string | undefined, inspect: Inspect): SampleSet {
  let loaded: Promise<DatasetRecord[]> | undefined;
  return {
    all() {
      loaded ??= dir ? inspectAll(dir, inspect) : Promise.resolve([]);
      return loaded;
    },
  };
}

async function inspectAll(dir: string, inspect: Inspect): Promise<DatasetRecord[]> {
  const root = realpathSync(dir);
  const files = readdirSync(root)
    .filter((f) => formatFromName(f) !== undefined && !f.startsWith("."))
    .sort();
  const records = await Promise.all(
    files.map(async (name): Promise<DatasetRecord | undefined> => {
      const path = join(root, name);
      const format = formatFromName(name)!;
      const info = statSync(path);
      try {
        const { columns, rowCount } = await inspect(path, format);
        return {
          id: `sample-${name.replace(/\.[^.]+$/, "").replace(/[^\w-]/g, "_")}`,
          name,
          format,
          sizeBytes: info.size,
          rowCount,
          columns,
          createdAt: info.mtime.toISOString(),
          sample: true,
          ownerId: null,
          path,
          modifiedMs: info.mtimeMs,
        };
      } catch {
        return undefined;
      }
    }),
  );
  return records.filter((r): r is DatasetRecord => r !== undefined);
}
