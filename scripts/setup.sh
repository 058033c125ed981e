#!/usr/bin/env bash
# Installs the Debian packages docket needs to build and test, offline from
# anything but Debian's archive. Idempotent: installs only what is missing.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap      # Bazel 4.2.3
  g++
  protobuf-compiler libprotobuf-dev
  libabsl-dev
  librocksdb-dev
  librdkafka-dev
  libgtest-dev libgmock-dev
  libssl-dev
  clang-format         # scripts/check_format.sh (CI)
  kcat
  libcpp-httplib-dev   # docketd --listen (services/api)
  libgoogle-perftools-dev # tcmalloc, the allocator of docketd, docketctl and docket_bench
  openssl              # the Kafka test signs a record as an adapter in another language would
  curl                 # the API tests speak to it with a client nobody here wrote
  postgresql libpq-dev # the ticket-desk peer of docket_bench
  chromium             # the console's browser tests (scripts/console_test.sh)
  fonts-noto-cjk       # ... which read and picture Chinese text
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The web console, which docketd serves at / (npm ci, then the build; a
# no-op when nothing changed).
bash "$(dirname "$0")/console_build.sh"
