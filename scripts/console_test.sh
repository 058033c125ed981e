#!/usr/bin/env bash
# The web console's tests (tools/console): install what it needs from
# Debian's archive and the lockfile, build it, run its unit tests (Vitest)
# and its browser tests (Playwright with Debian's chromium, never a
# downloaded browser) against a real docketd that they start on a new data
# directory with the examples. JUnit XML is left in
# tools/console/test-results/ (vitest-junit.xml, junit.xml) for
# scripts/test.sh to count.
#
#   bash scripts/console_test.sh
#
# DOCKETD and DOCKETCTL name the binaries (default: Bazel's bazel-bin,
# which `bazel test //...` has built). Exit status: non-zero if any step
# or test failed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's packages: chromium and CJK fonts (scripts/setup.sh's list); then
# Node.js where there is none, the lockfile's packages and the build
# (scripts/console_build.sh, which setup.sh runs).
bash scripts/setup.sh

if [ -z "${DOCKETD:-}" ] || [ -z "${DOCKETCTL:-}" ]; then
  bin="$(bazel info bazel-bin 2>/dev/null)"
  export DOCKETD="${DOCKETD:-$bin/services/docketd/docketd}"
  export DOCKETCTL="${DOCKETCTL:-$bin/tools/docketctl/docketctl}"
fi
for b in "$DOCKETD" "$DOCKETCTL"; do
  [ -x "$b" ] || { echo "console_test: $b is missing (bazel build //services/docketd //tools/docketctl)" >&2; exit 2; }
done

cd tools/console
rm -rf test-results
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
status=0
npm run test:ci || status=1
npm run e2e || status=1
exit "$status"
