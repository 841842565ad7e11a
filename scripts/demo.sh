#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds the plugin and shows its verdict
# for each conversation of the bundled captures (the seed article's four
# traces merged into one file).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

scratch=$(mktemp -d /tmp/agenttls-demo.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mergecap -F pcap -w "$scratch/seed-article.pcap" tests/captures/seed-*.pcap
chmod -R a+rX "$scratch"

echo
echo "Verdict per conversation (tshark -2 with the plugin on the seed article's traces):"
tests/lib/tshark-with-plugin -2 -r "$scratch/seed-article.pcap" -Y 'agenttls.verdict' \
  -T fields -E separator='|' -e tcp.stream -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
  -e agenttls.verdict -e agenttls.summary |
  awk -F'|' '!seen[$1]++ {
      printf "stream %s  %s:%s <-> %s:%s\n    verdict: %s\n    %s\n", $1, $2, $3, $4, $5, $6, $7 }'
