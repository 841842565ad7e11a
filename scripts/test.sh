#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test (ctest).  Exit status is
# non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
