# Shared by make_real_captures.sh and make_real_issue3_captures.sh: helpers
# that run real TLS stacks on loopback and capture them with dumpcap.
# Source it after setting OUT (output folder), HOST, PORT and LOG_TAG.
# shellcheck shell=bash

WORK=$(mktemp -d "/tmp/tls-$LOG_TAG.XXXXXX")
PIDS=()

cleanup() {
    local pid
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }

make_plain_cert() {  # a throwaway self-signed server certificate for localhost
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
    if port_listening; then
        log "port $PORT already in use"; return 1
    fi
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
    cp "$WORK/$1" "$OUT/$1.tmp" && chmod 644 "$OUT/$1.tmp" &&
        mv "$OUT/$1.tmp" "$OUT/$1"
    log "wrote $OUT/$1 ($(tshark -r "$OUT/$1" 2>/dev/null | wc -l) frames)"
}

# ------------------------------------------------------------ openssl

s_server() {  # extra s_server options...; sets SRV_PID
    (sleep 3) | timeout 10 openssl s_server -accept "$HOST:$PORT" \
        -naccept 1 "$@" >"$WORK/server.log" 2>&1 &
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    wait_listening
}

s_client() {  # extra s_client options...; prints the client's summary
    (sleep 1) | timeout 10 openssl s_client -connect "$HOST:$PORT" "$@" \
        >"$WORK/client.log" 2>&1 || true
    grep -aE "^(New|Protocol|    Protocol|    Cipher|Verify return)|alert|error|errno" \
        "$WORK/client.log" | sed 's/^/    client: /' | head -8 >&2 || true
}

finish_server() {
    wait "$SRV_PID" 2>/dev/null || true
    grep -E "alert|error|shared|CIPHER|Protocol|fallback" "$WORK/server.log" \
        | sed 's/^/    server: /' | head -6 >&2 || true
}

capture_openssl() {  # $1 name; $2 server opts; $3 client opts
    local name=$1.pcap
    log "--- $name"
    start_capture "$name"
    # shellcheck disable=SC2086
    s_server $2
    # shellcheck disable=SC2086
    s_client $3
    finish_server
    stop_capture "$name"
}

SRV_PLAIN="-cert $WORK/cert.pem -key $WORK/key.pem"
CLI_PLAIN="-servername localhost"
