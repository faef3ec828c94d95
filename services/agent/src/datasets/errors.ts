import { HttpError } from "@texera-agent/service-kit";

/** Every answer of the dataset routes that is not a success, with its HTTP status. */
export const DatasetErrorCodes = {
  DATASET_NOT_FOUND: 404,
  DATASET_TOO_LARGE: 413,
  DATASET_INVALID: 400,
  DATASET_NAME_TAKEN: 409,
  DATASET_READ_ONLY: 403,
  DATASET_UNSUPPORTED_MEDIA: 415,
  DATASET_LIMIT_REACHED: 409,
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

function printable(id: string): string {
  const clean = id.replace(/[^\w.:-]/g, "?");
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}
