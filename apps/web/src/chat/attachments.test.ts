import type { Dataset } from "@texera-agent/protocol";
import { describe, expect, it } from "vitest";
import { ConflictError, ValidationError } from "../api-errors.ts";
import { datasetName, uploadUnderFreeName, withDatasets } from "./attachments.ts";

const dataset = (name: string): Dataset =>
  ({
    id: "d1",
    name,
    format: "csv",
    rowCount: 2,
    sizeBytes: 20,
    columns: [
      { name: "city", type: "VARCHAR" },
      { name: "visits", type: "BIGINT" },
    ],
    createdAt: "2026-01-01T00:00:00Z",
    sample: false,
  }) as Dataset;

describe("attachments", () => {
  it("offers each uploaded dataset to the agent in the message", () => {
    const text = withDatasets("  Count visits per city ", [
      { key: 1, name: "a.csv", status: "ready", dataset: dataset("a.csv") },
      { key: 2, name: "b.csv", status: "uploading" },
      { key: 3, name: "c.txt", status: "failed", error: "no" },
    ]);
    expect(text).toBe(
      "Count visits per city\n\nUploaded dataset: a.csv (CSV, 2 rows; columns: city VARCHAR, visits BIGINT)",
    );
    expect(withDatasets("", [{ key: 1, name: "a.csv", status: "ready", dataset: dataset("a.csv") }])).toMatch(
      /^Uploaded dataset: a\.csv/,
    );
  });

  it("makes a name the service takes, and numbers it when taken", () => {
    expect(datasetName("sales 2024.csv")).toBe("sales 2024.csv");
    expect(datasetName("ventes été (1).csv")).toBe("ventes _t_ _1_.csv");
    expect(datasetName("..hidden.csv")).toBe("hidden.csv");
    expect(datasetName("orders.csv", 2)).toBe("orders-2.csv");
    expect(datasetName("README", 3)).toBe("README-3");
  });

  it("retries under the next name only when the name is taken", async () => {
    const tried: string[] = [];
    const got = await uploadUnderFreeName(async (name) => {
      tried.push(name);
      if (tried.length < 3) throw new ConflictError('you already have a dataset named "x"');
      return dataset(name);
    }, "orders.csv");
    expect(tried).toEqual(["orders.csv", "orders-2.csv", "orders-3.csv"]);
    expect(got.name).toBe("orders-3.csv");
    await expect(
      uploadUnderFreeName(async () => {
        throw new ValidationError(415, "not a file the agent can read");
      }, "notes.txt"),
    ).rejects.toThrow(/not a file the agent can read/i);
  });
});
