#!/usr/bin/env bash
# Configures and builds the plugin and its tests into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
echo "build: plugin at build/plugins/$(ls build/plugins)/epan/agenttls.so"
