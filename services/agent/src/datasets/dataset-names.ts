import type { DatasetFormat } from "../engine/protocol.ts";

export const MAX_NAME_CHARS = 200;

/** Segments of letters, digits, `_`, `-`, `.` and spaces, separated by `/`; each starts with a letter, digit or `_`. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_. -]*(\/[A-Za-z0-9_][A-Za-z0-9_. -]*)*$/;

const FORMAT_BY_EXTENSION: Record<string, DatasetFormat> = {
  csv: "csv",
  tsv: "csv",
  parquet: "parquet",
  pq: "parquet",
  json: "json",
  jsonl: "json",
  ndjson: "json",
};

export const EXTENSION: Record<DatasetFormat, string> = { csv: "csv", parquet: "parquet", json: "json" };

/** Why `name` cannot name a dataset, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_NAME_CHARS)
    return `a dataset name has 1 to ${MAX_NAME_CHARS} characters`;
  if (!NAME.test(name) || name.endsWith(" ")) {
    return (
      "a dataset name uses letters, digits, _ - . and spaces, in parts separated by / that each start " +
      'with a letter, digit or _ (e.g. "orders.csv", "sales/2024.csv"); it is a name, not a path'
    );
  }
  return undefined;
}

/** Whether a file scan's fileName looks like a path on disk rather than a dataset name. */
export function looksLikePath(fileName: string): boolean {
  return (
    /^[/~\\]/.test(fileName) ||
    /^[A-Za-z]:/.test(fileName) ||
    /(^|[/\\])\.\.?([/\\]|$)/.test(fileName) ||
    fileName.includes("\\") ||
    fileName.includes("\u0000") ||
    fileName.includes("://") ||
    fileName.includes("//")
  );
}

/** What a person is told when a file's name is not one of a format the agent reads. */
export function unsupportedFileText(name: string): string {
  const ext = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1).toLowerCase() : "";
  const hint =
    ext === "txt"
      ? "; if it holds comma-separated values with a header line, rename it to .csv"
      : ext === ""
        ? "; end the name with .csv, .parquet or .json, or pass format"
        : "";
  return `${JSON.stringify(name)} is not a file the agent can read: upload CSV (.csv, .tsv), Parquet (.parquet) or JSON (.json, .jsonl, .ndjson)${hint}`;
}

/** The format a name's extension implies, if any. */
export function formatFromName(name: string): DatasetFormat | undefined {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? undefined : FORMAT_BY_EXTENSION[name.slice(dot + 1).toLowerCase()];
}
