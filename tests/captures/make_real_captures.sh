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
WORK=$(mktemp -d /tmp/tls-real-captures.XXXXXX)
PIDS=()

cleanup() {
    local pid
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '[real-captures] %s\n' "$*" >&2; }

make_cert() {
    timeout 30 openssl req -x509 -newkey rsa:2048 -nodes \
        -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
        -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
        2>/dev/null
}

port_listening() { ss -Hltn "sport = :$PORT" | grep -q .; }

wait_listening() {
    local i
    for i in $(seq 1 100); do
        port_listening && return 0
        sleep 0.05
    done
    log "nothing listens on $PORT"; return 1
}

start_capture() {  # $1 = capture name; sets CAP_PID
    local err="$WORK/$1.dumpcap.err" i
    timeout 60 dumpcap -q -i lo -f "tcp port $PORT" -P -w "$WORK/$1" \
        2>"$err" &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
    for i in $(seq 1 100); do
        grep -q "Capturing on" "$err" 2>/dev/null && { sleep 0.3; return 0; }
        sleep 0.05
    done
    log "dumpcap did not start: $(cat "$err")"; return 1
}

stop_capture() {  # $1 = capture name
    sleep 0.5
    kill -INT "$CAP_PID" 2>/dev/null || true
    wait "$CAP_PID" 2>/dev/null || true
    cp "$WORK/$1" "$OUT/$1.tmp" && chmod 644 "$OUT/$1.tmp" && mv "$OUT/$1.tmp" "$OUT/$1"
    log "wrote $OUT/$1 ($(tshark -r "$OUT/$1" 2>/dev/null | wc -l) frames)"
}

s_server() {  # extra s_server options...; sets SRV_PID
    (sleep 3) | timeout 10 openssl s_server -accept "$HOST:$PORT" \
        -cert "$WORK/cert.pem" -key "$WORK/key.pem" -naccept 1 "$@" \
        >"$WORK/server.log" 2>&1 &
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    wait_listening
}

s_client() {  # extra s_client options...; prints the client's summary
    (sleep 1) | timeout 10 openssl s_client -connect "$HOST:$PORT" \
        -servername localhost "$@" >"$WORK/client.log" 2>&1 || true
    grep -E "^(New|Protocol|    Protocol|    Cipher)|alert|error|errno" \
        "$WORK/client.log" | sed 's/^/    client: /' | head -8 >&2 || true
}

finish_server() {
    wait "$SRV_PID" 2>/dev/null || true
    grep -E "alert|error|shared|CIPHER|Protocol" "$WORK/server.log" \
        | sed 's/^/    server: /' | head -6 >&2 || true
}

capture_openssl() {  # $1 name; $2 server opts; $3 client opts
    local name=$1
    log "--- $name"
    start_capture "$name"
    # shellcheck disable=SC2086
    s_server $2
    # shellcheck disable=SC2086
    s_client $3
    finish_server
    stop_capture "$name"
}

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
    s_client
    wait "$SRV_PID" 2>/dev/null || true
    stop_capture "$name"
}

main() {
    if port_listening; then
        log "port $PORT already in use"; exit 1
    fi
    mkdir -p "$OUT"
    make_cert
    capture_openssl real-tls13-ok.pcap "" ""
    capture_openssl real-tls12-ok.pcap "-tls1_2" "-tls1_2"
    # Client offers TLS 1.3/1.2/1.1 (1.1 needs SECLEVEL=0 in OpenSSL 3);
    # server only speaks TLS 1.1.
    capture_openssl real-downgrade-to-tls11.pcap \
        "-tls1_1 -cipher DEFAULT:@SECLEVEL=0" \
        "-min_protocol TLSv1.1 -cipher DEFAULT:@SECLEVEL=0"
    # TLS 1.2 only; server accepts only AES128-SHA, client offers only
    # ECDHE-RSA-AES256-GCM-SHA384 -> server alert handshake_failure (40).
    capture_openssl real-no-shared-cipher.pcap \
        "-tls1_2 -cipher AES128-SHA" \
        "-tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384"
    capture_reset_after_hello
}

main "$@"
