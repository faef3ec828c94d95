import { EngineError } from "../engine/errors.ts";
import type { DatasetResolver, ResolvedDataset } from "../engine/resolver.ts";
import { closest } from "../workflow/suggest.ts";
import { looksLikePath } from "./dataset-names.ts";
import type { DatasetRecord } from "./dataset-store.ts";
import { texeraDatasetCandidates } from "./texera-dataset-path.ts";

const MAX_LISTED = 30;

/**
 * A file scan's view of one user's datasets (from DatasetStore.list: their own plus the samples): a
 * fileName resolves to one of them by name (or by id), never to a path. Anything else is refused with a
 * message that lists what the user can read.
 */
export function datasetResolver(records: readonly DatasetRecord[]): DatasetResolver {
  const byName = new Map(records.map((r) => [r.name, r]));
  const byId = new Map(records.map((r) => [r.id, r]));
  const names = records.map((r) => r.name);
  return {
    resolve(fileName, at) {
      const texera = texeraDatasetCandidates(fileName);
      if (texera) {
        for (const candidate of texera) {
          const found = byName.get(candidate);
          if (found) return resolved(found);
        }
        throw new EngineError(
          "unknown_dataset",
          `${at.label}: the Texera dataset file ${JSON.stringify(fileName)} is none of your datasets ` +
            `(looked for ${texera.map((c) => JSON.stringify(c)).join(", ")}). Your datasets: ${listed(names)}`,
          { ...at, property: "fileName" },
        );
      }
      if (looksLikePath(fileName)) {
        throw new EngineError(
          "invalid_path",
          `${at.label}: fileName ${JSON.stringify(fileName)} is a path; a file scan reads only your datasets, by name (${listed(names)})`,
          { ...at, property: "fileName" },
        );
      }
      const found = byName.get(fileName) ?? byId.get(fileName);
      if (found) return resolved(found);
      const guess = closest(fileName, names);
      throw new EngineError(
        "unknown_dataset",
        `${at.label}: you have no dataset named ${JSON.stringify(fileName)}` +
          `${guess ? `; did you mean ${JSON.stringify(guess)}?` : ""} Your datasets: ${listed(names)} (listDatasets shows them)`,
        { ...at, property: "fileName" },
      );
    },
    knownPaths() {
      return records.map((r) => ({ path: r.path, name: r.name }));
    },
  };
}

function resolved(r: DatasetRecord): ResolvedDataset {
  return {
    id: r.id,
    name: r.name,
    format: r.format,
    path: r.path,
    sizeBytes: r.sizeBytes,
    modifiedMs: r.modifiedMs,
    rowCount: r.rowCount,
  };
}

function listed(names: string[]): string {
  if (names.length === 0) return "none yet; upload one";
  const shown = names.slice(0, MAX_LISTED).join(", ");
  return names.length > MAX_LISTED ? `${shown}, … (${names.length} in all)` : shown;
}
