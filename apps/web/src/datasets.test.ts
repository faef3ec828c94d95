import type { Dataset } from "@texera-agent/protocol";
import { describe, expect, it } from "vitest";
import { ForbiddenError, NetworkError, ValidationError } from "./api-errors.ts";
import { columnsText, formatBytes, sortDatasets, uploadContentType, uploadErrorText } from "./datasets.ts";

const dataset = (name: string, sample: boolean): Dataset => ({
  id: name,
  name,
  format: "csv",
  sizeBytes: 10,
  rowCount: 2,
  columns: [
    { name: "id", type: "BIGINT" },
    { name: "city", type: "VARCHAR" },
  ],
  createdAt: "2025-01-01T00:00:00.000Z",
  sample,
});

describe("datasets helpers", () => {
  it("sends a file with the content type of its extension", () => {
    expect(uploadContentType("Orders.CSV")).toBe("text/csv");
    expect(uploadContentType("a.parquet")).toBe("application/vnd.apache.parquet");
    expect(uploadContentType("a.jsonl")).toBe("application/x-ndjson");
    expect(uploadContentType("a.json")).toBe("application/json");
    expect(uploadContentType("noext")).toBe("application/octet-stream");
    expect(uploadContentType("a.xlsx")).toBe("application/octet-stream");
  });

  it("says a 413 is a file over the limit, and other failures in words", () => {
    const tooLarge = new ValidationError(413, "the upload is larger than the limit of 100 bytes");
    expect(uploadErrorText(tooLarge)).toMatch(/^The file is larger than the limit \(the upload is larger/);
    expect(uploadErrorText(new ValidationError(413))).toBe("The file is larger than the limit.");
    expect(uploadErrorText(new ForbiddenError("samples cannot be deleted"))).toContain("The upload failed:");
    expect(uploadErrorText(new NetworkError())).toContain("The upload failed:");
    expect(uploadErrorText("?")).toBe("The upload failed. Try again.");
  });

  it("lists own datasets before samples, by name, and formats sizes and columns", () => {
    const sorted = sortDatasets([dataset("b.csv", true), dataset("z.csv", false), dataset("a.csv", false)]);
    expect(sorted.map((d) => d.name)).toEqual(["a.csv", "z.csv", "b.csv"]);
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MB");
    expect(columnsText(dataset("a", false))).toBe("id BIGINT, city VARCHAR");
  });
});
