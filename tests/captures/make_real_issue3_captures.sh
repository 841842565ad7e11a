#!/usr/bin/env bash
# shellcheck disable=SC2015,SC2034,SC2086  # option strings are split on purpose
# Capture REAL TLS handshakes for the extended verdicts (issue 3): OpenSSL 3
# s_server/s_client and small Python servers on the loopback interface, one
# capture at a time.  Port 4343 unless the case needs another (STARTTLS cases
# use the protocol's well-known port so that tshark's SMTP/IMAP/POP dissector
# sees the STARTTLS exchange and hands the rest to TLS).
#
#   bash tests/captures/make_real_issue3_captures.sh [output-dir] [case...]
#
# Without case names every capture is made (~60 s).  A case is the capture
# file name without ".pcap", e.g. real-hello-retry.
#
# Needs: dumpcap (root or capture capability), editcap, tshark, openssl,
# gnutls-cli (gnutls-bin), python3, ss.  Only 127.0.0.1 is used.  Throwaway keys/certificates are
# generated in a temp dir and deleted at exit.  Every process runs under
# `timeout`.  Re-running overwrites the .pcap files (contents differ run to
# run because real stacks use fresh randoms and ports; the verdicts do not).
# real-incomplete.pcap is cut from real-tls12-ok.pcap (make_real_captures.sh)
# in the output directory.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
shift || true
HOST=127.0.0.1
PORT=4343
LOG_TAG=real-issue3
# shellcheck source=tests/captures/real_capture_lib.sh
. "$HERE/real_capture_lib.sh"

# ------------------------------------------------------------ certificates

make_certs() {
    local d=$WORK o="timeout 30 openssl"
    make_plain_cert
    # A throwaway CA that looks like an HTTPS-inspection gateway's ...
    $o req -x509 -newkey rsa:2048 -nodes -keyout "$d/gw-ca.key" \
        -out "$d/gw-ca.pem" -days 2 \
        -subj "/O=Example Security Gateway/CN=Corp HTTPS Inspection CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    # ... that issues the "server" certificate the agent sees, ...
    $o req -new -newkey rsa:2048 -nodes -keyout "$d/gw-leaf.key" \
        -out "$d/gw-leaf.csr" -subj "/CN=apexone.corp.local" 2>/dev/null
    printf 'subjectAltName=DNS:apexone.corp.local\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
        >"$d/gw-leaf.ext"
    $o x509 -req -in "$d/gw-leaf.csr" -CA "$d/gw-ca.pem" \
        -CAkey "$d/gw-ca.key" -CAcreateserial -days 2 \
        -extfile "$d/gw-leaf.ext" -out "$d/gw-leaf.pem" 2>/dev/null
    # ... and the CA the agent actually trusts (a different one).
    $o req -x509 -newkey rsa:2048 -nodes -keyout "$d/agent-ca.key" \
        -out "$d/agent-ca.pem" -days 2 \
        -subj "/O=Example Corp/CN=Apex One Server Root CA" 2>/dev/null
}

# ------------------------------------------------------------ capture

SRV_GW="-cert $WORK/gw-leaf.pem -key $WORK/gw-leaf.key"
CLI_AGENT="-servername apexone.corp.local -verify_return_error -CAfile $WORK/agent-ca.pem"

capture_gnutls_client() {  # $1 name; $2 s_server opts.  gnutls-cli as the
    # agent, trusting only the agent CA (verification fails -> it aborts).
    local name=$1.pcap
    log "--- $name"
    start_capture "$name"
    # shellcheck disable=SC2086
    s_server $2
    timeout 10 gnutls-cli -p "$PORT" --sni-hostname apexone.corp.local \
        --x509cafile "$WORK/agent-ca.pem" "$HOST" </dev/null \
        >"$WORK/client.log" 2>&1 || true
    grep -E "Status|failed|Error" "$WORK/client.log" \
        | sed 's/^/    gnutls-cli: /' | head -4 >&2 || true
    finish_server
    stop_capture "$name"
}

# ------------------------------------------------------------ python servers

