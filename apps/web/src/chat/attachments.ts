import type { Dataset } from "@texera-agent/protocol";
import { ConflictError } from "../api-errors.ts";

/** A file given to the message box: uploading, uploaded as a dataset, or refused. */
export type Attachment =
  | { key: number; name: string; status: "uploading" }
  | { key: number; name: string; status: "ready"; dataset: Dataset }
  | { key: number; name: string; status: "failed"; error: string };

/** The line the message gets for each uploaded dataset, so that the agent knows to use it. */
export function datasetLine(dataset: Dataset): string {
  const columns = dataset.columns.map((c) => `${c.name} ${c.type}`).join(", ");
  return `Uploaded dataset: ${dataset.name} (${dataset.format.toUpperCase()}, ${dataset.rowCount} rows; columns: ${columns})`;
}

/** The message as sent: what was typed, then a line per uploaded dataset. */
export function withDatasets(text: string, attachments: readonly Attachment[]): string {
  const lines = attachments.flatMap((a) => (a.status === "ready" ? [datasetLine(a.dataset)] : []));
  return [text.trim(), ...lines].filter((part) => part !== "").join("\n\n");
}

/**
 * A dataset name from a file name: the characters the service takes (letters, digits, _ - . and spaces),
 * and "-2", "-3"… before the extension for a retry after the name was taken.
 */
export function datasetName(fileName: string, attempt = 1): string {
  const clean = fileName.replace(/[^A-Za-z0-9_. -]/g, "_").replace(/^[^A-Za-z0-9_]+/, "") || "upload";
  if (attempt <= 1) return clean;
  const dot = clean.lastIndexOf(".");
  return dot > 0 ? `${clean.slice(0, dot)}-${attempt}${clean.slice(dot)}` : `${clean}-${attempt}`;
}

/** Uploads under the file's name, or the next free "-N" name when the user already has one by that name. */
export async function uploadUnderFreeName(
  upload: (name: string) => Promise<Dataset>,
  fileName: string,
  tries = 5,
): Promise<Dataset> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await upload(datasetName(fileName, attempt));
    } catch (error) {
      const taken = error instanceof ConflictError && /already have a dataset/i.test(error.message);
      if (!taken || attempt >= tries) throw error;
    }
  }
}
