import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { precompress } from "../../../scripts/lib/precompress.ts";
import config from "../vite.config.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("the production build (vite.config.ts)", () => {
  it("emits no source maps: they would hand out the app's source", () => {
    const build = (config as { build?: { sourcemap?: unknown } }).build;
    expect(build).toBeDefined();
    expect(build?.sourcemap ?? false).toBe(false);
  });

  it("precompresses after writing the bundle", () => {
    const plugins = (config as { plugins?: unknown[] }).plugins?.flat(3) as { name?: string }[];
    expect(plugins.map((p) => p?.name)).toContain("texera-precompress");
  });
});

describe("precompress", () => {
  it("writes brotli and gzip variants of text files that decompress to the file, and nothing else", async () => {
    const dir = mkdtempSync(join(tmpdir(), "precompress-"));
    dirs.push(dir);
    mkdirSync(join(dir, "assets"));
    const js = `export const words = ${JSON.stringify(Array.from({ length: 500 }, (_, i) => `word-${i % 37}`))};\n`;
    writeFileSync(join(dir, "assets/app-1.js"), js);
    writeFileSync(join(dir, "assets/app-1.css"), `body{color:red}\n`.repeat(200));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>tiny</title>"); // under MIN_BYTES
    writeFileSync(join(dir, "assets/logo.png"), Buffer.alloc(4096, 7)); // already compressed formats: left
    // random bytes do not compress: a variant that is not smaller is not kept
    writeFileSync(join(dir, "assets/noise.wasm"), randomBytes(4096));

    const done = await precompress(dir);
    expect(done.map((d) => d.file).sort()).toEqual([
      "assets/app-1.css",
      "assets/app-1.js",
      "assets/noise.wasm",
    ]);
    const files = readdirSync(join(dir, "assets")).sort();
    expect(files).toEqual(
      expect.arrayContaining(["app-1.js", "app-1.js.br", "app-1.js.gz", "app-1.css.br", "app-1.css.gz"]),
    );
    expect(files.some((f) => f.startsWith("logo.png."))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith("index.html."))).toEqual([]);
    expect(brotliDecompressSync(readFileSync(join(dir, "assets/app-1.js.br"))).toString()).toBe(js);
    expect(gunzipSync(readFileSync(join(dir, "assets/app-1.js.gz"))).toString()).toBe(js);
    const app = done.find((d) => d.file === "assets/app-1.js");
    expect(app?.br).toBeLessThan(app?.gz ?? 0);
    expect(done.find((d) => d.file === "assets/noise.wasm")).toMatchObject({ br: null, gz: null });
    expect(files.filter((f) => f.startsWith("noise.wasm."))).toEqual([]);
  });
});
