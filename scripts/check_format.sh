#!/usr/bin/env bash
# Checks that every C++ source follows .clang-format (BasedOnStyle: Google,
# 100 columns). Prints the offending files and exits 1 when one does not.
#   bash scripts/check_format.sh          check
#   bash scripts/check_format.sh --fix    rewrite the files in place
set -uo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/docket-format.$$; then
  grep -o '^[^:]*:[0-9]*:[0-9]*: error' /tmp/docket-format.$$ | cut -d: -f1 | sort -u |
    sed 's/^/format: not clang-formatted: /'
  rm -f /tmp/docket-format.$$
  echo "format: run 'bash scripts/check_format.sh --fix'" >&2
  exit 1
fi
rm -f /tmp/docket-format.$$
echo "format: ${#files[@]} files clang-formatted"
