#!/usr/bin/env bash
# Builds everything and runs the whole test suite (Bazel's tests, then the
# web console's: scripts/console_test.sh), then prints the number of test
# cases (not Bazel targets) that passed and failed, from the JUnit XML each
# test writes, as a last line "N passed, N failed". Exit status: non-zero
# if either part failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 2

bazel test //... "$@"
status=$?

bash scripts/console_test.sh
console_status=$?

# A <testcase> with a <failure> or <error> inside failed; one with
# <skipped> neither passed nor failed; the rest passed.
count() {
  xargs -0 -r cat | awk '
    /<testcase /   { open = 1; bad = 0; skip = 0; if ($0 ~ /\/>[[:space:]]*$/) { total++; open = 0 } }
    open && /<(failure|error)[ >]/ { bad = 1 }
    open && /<skipped[ \/>]/ { skip = 1 }
    open && /<\/testcase>/ { total++; fails += bad; skips += skip && !bad; open = 0 }
    END { printf "%d %d\n", total - fails - skips, fails }'
}

testlogs="$(bazel info bazel-testlogs 2>/dev/null)"
passed=0
failed=0
# A sharded test's cases are in its shards' files (shard_N_of_M/test.xml);
# a test.xml beside them is left from before the test was sharded.
results_of_tests() {
  find "$testlogs" -name test.xml | while read -r xml; do
    if compgen -G "$(dirname "$xml")/shard_*_of_*" > /dev/null; then continue; fi
    printf '%s\0' "$xml"
  done
}
if [ -d "$testlogs" ]; then
  read -r passed failed < <(results_of_tests | count)
fi
# A target that failed to build or crashed writes no test cases: count it.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi

console_passed=0
console_failed=0
results=tools/console/test-results
if [ -d "$results" ]; then
  read -r console_passed console_failed < <(
    find "$results" -maxdepth 1 -name '*junit*.xml' -print0 | count)
fi
# The console failed before its tests ran (install, build): count it.
if [ "$console_status" -ne 0 ] && [ "$console_failed" -eq 0 ]; then
  console_failed=1
fi

echo "${passed} passed, ${failed} failed (bazel); ${console_passed} passed, ${console_failed} failed (console)"
echo "$((passed + console_passed)) passed, $((failed + console_failed)) failed"
if [ "$status" -ne 0 ]; then exit "$status"; fi
exit "$console_status"
