#!/usr/bin/env bash
# The plugin loads in tshark (as a normal user), and every agenttls field and
# expert item is listed by `tshark -G fields` with a description.
set -euo pipefail
tshark_with_plugin=$(dirname "$0")/../lib/tshark-with-plugin
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

plugins=$("$tshark_with_plugin" -G plugins)
grep -q '^agenttls\.so' <<<"$plugins" || fail "tshark -G plugins does not list agenttls.so"

fields=$("$tshark_with_plugin" -G fields | awk -F'\t' '$5 == "agenttls" || $3 == "agenttls"')
grep -q $'^P\tAgent TLS Verdict\tagenttls' <<<"$fields" || fail "protocol agenttls not registered"
for field in verdict summary finding handshake client.max_version client.versions \
             client.cipher_count server.version server.cipher cipher_offered \
             client_hello_frame server_hello_frame decided_in \
             reset_after_hello no_shared_cipher cipher_unoffered version_downgrade; do
  row=$(awk -F'\t' -v abbrev="agenttls.$field" '$3 == abbrev' <<<"$fields")
  [ -n "$row" ] || { fail "agenttls.$field missing from tshark -G fields"; continue; }
done
# -G fields columns: kind, name, abbrev, type, protocol, base, bitmask, blurb.
# Expert items (FT_NONE) carry their text as the name instead.
undescribed=$(awk -F'\t' '$1 == "F" && $4 != "FT_NONE" && $8 == "" { print $3 }' <<<"$fields")
for abbrev in $undescribed; do fail "$abbrev has no description"; done
count=$(grep -c $'^F\t' <<<"$fields")
echo "registration: $count agenttls fields listed, $failures failures"
[ "$failures" = 0 ]
