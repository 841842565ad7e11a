#!/usr/bin/env bash
# sanitized-build.sh SOURCE_DIR BUILD_DIR C_COMPILER: configures and builds the
# plugin with -DAGENTTLS_SANITIZE=ON into BUILD_DIR (the ctest fixture that the
# capture-fuzz and pathological-input tests run under).  The module links the
# shared ASan runtime (with clang the root CMakeLists.txt adds -shared-libasan);
# tests/fuzz/sanitizer-env preloads that runtime into the uninstrumented tshark.
set -euo pipefail
src=$1 build=$2 cc=$3
echo "sanitized build: $cc -> $build"
cmake -S "$src" -B "$build" -DAGENTTLS_SANITIZE=ON -DCMAKE_C_COMPILER="$cc" >"$build.configure.log" 2>&1 \
  || { cat "$build.configure.log"; echo "FAIL: configuring the sanitizer build failed"; exit 1; }
cmake --build "$build" --target agenttls -j2 2>&1 | tail -n 3
so=$(find "$build/plugins" -name agenttls.so | head -n 1)
[ -n "$so" ] || { echo "FAIL: no agenttls.so in $build/plugins"; exit 1; }
readelf -d "$so" | grep -q 'NEEDED.*asan' || { echo "FAIL: $so is not linked against ASan"; exit 1; }
"$(dirname "$0")/sanitizer-env" "$build/plugins" >/dev/null || { echo "FAIL: no ASan runtime to preload"; exit 1; }
echo "PASS: sanitized plugin at $so"
