#!/usr/bin/env bash
# Builds everything and runs the whole test suite, then prints the number of
# test cases (not Bazel targets) that passed and failed, from the JUnit XML
# each test writes, as a last line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 2

bazel test //... "$@"
status=$?

testlogs="$(bazel info bazel-testlogs 2>/dev/null)"
passed=0
failed=0
if [ -d "$testlogs" ]; then
  # A <testcase> with a <failure> or <error> inside failed; the rest passed.
  read -r passed failed < <(
    find "$testlogs" -name test.xml -print0 | xargs -0 -r cat | awk '
      /<testcase /   { open = 1; bad = 0; if ($0 ~ /\/>[[:space:]]*$/) { total++; open = 0 } }
      open && /<(failure|error)[ >]/ { bad = 1 }
      open && /<\/testcase>/ { total++; fails += bad; open = 0 }
      END { printf "%d %d\n", total - fails, fails }')
fi
# A target that failed to build or crashed writes no test cases: count it.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "${passed} passed, ${failed} failed"
exit "$status"
