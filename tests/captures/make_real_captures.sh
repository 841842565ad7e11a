#!/usr/bin/env bash
# Capture REAL TLS handshakes (OpenSSL 3 s_server/s_client, plus a tiny
# Python RST server) on the loopback interface, one at a time, on port 4343
# (Wireshark's TCP heuristic decodes TLS there without "-d").
#
#   bash tests/captures/make_real_captures.sh [output-dir]
#
# Needs: dumpcap (root or capture capability), openssl, python3, ss.
# Only 127.0.0.1 is used.  A throwaway key/cert is generated in a temp dir
# and deleted at exit.  Every process runs under `timeout`.  Re-running
# overwrites the .pcap files (idempotent; contents differ run to run because
# real stacks use fresh randoms and ports).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
PORT=${PORT:-4343}
HOST=127.0.0.1
LOG_TAG=real-captures
# shellcheck source=tests/captures/real_capture_lib.sh
. "$HERE/real_capture_lib.sh"

rst_server() {  # accept, read the ClientHello record, close with RST
    timeout 10 python3 - "$HOST" "$PORT" <<'EOF' &
import socket, struct, sys
host, port = sys.argv[1], int(sys.argv[2])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((host, port))
srv.listen(1)
srv.settimeout(8)
conn, _ = srv.accept()
conn.settimeout(5)
data = b""
while len(data) < 5 or len(data) < 5 + struct.unpack("!H", data[3:5])[0]:
    chunk = conn.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stderr.write("    rst-server: read %d bytes, first record type %d\n"
                 % (len(data), data[0] if data else -1))
conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
conn.close()
srv.close()
EOF
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    wait_listening
}

capture_reset_after_hello() {
    local name=real-reset-after-hello.pcap
    log "--- $name"
    start_capture "$name"
    rst_server
    # shellcheck disable=SC2086
    s_client $CLI_PLAIN
    wait "$SRV_PID" 2>/dev/null || true
    stop_capture "$name"
}

main() {
    if port_listening; then
        log "port $PORT already in use"; exit 1
    fi
    mkdir -p "$OUT"
    make_plain_cert
    capture_openssl real-tls13-ok "$SRV_PLAIN" "$CLI_PLAIN"
    capture_openssl real-tls12-ok "$SRV_PLAIN -tls1_2" "$CLI_PLAIN -tls1_2"
    # Client offers TLS 1.3/1.2/1.1 (1.1 needs SECLEVEL=0 in OpenSSL 3);
    # server only speaks TLS 1.1.
    capture_openssl real-downgrade-to-tls11 \
        "$SRV_PLAIN -tls1_1 -cipher DEFAULT:@SECLEVEL=0" \
        "$CLI_PLAIN -min_protocol TLSv1.1 -cipher DEFAULT:@SECLEVEL=0"
    # TLS 1.2 only; server accepts only AES128-SHA, client offers only
    # ECDHE-RSA-AES256-GCM-SHA384 -> server alert handshake_failure (40).
    capture_openssl real-no-shared-cipher \
        "$SRV_PLAIN -tls1_2 -cipher AES128-SHA" \
        "$CLI_PLAIN -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384"
    capture_reset_after_hello
}

main "$@"
