#!/usr/bin/env python3
"""Reference verdicts computed from plain tshark's dissection (no plugin).

Checks a generated capture independently of the generator's own bookkeeping:
runs `tshark -2 -T fields` on the capture, applies the verdict rules of
README.md ("Verdicts") to what Wireshark itself decoded, and compares per
tcp.stream with the expected TSV.  Used to validate the generator, not the
plugin.

    python3 bench/ref_verdict.py capture.pcap expected.tsv [--tshark tshark]

Facts collected per stream (the client is whoever sent the ClientHello):
  before any ServerHello, from the server: RST -> reset_after_hello,
    FIN -> closed_after_hello, fatal alert 40/71 -> no_shared_cipher,
    70 -> version_rejected, 86 -> fallback_rejected, other -> handshake_alert
  ServerHello suite not among the offered ones (GREASE, 0x00ff and 0x5600
    never count) -> cipher_unoffered; lower than the client's highest version
    (ClientHello.version and supported_versions, GREASE ignored) ->
    version_downgrade
  after the ServerHello: fatal alert from the client, certificate alert
    (42-46, 48) after a Certificate (or under TLS 1.3) ->
    certificate_rejected; any other fatal alert from either side ->
    handshake_alert
  the client closes (FIN/RST) after the ServerHello with no alert and without
    going on (TLS <= 1.2: no handshake/CCS record of its own; TLS 1.3: no
    encrypted record longer than an alert-sized one, < 53 bytes) ->
    client_aborted
  ClientHello and nothing at all back by the end -> no_server_hello
  a ServerHello without any ClientHello in the capture -> incomplete
The verdict is the first that applies in README order:
  reset_after_hello closed_after_hello no_shared_cipher version_rejected
  fallback_rejected cipher_unoffered certificate_rejected handshake_alert
  client_aborted no_server_hello version_downgrade, then ok (ServerHello),
  then incomplete.
"""
import argparse
import subprocess
import sys

ORDER = ["reset_after_hello", "closed_after_hello", "no_shared_cipher", "version_rejected",
         "fallback_rejected", "cipher_unoffered", "certificate_rejected", "handshake_alert",
         "client_aborted", "no_server_hello", "version_downgrade"]

FIELDS = [
    "frame.number", "tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.flags.reset",
    "tcp.flags.fin", "tls.handshake.type", "tls.handshake.version",
    "tls.handshake.extensions.supported_version", "tls.handshake.ciphersuite",
    "tls.alert_message.level", "tls.alert_message.desc",
    "tls.record.content_type", "tls.record.opaque_type", "tls.record.length",
]
(F_FRAME, F_STREAM, F_SRC, F_DST, F_RST, F_FIN, F_HSTYPE, F_HSVER, F_SUPVER, F_SUITE,
 F_ALVL, F_ADESC, F_CT, F_OPAQUE, F_RLEN) = range(len(FIELDS))

TLS13 = 0x0304


def is_grease(v):
    return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)


def ints(s):
    return [int(x, 0) for x in s.split(",") if x] if s else []


def flag(s):
    return s in ("1", "True")


class Stream:
    def __init__(self):
        self.ch = None            # {"max": version, "suites": set}
        self.server_port = None
        self.sh = False
        self.version = 0
        self.cert = False
        self.alert = False
        self.closed = False
        self.continued = False
        self.findings = set()

    def verdict(self):
        if self.ch and not self.sh and not self.alert and not self.closed:
            self.findings.add("no_server_hello")
        for v in ORDER:
            if v in self.findings:
                return v
        if self.sh:
            return "ok" if self.ch else "incomplete"
        return None


def classify_alert(s, from_server, desc):
    if from_server:
        if not s.sh:
            return {40: "no_shared_cipher", 71: "no_shared_cipher", 70: "version_rejected",
                    86: "fallback_rejected"}.get(desc, "handshake_alert")
        return "handshake_alert"
    cert_alert = 42 <= desc <= 46 or desc == 48
    if cert_alert and (s.cert or (s.sh and s.version >= TLS13)):
        return "certificate_rejected"
    return "handshake_alert"


