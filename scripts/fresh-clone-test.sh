#!/usr/bin/env bash
# What a new user does, checked: clone the repository at its current commit into an empty temporary folder
# (nothing beside it, so no ../shared), then `npm ci` and `npm test` there. Fails on an npm EBADENGINE
# warning (a dependency that does not support this Node) and on any failing test. .ci/run calls it; run it
# by hand with `bash scripts/fresh-clone-test.sh` (commit first: the clone has only committed files).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
commit="$(git -C "$repo" rev-parse HEAD)"
parent="$(mktemp -d "${TMPDIR:-/tmp}/texera-fresh-clone.XXXXXX")"
trap 'rm -rf "$parent"' EXIT
clone="$parent/texera-agent"

git clone --quiet --no-local --no-checkout "$repo" "$clone"
git -C "$clone" checkout --quiet --detach "$commit"
echo "fresh clone of $commit in $clone; beside it: $(ls -A "$parent" | tr '\n' ' ')"

# The variables CI sets for its own run must not reach the user's run.
unset REQUIRE_POSTGRES REQUIRE_SHARED REQUIRE_HELM K8S_CRDS_DIR HELM_BIN
cd "$clone"
started=$(date +%s)
npm ci --no-audit --no-fund 2>&1 | tee "$parent/npm-ci.log"
if grep -q EBADENGINE "$parent/npm-ci.log"; then
  echo "npm ci warned EBADENGINE: a dependency does not support Node $(node -v); see the log above" >&2
  exit 1
fi
echo "npm ci took $(( $(date +%s) - started )) s; node_modules: $(du -sh node_modules | cut -f1)"
started=$(date +%s)
# FRESH_CLONE_REPORT: also write vitest's JSON report there; FRESH_CLONE_SKIPPED: the files in which a test
# was skipped (what they need is not beside a fresh clone), for .ci/run to run again where it is required.
if [[ -n "${FRESH_CLONE_REPORT:-}" ]]; then
  npm test -- --reporter=default --reporter=json --outputFile="$FRESH_CLONE_REPORT"
  if [[ -n "${FRESH_CLONE_SKIPPED:-}" ]]; then
    node "$repo/scripts/skipped-test-files.mjs" "$FRESH_CLONE_REPORT" "$clone" > "$FRESH_CLONE_SKIPPED"
  fi
else
  npm test
fi
echo "npm test took $(( $(date +%s) - started )) s"
