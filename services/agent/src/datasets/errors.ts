import { HttpError } from "@texera-agent/service-kit";
import type { BodyError } from "./write-limited.ts";

/** Every answer of the dataset routes that is not a success, with its HTTP status. */
export const DatasetErrorCodes = {
  DATASET_NOT_FOUND: 404,
  DATASET_TOO_LARGE: 413,
  DATASET_INVALID: 400,
  DATASET_NAME_TAKEN: 409,
  DATASET_READ_ONLY: 403,
  DATASET_UNSUPPORTED_MEDIA: 415,
  DATASET_LIMIT_REACHED: 409,
  /** The body ended before the whole file arrived (a truncated multipart body). */
  DATASET_UPLOAD_INCOMPLETE: 400,
  /** The client closed the connection mid-upload: nobody reads this answer, the log says what happened. */
  DATASET_UPLOAD_CUT_OFF: 400,
  /** The body stalled (DATASET_UPLOAD_IDLE_MS) or took too long (DATASET_UPLOAD_TIMEOUT_MS). */
  DATASET_UPLOAD_TIMEOUT: 408,
} as const;

export type DatasetErrorCode = keyof typeof DatasetErrorCodes;

export class DatasetError extends HttpError {
  constructor(code: DatasetErrorCode, message: string, headers: Record<string, string> = {}) {
    super(DatasetErrorCodes[code], code, message, headers);
    this.name = "DatasetError";
  }
}

/** One wording for "missing" and "another user's", so the answer does not tell them apart. */
export const datasetNotFound = (id: string) =>
  new DatasetError("DATASET_NOT_FOUND", `no dataset with id ${JSON.stringify(printable(id))}`);

export const datasetTooLarge = (maxBytes: number) =>
  new DatasetError(
    "DATASET_TOO_LARGE",
    `the upload is larger than the limit of ${maxBytes} bytes (DATASET_MAX_BYTES); upload a smaller file`,
    // The rest of the body is not read: the connection closes after this answer.
    { connection: "close" },
  );

/** The answer to an upload whose body could not be read to its end. */
export function datasetBodyError(error: BodyError, maxBytes: number): DatasetError {
  switch (error.problem) {
    case "too-large":
      return datasetTooLarge(maxBytes);
    case "cut-off":
      return new DatasetError("DATASET_UPLOAD_CUT_OFF", error.message);
    case "truncated":
      return new DatasetError("DATASET_UPLOAD_INCOMPLETE", `${error.message}; send the whole file again`);
    case "malformed":
      return new DatasetError("DATASET_INVALID", error.message);
  }
}

function printable(id: string): string {
  const clean = id.replace(/[^\w.:-]/g, "?");
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}
