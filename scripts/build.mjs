#!/usr/bin/env node
// `npm run build`: the services (and `npm start` itself) as plain JavaScript, so that they run under `node`
// with no TypeScript loader (tsx) in the process: less memory, faster start. Each entry becomes one ES module
// in its package's dist/ folder, minified, with its dependencies bundled in: our workspace packages and the
// third-party JavaScript alike. One file instead of a thousand modules is most of agent-service's memory at
// rest (issue 14: cold RSS ~128 MB with node_modules loaded module by module, ~100 MB bundled and minified;
// bench/footprint.bench.ts). Left to node_modules (EXTERNAL): native addons, and pino, whose transports
// start worker threads from files found beside its own. Each bundle sits at the same depth below the
// repository as its source folder, so paths computed from import.meta.url (the gateway's default WEB_DIST,
// scripts' REPO_ROOT) point where they did. A stack trace points into the minified file: the linked source
// map (dist/*.js.map) maps it back, e.g. `node --enable-source-maps services/agent/dist/main.js` (that flag
// costs memory at start, so npm start does not set it). keepNames keeps class and function names, which
// error logs show (pino's err.type).
//
//   node scripts/build.mjs            build every entry (a few seconds; the web app has its own build)
//   node scripts/build.mjs --quiet    the same, printing only problems (npm start and the other scripts)
//
// Types are checked by `npm run typecheck`, not here (esbuild only strips them).

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Source entry → built file, both relative to the repository. */
export const ENTRIES = {
  "services/agent/src/main.ts": "services/agent/dist/main.js",
  "services/access-control/src/main.ts": "services/access-control/dist/main.js",
  "services/access-control/src/cli/users.ts": "services/access-control/dist/users.js",
  "services/gateway/src/main.ts": "services/gateway/dist/main.js",
  "tools/llm-sim/src/main.ts": "tools/llm-sim/dist/main.js",
  "scripts/start.ts": "scripts/dist/start.js",
};

/** Packages loaded from node_modules at run time instead of bundled (see the top of this file). */
export const EXTERNAL = ["better-sqlite3", "@duckdb/*", "pg-native", "pino"];

/**
 * The bundles are ES modules; CommonJS packages bundled into them still call require() for Node's own
 * modules and their optional peers (ws's bufferutil, pg's pg-native), which an ES module has not got.
 */
const REQUIRE_SHIM =
  'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);';

export async function buildAll() {
  await Promise.all(
    Object.entries(ENTRIES).map(([source, out]) =>
      build({
        entryPoints: [join(repoRoot, source)],
        outfile: join(repoRoot, out),
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20.19",
        sourcemap: "linked",
        minify: true,
        keepNames: true,
        external: EXTERNAL,
        banner: { js: REQUIRE_SHIM },
        logLevel: "warning",
        legalComments: "none",
      }).then(() => warnIfNotAscii(out)),
    ),
  );
}

/**
 * esbuild escapes non-ASCII characters in strings but not in regex literals; one such character makes V8
 * hold the whole file (1-2 MB) at two bytes per character. Write it as \uXXXX in the source instead.
 */
function warnIfNotAscii(out) {
  const bytes = readFileSync(join(repoRoot, out));
  const at = bytes.findIndex((b) => b > 0x7f);
  const text = at >= 0 ? bytes.subarray(Math.max(0, at - 40), at + 10).toString("latin1") : "";
  if (at >= 0)
    console.warn(
      `${out}: non-ASCII output near ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))}`,
    );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await buildAll();
  if (!process.argv.includes("--quiet"))
    console.log(
      `built ${Object.keys(ENTRIES).length} entries in ${Math.round(performance.now() - started)} ms`,
    );
}
