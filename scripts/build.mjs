#!/usr/bin/env node
// `npm run build`: the services (and `npm start` itself) as plain JavaScript, so that they run under `node`
// with no TypeScript loader (tsx) in the process: less memory, faster start. Each entry becomes one ES module
// in its package's dist/ folder, with the workspace packages (@texera-agent/*, whose exports are TypeScript
// sources) bundled in and every other package left to node_modules, loaded exactly as under tsx. Each bundle
// sits at the same depth below the repository as its source folder, so paths computed from import.meta.url
// (the gateway's default WEB_DIST, scripts' REPO_ROOT) point where they did.
//
//   node scripts/build.mjs            build every entry (about a second; the web app has its own build)
//   node scripts/build.mjs --quiet    the same, printing only problems (npm start and the other scripts)
//
// Types are checked by `npm run typecheck`, not here (esbuild only strips them).

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

/** Bundles our own TypeScript; leaves third-party packages (native addons included) to node_modules. */
const ownCodeOnly = {
  name: "own-code-only",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("@texera-agent/")) return undefined;
      return { path: args.path, external: true };
    });
  },
};

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
        plugins: [ownCodeOnly],
        logLevel: "warning",
        legalComments: "none",
      }),
    ),
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
