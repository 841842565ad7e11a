#!/usr/bin/env bash
# list_verdicts.sh [CAPTURE...]: what the plugin says about each handshake of
# each capture (default: every capture in tests/captures), one pass and -2,
# as a markdown table.  Reads the build in build/plugins.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tshark_with_plugin=$repo/tests/lib/tshark-with-plugin
scratch=$(mktemp -d /tmp/agenttls-list.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
if [ "$#" -eq 0 ]; then set -- "$repo"/tests/captures/*.pcap; fi
"$repo/tests/lib/stage-captures" "$scratch" "$@"

# The last verdict each (stream, handshake) shows in a run.
verdicts() { # verdicts FILE [-2]
  "$tshark_with_plugin" ${2:-} -r "$1" -Y agenttls -T fields -E separator=/t -E occurrence=a \
    -E aggregator=, -e tcp.stream -e agenttls.handshake -e agenttls.verdict -e agenttls.finding |
    awk -F'\t' '{ n = split($1, s, ","); key = s[n] "\t" $2; v[key] = ($3 == "" ? "(pending)" : $3); f[key] = $4
                  if (!(key in seen)) { seen[key] = 1; order[++count] = key } }
                END { for (i = 1; i <= count; i++) print order[i] "\t" v[order[i]] "\t" f[order[i]] }'
}

echo "| capture | stream | handshake | one pass | -2 | findings (-2) |"
echo "|---|---:|---:|---|---|---|"
for capture in "$@"; do
  name=$(basename "$capture")
  join -t $'\t' -j1 \
    <(verdicts "$scratch/$name" | awk -F'\t' '{print $1 "/" $2 "\t" $3}' | sort) \
    <(verdicts "$scratch/$name" -2 | awk -F'\t' '{print $1 "/" $2 "\t" $3 "\t" $4}' | sort) |
    awk -F'\t' -v name="$name" '{ split($1, k, "/"); printf "| %s | %s | %s | %s | %s | %s |\n", name, k[1], k[2], $2, $3, ($4 == "" ? "-" : $4) }'
done
