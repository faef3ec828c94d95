// The test files in which a vitest JSON report has a skipped test, relative to `root`, one per line.
// .ci/run runs `npm test` once, in a fresh clone (scripts/fresh-clone-test.sh), and then only these files
// again in its own checkout, where what they need (../shared, helm, PostgreSQL) is required.
// Usage: node scripts/skipped-test-files.mjs <report.json> <root the report's paths start with>
import { readFileSync } from "node:fs";
import { relative } from "node:path";

const [reportFile, root] = process.argv.slice(2);
if (!reportFile || !root) {
  console.error("usage: node scripts/skipped-test-files.mjs <report.json> <root>");
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportFile, "utf8"));
const files = new Set();
for (const file of report.testResults ?? []) {
  const tests = file.assertionResults ?? [];
  const skipped = tests.length === 0 || tests.some((t) => t.status !== "passed" && t.status !== "failed");
  if (skipped) files.add(relative(root, file.name));
}
for (const file of [...files].sort()) console.log(file);
