import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Text files worth compressing (images and fonts are compressed already). */
export const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|wasm)$/i;
/** Below this a compressed answer saves less than its headers cost. */
export const MIN_BYTES = 1024;

export interface Precompressed {
  file: string;
  bytes: number;
  br: number | null;
  gz: number | null;
}

/**
 * Writes `name.br` (brotli, best quality) and `name.gz` (gzip -9) beside every compressible file of a built
 * web root, once at build time, so the gateways send them without compressing per request: the built-in
 * gateway picks one by Accept-Encoding, nginx's gzip_static sends the `.gz`. A variant that would not be
 * smaller is not written.
 */
export async function precompress(root: string): Promise<Precompressed[]> {
  const files = (await readdir(root, { recursive: true })).filter((f) => COMPRESSIBLE.test(f));
  const done: Precompressed[] = [];
  await Promise.all(
    files.map(async (name) => {
      const path = join(root, name);
      if (!(await stat(path)).isFile()) return;
      const data = await readFile(path);
      if (data.length < MIN_BYTES) return;
      const [br, gz] = await Promise.all([
        brotli(data, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
          },
        }),
        gzipAsync(data, { level: constants.Z_BEST_COMPRESSION }),
      ]);
      const keep = async (suffix: string, out: Buffer) => {
        if (out.length >= data.length) return null;
        await writeFile(path + suffix, out);
        return out.length;
      };
      done.push({ file: name, bytes: data.length, br: await keep(".br", br), gz: await keep(".gz", gz) });
    }),
  );
  return done.sort((a, b) => a.file.localeCompare(b.file));
}
