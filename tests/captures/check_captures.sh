#!/usr/bin/env bash
# Sanity-check the capture set with plain tshark (no plugin needed):
#  * every row of expected.tsv names an existing pcap and a tcp.stream that
#    carries a TLS ClientHello (decoded without "-d", i.e. heuristically;
#    rows with verdict "incomplete" need a ServerHello instead);
#  * exception: files in AGENT_PORT_DECODE hold only SSL 2.0, which the
#    TCP heuristic does not recognise; they are read with
#    "-d tcp.port==4343,tls", as the plugin's agenttls.agent_ports does;
#  * no capture has malformed packets or error-level expert info;
#  * crafted/seed captures have valid IPv4 and TCP checksums (the real
#    loopback captures carry offloaded, unfilled TCP checksums, so they are
#    not checked).
#   bash tests/captures/check_captures.sh
set -euo pipefail
cd "$(dirname "$0")"
fail=0
bad() { echo "FAIL: $*"; fail=1; }

AGENT_PORT_DECODE="crafted-sslv2-only.pcap"
decode() {  # tshark options needed to decode $1
    case " $AGENT_PORT_DECODE " in
    *" $1 "*) echo "-d tcp.port==4343,tls" ;;
    esac
}

for f in *.pcap; do
    # shellcheck disable=SC2046
    errs=$(tshark -r "$f" $(decode "$f") \
        -Y '_ws.malformed || _ws.expert.severity == error' \
        2>/dev/null | wc -l)
    [ "$errs" = 0 ] || bad "$f: $errs malformed/error frames"
    case $f in real-*) continue ;; esac
    badck=$(tshark -r "$f" -o ip.check_checksum:TRUE \
        -o tcp.check_checksum:TRUE \
        -Y 'ip.checksum.status != 1 || tcp.checksum.status != 1' \
        2>/dev/null | wc -l)
    [ "$badck" = 0 ] || bad "$f: $badck frames with bad checksums"
done

while IFS=$'\t' read -r file stream hs verdict findings; do
    [ -f "$file" ] || { bad "$file missing"; continue; }
    hello=1 what=ClientHello
    [ "$verdict" = incomplete ] && hello=2 what=ServerHello
    # shellcheck disable=SC2046
    n=$(tshark -r "$file" $(decode "$file") \
        -Y "tcp.stream == $stream && tls.handshake.type == $hello" \
        2>/dev/null | wc -l)
    [ "$n" -ge "$hs" ] || bad "$file stream $stream: $n $what(s), need $hs"
    echo "ok: $file stream $stream handshake $hs -> $verdict ($findings)"
done < <(tail -n +2 expected.tsv)

for f in *.pcap; do
    grep -q "^$f	" expected.tsv || bad "$f has no row in expected.tsv"
done
[ "$fail" = 0 ] && echo "all captures look sane"
exit "$fail"
