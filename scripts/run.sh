#!/usr/bin/env bash
# The main job on the embedded default: a fresh data directory, the example
# evidence files stored, the example commands submitted through docketctl,
# then the case table, a report and the audit.
#
#   bash scripts/run.sh [--serve | --no-serve] [DATA_DIR]   (default: a new temporary directory)
#
# Then, at a terminal (or with --serve), docket is served on
# http://127.0.0.1:8080 by docketd --listen, the API and the console, until
# Ctrl-C. Run by a script (no terminal) or with --no-serve, it ends after the
# audit.
set -euo pipefail
serve=0
if [ -t 0 ] && [ -t 1 ]; then serve=1; fi
case "${1:-}" in
  --serve) serve=1; shift ;;
  --no-serve) serve=0; shift ;;
esac
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bazel build --ui_event_filters=-info --noshow_progress //tools/docketctl 2>&1 \
  | grep -v '^Target\|^  bazel-bin' || true
ctl="$(bazel info bazel-bin 2>/dev/null)/tools/docketctl/docketctl"

data="${1:-$(mktemp -d)/docket-data}"
export DOCKET_DATA_DIR="$data"
echo "data directory: $data"
echo

# The organisation with the demo passwords (docket-demo), the example
# evidence and the example cases: scripts/load_examples.sh.
DOCKETCTL="$ctl" bash scripts/load_examples.sh "$data"
echo "$("$ctl" directory list | head -1) (docketctl directory list)"
echo
echo "== deadline scanner (docketctl tick) =="
"$ctl" tick
echo
echo "== cases (docketctl list) =="
"$ctl" list
echo
echo "== overdue (docketctl list --overdue) =="
"$ctl" list --overdue
echo
echo "== report by category (docketctl report --by=category) =="
"$ctl" report --by=category
echo
echo "== complaints, inquiries, suggestions and recoveries (docketctl report --by=kind) =="
"$ctl" report --by=kind
echo
echo "== warned customers, reported separately (docketctl report --by=warning) =="
"$ctl" report --by=warning
echo
echo "== per-handler assessment, 考核 (docketctl report --by=handler) =="
"$ctl" report --by=handler
echo
echo "== audit (docketctl verify) =="
"$ctl" verify
echo
echo "Try: DOCKET_DATA_DIR=$data $ctl history C-2026-0001"
if [ "${serve:-0}" = 1 ]; then
  bazel build --ui_event_filters=-info --noshow_progress //services/docketd 2>&1 \
    | grep -v '^Target\|^  bazel-bin' || true
  echo
  echo "== docket is served on http://127.0.0.1:8080 (Ctrl-C stops) =="
  echo "console: http://127.0.0.1:8080/   API: http://127.0.0.1:8080/v1/ (docs/api.md)"
  echo "logins (password docket-demo): E-100 handler ZHUHAI, E-101 handler GZ, S-GZ supervisor GZ,"
  echo "  E-200 region SOUTH, E-300 headquarters, C-100 claims, A-100 auditor"
  exec "$(bazel info bazel-bin 2>/dev/null)/services/docketd/docketd" --data_dir="$data" \
    --listen=127.0.0.1:8080
fi
