#!/usr/bin/env bash
# Builds the web console into tools/console/dist, which docketd serves at /:
# npm ci from the lockfile (never a browser download), then the build.
# Idempotent: installs Node.js from Debian only if it is missing,
# reinstalls the packages only when the lockfile changed, and builds only
# when a source changed. scripts/setup.sh runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >&2
fi
cd tools/console
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2
fi
# Built already, and nothing it is built from changed since: done.
if [ -f dist/index.html ] && [ -z "$(find src index.html package-lock.json vite.config.ts \
    tsconfig.json ../../proto -newer dist/index.html -print -quit 2>/dev/null)" ]; then
  exit 0
fi
npm run --silent build >&2
