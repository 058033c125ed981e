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

# Debian's packages: chromium and CJK fonts (scripts/setup.sh's list), and
# Node.js only where there is none.
bash scripts/setup.sh
if ! command -v node > /dev/null; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >&2
fi

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
npm ci --no-audit --no-fund --loglevel=error
npm run build
status=0
npm run test:ci || status=1
npm run e2e || status=1
exit "$status"