py_server() {  # $1 mode (close|silent|smtp|imap|pop3); sets SRV_PID
    timeout 15 python3 - "$HOST" "$PORT" "$1" "$WORK/cert.pem" \
        "$WORK/key.pem" <<'EOF' 2>"$WORK/pyserver.log" &
import socket, ssl, struct, sys, time
host, port, mode, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    sys.argv[4], sys.argv[5]
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((host, port))
srv.listen(1)
srv.settimeout(8)
conn, _ = srv.accept()
conn.settimeout(8)

def read_record():
    data = b""
    while len(data) < 5 or len(data) < 5 + struct.unpack("!H", data[3:5])[0]:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    sys.stderr.write("    py-server: read %d bytes, first record type %d\n"
                     % (len(data), data[0] if data else -1))
    return data

def read_line():
    line = b""
    while not line.endswith(b"\n"):
        chunk = conn.recv(1)
        if not chunk:
            break
        line += chunk
    sys.stderr.write("    py-server: got %r\n" % line)
    return line

def say(text):
    conn.sendall(text.encode())

if mode == "close":        # read the hello, close with FIN (no RST: drain first)
    read_record()
    conn.shutdown(socket.SHUT_WR)
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass
    conn.close()
elif mode == "silent":     # read the hello, never answer
    read_record()
    time.sleep(12)
else:                      # STARTTLS stub, then TLS as the server
    if mode == "smtp":
        say("220 mail.corp.local ESMTP stub\r\n")
        read_line()                                   # EHLO
        say("250-mail.corp.local\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        read_line()                                   # STARTTLS
        say("220 2.0.0 Ready to start TLS\r\n")
    elif mode == "imap":
        say("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] stub ready\r\n")
        tag = read_line().split(b" ")[0].decode()     # <tag> CAPABILITY
        say("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n"
            "%s OK CAPABILITY completed\r\n" % tag)
        tag = read_line().split(b" ")[0].decode()     # <tag> STARTTLS
        say("%s OK Begin TLS negotiation now\r\n" % tag)
    elif mode == "pop3":
        say("+OK POP3 stub ready\r\n")
        read_line()                                   # STLS
        say("+OK Begin TLS negotiation\r\n")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    tls = ctx.wrap_socket(conn, server_side=True)
    sys.stderr.write("    py-server: %s %s\n" % (tls.version(), tls.cipher()[0]))
    try:
        tls.recv(4096)                                # until the client closes
    except (ssl.SSLError, OSError):
        pass
    tls.close()
srv.close()
EOF
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    wait_listening
}

finish_py_server() {
    wait "$SRV_PID" 2>/dev/null || true
    cat "$WORK/pyserver.log" >&2 || true
}

capture_closed_after_hello() {
    local name=real-closed-after-hello.pcap
    log "--- $name"
    start_capture "$name"
    py_server close
    s_client $CLI_PLAIN
    finish_py_server
    stop_capture "$name"
}

capture_no_server_hello() {
    # The server reads the hello and sleeps; the client gives up after 3 s
    # (timeout kills it, the kernel sends its FIN).  The capture stops while
    # the server still holds the connection, so no server FIN is recorded.
    local name=real-no-server-hello.pcap
    log "--- $name"
    start_capture "$name"
    py_server silent
    (sleep 5) | timeout 3 openssl s_client -connect "$HOST:$PORT" \
        $CLI_PLAIN >"$WORK/client.log" 2>&1 || true
    stop_capture "$name"
    kill "$SRV_PID" 2>/dev/null || true
    wait "$SRV_PID" 2>/dev/null || true
}

capture_starttls() {  # $1 protocol (smtp|imap|pop3); $2 port
    local name=real-starttls-$1.pcap saved=$PORT
    PORT=$2
    log "--- $name (port $PORT)"
    start_capture "$name"
    py_server "$1"
    s_client $CLI_PLAIN -starttls "$1"
    finish_py_server
    stop_capture "$name"
    PORT=$saved
}

capture_incomplete() {
    # real-tls12-ok.pcap without the frames up to and including the
    # ClientHello: the capture starts at the server's answer.
    local name=real-incomplete.pcap src=$OUT/real-tls12-ok.pcap ch
    log "--- $name (from $src)"
    ch=$(tshark -r "$src" -Y "tls.handshake.type == 1" -T fields \
        -e frame.number 2>/dev/null | head -1)
    [ -n "$ch" ] || { log "no ClientHello in $src"; return 1; }
    editcap -F pcap -r "$src" "$OUT/$name.tmp" "$((ch + 1))-1000000" &&
        chmod 644 "$OUT/$name.tmp" && mv "$OUT/$name.tmp" "$OUT/$name"
    log "wrote $OUT/$name (frames $((ch + 1))- of $src)"
}

# ------------------------------------------------------------ cases

run_case() {
    case $1 in
    real-version-rejected)   # server TLS 1.3 only, client TLS 1.2 only
        capture_openssl "$1" "$SRV_PLAIN -tls1_3" "$CLI_PLAIN -tls1_2" ;;
    real-fallback-rejected)  # client says "fallback" at 1.2, server has 1.3
        capture_openssl "$1" "$SRV_PLAIN" "$CLI_PLAIN -tls1_2 -fallback_scsv" ;;
    real-closed-after-hello) capture_closed_after_hello ;;
    real-no-server-hello)    capture_no_server_hello ;;
    real-certificate-rejected)  # TLS 1.2, the agent does not trust the gateway CA
        capture_openssl "$1" "$SRV_GW -tls1_2" "$CLI_AGENT -tls1_2" ;;
    real-client-aborted-tls13)  # the same with TLS 1.3, GnuTLS client:
        capture_gnutls_client "$1" "$SRV_GW -tls1_3" ;;  # encrypted alert
    real-tls13-unknown-ca-cleartext)  # TLS 1.3, OpenSSL client: alert in clear
        capture_openssl "$1" "$SRV_GW -tls1_3" "$CLI_AGENT -tls1_3" ;;
    real-deprecated-tls10)
        capture_openssl "$1" "$SRV_PLAIN -tls1 -cipher DEFAULT:@SECLEVEL=0" \
            "$CLI_PLAIN -tls1 -cipher DEFAULT:@SECLEVEL=0" ;;
    real-weak-cipher)        # TLS 1.2 NULL-SHA256 (no encryption at all)
        capture_openssl "$1" "$SRV_PLAIN -tls1_2 -cipher NULL-SHA256:@SECLEVEL=0" \
            "$CLI_PLAIN -tls1_2 -cipher NULL-SHA256:@SECLEVEL=0" ;;
    real-downgrade-sentinel) # server up to 1.3, client up to 1.2
        capture_openssl "$1" "$SRV_PLAIN" "$CLI_PLAIN -tls1_2" ;;
    real-hello-retry)        # client key_share P-256, server wants X25519
        capture_openssl "$1" "$SRV_PLAIN -groups X25519" \
            "$CLI_PLAIN -groups P-256:X25519" ;;
    real-handshake-alert)    # TLS 1.2, server requires a client certificate
        capture_openssl "$1" "$SRV_PLAIN -tls1_2 -Verify 1" "$CLI_PLAIN -tls1_2" ;;
    real-starttls-smtp)      capture_starttls smtp 25 ;;
    real-starttls-imap)      capture_starttls imap 143 ;;
    real-starttls-pop3)      capture_starttls pop3 110 ;;
    real-incomplete)         capture_incomplete ;;
    *) log "unknown case $1"; return 1 ;;
    esac
}

ALL_CASES=(real-version-rejected real-fallback-rejected real-closed-after-hello
    real-no-server-hello real-certificate-rejected real-client-aborted-tls13
    real-tls13-unknown-ca-cleartext    real-deprecated-tls10 real-weak-cipher real-downgrade-sentinel
    real-hello-retry real-handshake-alert real-starttls-smtp real-starttls-imap
    real-starttls-pop3 real-incomplete)

main() {
    mkdir -p "$OUT"
    make_certs
    local c cases=("$@")
    [ "${#cases[@]}" -gt 0 ] || cases=("${ALL_CASES[@]}")
    for c in "${cases[@]}"; do
        run_case "$c"
    done
}

main "$@"
