#!/usr/bin/env bash
# The main job on the embedded default: drives the example cases in
# examples/ through docket and prints each outcome and the case table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bazel run --ui_event_filters=-info,-stdout,-stderr --noshow_progress \
  //tools:docket_demo -- "$@"
