import { describe, expect, it } from "vitest";
import { parseAgentEnv } from "../config.ts";
import { datasetsRoutes } from "./datasets.routes.ts";
import { loadUploadBounds, UPLOAD_BOUNDS_DEFAULTS } from "./upload-bounds.ts";

describe("upload bounds from the environment", () => {
  it("defaults to 30 s idle and 10 min in all, as services/agent/README.md says", () => {
    expect(loadUploadBounds(parseAgentEnv({}))).toEqual({ idleMs: 30_000, timeoutMs: 600_000 });
    expect(UPLOAD_BOUNDS_DEFAULTS).toEqual(loadUploadBounds(parseAgentEnv({})));
  });

  it("reads DATASET_UPLOAD_IDLE_MS and DATASET_UPLOAD_TIMEOUT_MS", () => {
    expect(
      loadUploadBounds(parseAgentEnv({ DATASET_UPLOAD_IDLE_MS: "1000", DATASET_UPLOAD_TIMEOUT_MS: "5000" })),
    ).toEqual({
      idleMs: 1_000,
      timeoutMs: 5_000,
    });
  });

  it("refuses a value that is not a number of milliseconds, naming the variable", () => {
    expect(() => loadUploadBounds(parseAgentEnv({ DATASET_UPLOAD_IDLE_MS: "soon" }))).toThrow(
      /DATASET_UPLOAD_IDLE_MS/,
    );
    expect(() => loadUploadBounds(parseAgentEnv({ DATASET_UPLOAD_TIMEOUT_MS: "0" }))).toThrow(
      /DATASET_UPLOAD_TIMEOUT_MS/,
    );
  });

  it("a programmer's bad bounds are a TypeError when the routes are made", () => {
    const store = {} as Parameters<typeof datasetsRoutes>[0]["store"];
    expect(() => datasetsRoutes({ store, maxBytes: 10, bounds: { idleMs: 0, timeoutMs: 10 } })).toThrow(
      TypeError,
    );
  });
});
