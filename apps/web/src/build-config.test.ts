import { describe, expect, it } from "vitest";
import config from "../vite.config.ts";

describe("the production build (vite.config.ts)", () => {
  it("emits no source maps: they would hand out the app's source", () => {
    const build = (config as { build?: { sourcemap?: unknown } }).build;
    expect(build).toBeDefined();
    expect(build?.sourcemap ?? false).toBe(false);
  });
});
