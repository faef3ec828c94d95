import type { Dataset } from "@texera-agent/protocol";
import { ApiError } from "./api-errors.ts";

/** Content types the dataset upload takes as a raw body, by file extension. */
const TYPES: Record<string, string> = {
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  json: "application/json",
  jsonl: "application/x-ndjson",
  ndjson: "application/x-ndjson",
  parquet: "application/vnd.apache.parquet",
};

/** The Content-Type to send a file as: from its extension, octet-stream when unknown (the server sniffs). */
export function uploadContentType(fileName: string): string {
  const ext = /\.([^.]+)$/.exec(fileName.toLowerCase())?.[1] ?? "";
  return TYPES[ext] ?? "application/octet-stream";
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Why an upload failed, in words; a 413 says the file is too large before the service's details. */
export function uploadErrorText(error: unknown): string {
  if (error instanceof ApiError && error.status === 413) {
    return `The file is larger than the limit${error.serverMessage ? ` (${error.serverMessage})` : ""}.`;
  }
  if (error instanceof Error && error.message) return `The upload failed: ${error.message}`;
  return "The upload failed. Try again.";
}

/** The user's own datasets first, then the samples, each by name. */
export function sortDatasets(datasets: readonly Dataset[]): Dataset[] {
  return [...datasets].sort((a, b) =>
    a.sample !== b.sample ? (a.sample ? 1 : -1) : a.name.localeCompare(b.name, "en"),
  );
}

/** "order_id BIGINT, amount DOUBLE, …" */
export function columnsText(dataset: Pick<Dataset, "columns">): string {
  return dataset.columns.map((column) => `${column.name} ${column.type}`).join(", ");
}
