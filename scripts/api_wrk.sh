#!/usr/bin/env bash
# docketd's API under wrk, a client nobody here wrote: 64 keep-alive
# connections on 2 threads POST new complaint intakes (tools/bench/
# wrk_intakes.lua) to a docketd serving a fresh copy of the examples, for
# SECONDS (default 10). Then docketd is stopped with SIGTERM and the data
# directory is checked: every intake answered 200 must be a case, and
# `verify` must pass. See BENCHMARKS.md.
#
# Usage: bash scripts/api_wrk.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
command -v wrk > /dev/null || { echo "api_wrk.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
bazel build -c opt --ui_event_filters=-info --noshow_progress //tools/docketctl //services/docketd
bin="$(bazel info -c opt bazel-bin 2>/dev/null)"
ctl="$bin/tools/docketctl/docketctl"
work="$(mktemp -d)"
data="$work/data"
trap 'kill "$pid" 2> /dev/null || true; rm -rf "$work"' EXIT

DOCKETCTL="$ctl" bash scripts/load_examples.sh "$data" > /dev/null
token="$("$ctl" --data_dir="$data" token issue adapter-phone --as=admin | grep -o 'dkt_[A-Za-z0-9_-]*' | head -1)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# What the server carries, not what one principal may send: wrk's one
# adapter would spend its budget of commands (20,000, and 2,000 a second)
# in seconds and be answered 429 from then on.
"$bin/services/docketd/docketd" --data_dir="$data" --listen="127.0.0.1:$port" --console_dir= \
  --command_burst=0 2> "$work/docketd.log" &
pid=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break
  sleep 0.1
done

DOCKET_TOKEN="$token" DOCKET_RUN="$$" wrk -t2 -c64 -d"${seconds}s" --latency \
  -s tools/bench/wrk_intakes.lua "http://127.0.0.1:$port/v1/commands" | tee "$work/wrk.out"

kill -TERM "$pid"
wait "$pid"
answered="$(grep -c '^docketd: POST /v1/commands 200 ' "$work/docketd.log" || true)"
cases="$("$ctl" --data_dir="$data" list 2> /dev/null | grep -c "WRK-$$-" || true)"
echo "docketd answered 200 to $answered intakes; the data directory holds $cases of their cases"
"$ctl" --data_dir="$data" verify | tail -1
[ "$answered" -eq "$cases" ]
