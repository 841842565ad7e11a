#!/usr/bin/env bash
# count_instructions.sh [CONVERSATIONS] [SEED]: the repeatable complement to
# run_bench.sh.  Wall time on a shared 2-core machine swings by +-20% from
# run to run; instructions counted by valgrind's callgrind do not.  Counts
# plain tshark, the floor postdissector (asks for tcp.stream only) and the
# plugin, one pass and -2, on one generated capture, and prints the ratios.
# Needs the build (cmake --build build) and valgrind; about 50x slower than
# tshark itself, so keep the capture small (default 10,000 conversations).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
conversations=${1:-10000}
seed=${2:-1}
scratch=$(mktemp -d /tmp/agenttls-callgrind.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
chmod 0777 "$scratch"

command -v valgrind >/dev/null || { echo "count_instructions: valgrind missing" >&2; exit 1; }
gcc -O2 -o "$scratch/gen_capture" "$repo/bench/gen_capture.c"
"$scratch/gen_capture" --conversations "$conversations" --seed "$seed" \
  --out "$scratch/capture.pcap" --expected "$scratch/expected.tsv" 2>/dev/null
chmod 0644 "$scratch/capture.pcap"

count() { # count LABEL PLUGIN_DIR TSHARK_ARGS...
  local label=$1 plugin_dir=$2
  shift 2
  AGENTTLS_PLUGIN_DIR=$plugin_dir \
  AGENTTLS_TSHARK_WRAPPER="valgrind --tool=callgrind --callgrind-out-file=$scratch/$label.out" \
    "$repo/tests/lib/tshark-with-plugin" "$@" -r "$scratch/capture.pcap" \
    >/dev/null 2>"$scratch/$label.log"
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$scratch/$label.log"
}

echo "instructions (callgrind), $conversations generated conversations, seed $seed"
printf '| configuration | 1 pass | ratio | -2 | ratio |\n|---|---:|---:|---:|---:|\n'
plain1=$(count plain1 none) plain2=$(count plain2 none -2)
for config in "plain:none" "floor:$repo/build/bench-floor/plugins" "plugin:$repo/build/plugins"; do
  label=${config%%:*} dir=${config#*:}
  if [ "$label" = plain ]; then one=$plain1 two=$plain2; else
    one=$(count "${label}1" "$dir"); two=$(count "${label}2" "$dir" -2); fi
  awk -v l="$label" -v a="$one" -v b="$two" -v p="$plain1" -v q="$plain2" \
    'BEGIN { printf "| %s | %.3fG | %.3f | %.3fG | %.3f |\n", l, a / 1e9, a / p, b / 1e9, b / q }'
done