def feed(s, col):
    src, dst = int(col[F_SRC]), int(col[F_DST])
    types = ints(col[F_HSTYPE])
    if 1 in types and s.ch is None and not s.sh:
        s.server_port = dst
        vers = [v for v in ints(col[F_SUPVER]) if not is_grease(v)]
        legacy = ints(col[F_HSVER])[0]
        suites = {x for x in ints(col[F_SUITE]) if not is_grease(x) and x not in (0x00ff, 0x5600)}
        s.ch = {"max": max([legacy] + vers), "suites": suites}
        return
    if s.server_port is None:
        if 2 not in types:
            return
        s.server_port = src               # capture began after the ClientHello
    from_server = src == s.server_port
    if from_server and 2 in types and not s.sh:
        s.sh = True
        sv = ints(col[F_SUPVER])
        s.version = sv[0] if sv else ints(col[F_HSVER])[0]
        if s.ch:
            suite = ints(col[F_SUITE])[0]
            if suite not in s.ch["suites"]:
                s.findings.add("cipher_unoffered")
            if s.version < s.ch["max"]:
                s.findings.add("version_downgrade")
    if from_server and 11 in types and s.sh:
        s.cert = True
    if s.ch is None:
        return
    levels, descs = ints(col[F_ALVL]), ints(col[F_ADESC])
    for lvl, desc in zip(levels, descs):
        if lvl == 2 and not s.alert:
            s.alert = True
            s.findings.add(classify_alert(s, from_server, desc))
    if not from_server and s.sh and not s.alert and not s.closed and not s.continued:
        cts = ints(col[F_CT])
        if s.version >= TLS13:
            opaque = ints(col[F_OPAQUE])
            # Plaintext records (content_type) precede the opaque ones in a frame.
            lens = ints(col[F_RLEN])[len(cts):]
            if any(t == 23 and n >= 53 for t, n in zip(opaque, lens)):
                s.continued = True
        elif 20 in cts or 22 in cts:
            s.continued = True
    if (flag(col[F_RST]) or flag(col[F_FIN])) and not s.closed:
        if from_server and not s.sh and not s.alert:
            s.findings.add("reset_after_hello" if flag(col[F_RST]) else "closed_after_hello")
            s.closed = True
        elif not from_server and s.sh and not s.alert and not s.continued:
            s.findings.add("client_aborted")
            s.closed = True
        elif s.alert:
            s.closed = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pcap")
    ap.add_argument("expected")
    ap.add_argument("--tshark", default="tshark")
    a = ap.parse_args()

    cmd = [a.tshark, "-n", "-2", "-r", a.pcap, "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=,", "-Y", "tls || tcp.flags.reset == 1 || tcp.flags.fin == 1"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout
    st = {}
    for line in out.splitlines():
        col = line.split("\t")
        col += [""] * (len(FIELDS) - len(col))
        feed(st.setdefault(int(col[F_STREAM]), Stream()), col)

    expected = {}
    with open(a.expected) as f:
        header = f.readline()
        assert header.strip() == "stream\tverdict", header
        for line in f:
            k, v = line.rstrip("\n").split("\t")
            expected[int(k)] = v
    got = {k: s.verdict() for k, s in st.items()}
    got = {k: v for k, v in got.items() if v is not None}
    mism = 0
    for k, v in expected.items():
        if got.get(k) != v:
            mism += 1
            if mism <= 10:
                print(f"stream {k}: expected {v}, reference {got.get(k)}", file=sys.stderr)
    extra = set(got) - set(expected)
    counts = {}
    for v in expected.values():
        counts[v] = counts.get(v, 0) + 1
    print(f"ref_verdict: {len(expected)} streams expected, {len(got)} judged, "
          f"{mism} mismatches, {len(extra)} unexpected streams; {counts}")
    return 1 if mism or extra else 0


if __name__ == "__main__":
    sys.exit(main())
