/**
 * `npm run bench`: runs every bench/*.bench.ts in turn (or those whose names contain the arguments, e.g.
 * `npm run bench -- authorize`). Each benchmark measures its baseline in the same run and prints ratios,
 * so numbers from this noisy machine are compared with each other, never with a constant.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const mod = (await import(join(here, file))) as { default: () => Promise<void> };
  await mod.default();
}
console.log(`\n${files.length} benchmark file(s) run`);
