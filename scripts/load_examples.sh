#!/usr/bin/env bash
# Fills a new data directory with the examples: the organisation (regions,
# branches, handlers, supervisors, claims, an auditor, the channel adapters)
# with the demo passwords (docket-demo), the example evidence files, and the
# example cases. Prints one line per examples file submitted.
#
#   DOCKETCTL=path/to/docketctl bash scripts/load_examples.sh DATA_DIR
#
# Used by scripts/run.sh and by the console's browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
ctl="${DOCKETCTL:?DOCKETCTL names the docketctl binary}"
data="${1:?usage: load_examples.sh DATA_DIR}"

# Who may do what: docket bootstraps its directory with a first
# administrator, who applies the examples' organisation and the demo
# passwords (hashed with scrypt before they are stored).
"$ctl" --data_dir="$data" --clock=2026-10-01T00:00:00Z init --admin=admin > /dev/null
"$ctl" --data_dir="$data" --clock=2026-10-01T00:00:00Z directory apply < examples/org.ndjson > /dev/null
"$ctl" --data_dir="$data" --clock=2026-10-01T00:00:00Z directory apply < examples/demo_passwords.ndjson > /dev/null
"$ctl" --data_dir="$data" put-evidence examples/evidence/*.png > /dev/null
# The examples date from November 2026: a drill clock replays each command
# at the time it occurred (a step may be backdated only 30 minutes). The seed
# course's complaints; the channel regulation's inquiries and suggestions;
# task groups, progress notices, a warned customer, a referral to litigation
# and the recovery child cases.
for example in seed_cases inquiries_and_suggestions case_endings; do
  outcomes="$("$ctl" --data_dir="$data" --clock=2026-11-01T00:00:00Z submit < "examples/$example.ndjson")" || true
  echo "submitted examples/$example.ndjson:" \
    "$(grep -c '"events"' <<< "$outcomes") commands accepted," \
    "$(grep -c '"rejection"' <<< "$outcomes") rejected"
done
