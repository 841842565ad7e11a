#!/usr/bin/env bash
# Builds the engine fuzzer (tests/fuzz/fuzz_engine.c + plugin/engine/*.c) with
# clang -fsanitize=fuzzer,address,undefined and runs it for a while.
#
#   tests/fuzz/run_engine_fuzz.sh [--seconds N] [--workdir DIR] [--jobs J] [-- libFuzzer args]
#
# Defaults: 60 seconds, workdir build/fuzz-engine, 1 job.  The corpus lives in
# WORKDIR/corpus (kept between runs) and is seeded from tests/fuzz/seeds/engine.
# Crash reproducers land in WORKDIR/artifacts; replay one with
#   WORKDIR/fuzz_engine WORKDIR/artifacts/crash-...
#
# Exit status: 0 when the run finished clean, 1 on a crash/invariant failure,
# 2 when clang or libFuzzer is missing (CI installs clang-14 + libfuzzer-14-dev,
# so a missing toolchain is an error, not a skip).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=60
workdir=$repo/build/fuzz-engine
jobs=1
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: $0 [--seconds N] [--workdir DIR] [--jobs J] [-- libFuzzer args]" >&2; exit 2 ;;
  esac
done

cc=${AGENTTLS_FUZZ_CC:-}
if [ -z "$cc" ]; then
  for candidate in clang clang-14 clang-15 clang-16; do
    if command -v "$candidate" >/dev/null; then cc=$candidate; break; fi
  done
fi
if [ -z "$cc" ]; then
  echo "FAIL: engine fuzzing needs clang with libFuzzer (apt-get install clang-14 libfuzzer-14-dev libclang-rt-14-dev)" >&2
  exit 2
fi

mkdir -p "$workdir/corpus" "$workdir/artifacts"
bin=$workdir/fuzz_engine
echo "engine fuzz: building $bin with $cc"
if ! "$cc" -g -O1 -fno-omit-frame-pointer \
      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
      -I"$repo/plugin/engine" ${AGENTTLS_FUZZ_CFLAGS:-} \
      "$repo/tests/fuzz/fuzz_engine.c" "$repo"/plugin/engine/*.c -o "$bin"; then
  echo "FAIL: could not build the libFuzzer harness with $cc (is libfuzzer-14-dev / libclang-rt-14-dev installed?)" >&2
  exit 2
fi

# Replay the committed seeds and past crash reproducers first: a regression
# shows up at once, not only when the fuzzer happens to find it again.
if [ -d "$repo/tests/fuzz/seeds/engine" ]; then
  cp -n "$repo"/tests/fuzz/seeds/engine/* "$workdir/corpus/" 2>/dev/null || true
fi

echo "engine fuzz: running for ${seconds}s, $jobs job(s), corpus $workdir/corpus"
log=$workdir/fuzz.log
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
if [ "$jobs" -gt 1 ]; then
  # -jobs/-workers: each worker logs to fuzz-N.log in the current folder.
  (cd "$workdir" && "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 \
      -jobs="$jobs" -workers="$jobs" -print_final_stats=1 -artifact_prefix="$workdir/artifacts/" \
      "${extra[@]}" corpus) >"$log" 2>&1 || status=$?
  cat "$workdir"/fuzz-*.log >>"$log" 2>/dev/null || true
else
  "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
      -artifact_prefix="$workdir/artifacts/" "${extra[@]}" "$workdir/corpus" >"$log" 2>&1 || status=$?
fi

grep -E '^#[0-9]+.*(DONE|pulse)' "$log" | tail -n 2 || true
execs=$(grep -hE '^stat::number_of_executed_units' "$log" | awk '{s+=$2} END {print s+0}')
echo "engine fuzz: $execs executions in ${seconds}s; corpus now $(ls "$workdir/corpus" | wc -l) inputs"
echo "engine fuzz: checked per input: verdict/finding names known, verdict = lowest failure finding,"
echo "  decided_in and every *_frame field is a fed frame, unfed frames map to no handshake,"
echo "  frame -> handshake is on a stream the frame was fed on, repeat queries agree,"
echo "  two engines fed the same events agree; ASan/UBSan/LeakSanitizer clean"
if [ "$status" != 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant failed' "$log"; then
  echo "FAIL: engine fuzzer found a problem (exit $status); log: $log" >&2
  grep -E 'invariant failed|ERROR:|runtime error:|SUMMARY|Test unit written|#[0-9]+ +in ' "$log" | head -40 >&2
  exit 1
fi
echo "PASS: engine fuzzer ran clean"
