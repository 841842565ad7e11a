#!/usr/bin/env python3
"""Writes the pathological captures the robustness tests feed to tshark.

  make_pathological.py OUTDIR NAME [ARG]

NAME is one of:
  max-ciphers        stream 0: ClientHello with 32767 cipher suites (65534-byte
                     list, the most the 16-bit length allows) in 5 TLS records
                     and ~46 TCP segments; stream 1: 32736 suites, the longest
                     that Wireshark 4.0 reassembles (65534-byte message); the
                     ServerHello picks the last suite.
  odd-cipher-length  ClientHello whose cipher list length is odd (7 bytes),
                     answered by a ServerHello; and one with length 1.
  many-handshakes    ARG (default 10000) ClientHello/ServerHello pairs in one
                     TCP connection.
  many-conversations ARG (default 100000) two-frame conversations: a
                     ClientHello and the server's RST (reset_after_hello),
                     each on its own client address/port.
  rst-flood          a ClientHello answered by 5000 RSTs, 5000 RSTs from the
                     client, and 2000 RST-only streams.
  alert-flood        a ClientHello answered by one TCP segment holding 200
                     fatal alert records, then 3000 more alert records; plus
                     1000 streams that carry only a fatal alert.
  server-hello-only  a ServerHello (with Certificate) and no ClientHello.
  truncated          hellos cut short in several ways: a record claiming more
                     bytes than follow before a FIN, a ServerHello that stops
                     after its version, a handshake header with no body, and
                     snaplen-truncated frames (caplen < len).
Python standard library only; reuses tests/captures/tlscraft.py.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "captures"))
import tlscraft as t  # noqa: E402

SERVER_PORT = 443
T0 = 1700000000.0


def conv(n, server_ip="192.0.2.10", client_ip=None, client_port=None):
    client_ip = client_ip or "10.%d.%d.%d" % ((n >> 16) & 255, (n >> 8) & 255, (n & 255) or 1)
    client_port = client_port or 1024 + (n % 60000)
    c = t.Endpoint("02:00:00:00:00:01", client_ip, client_port, 1000 + n * 7)
    s = t.Endpoint("02:00:00:00:00:02", server_ip, SERVER_PORT, 5000000 + n * 13)
    return t.Conversation(c, s)


def hello_pair(suites, pick, label, version=t.TLS12):
    ch = t.client_hello(version, t.det_bytes(label + "/cr", 32), suites,
                        [t.ext_server_name("example.test")])
    sh = t.server_hello(version, t.det_bytes(label + "/sr", 32), b"", pick, [])
    return ch, sh


def records(version, content_type, body, max_len=16384):
    """A handshake body split over as many records as it needs."""
    return b"".join(t.record(content_type, version, body[i:i + max_len])
                    for i in range(0, len(body), max_len))


class Out:
    def __init__(self, path):
        self.w = t.PcapWriter(path)
        self.ts = T0

    def add(self, c):
        for _, frame in c.packets:
            self.ts += 0.0001
            self.w.write(self.ts, frame)
        c.packets.clear()

    def raw(self, frame, caplen=None):
        """A frame written with caplen < len (snaplen truncation)."""
        self.ts += 0.0001
        data = frame if caplen is None else frame[:caplen]
        sec, usec = int(self.ts), int(round((self.ts - int(self.ts)) * 1e6)) % 1000000
        self.w.f.write(struct.pack("<IIII", sec, usec, len(data), len(frame)))
        self.w.f.write(data)

    def close(self):
        self.w.close()


def max_ciphers(out):
    # Stream 0: 32767 suites, the most the 16-bit list length allows.  The
    # ClientHello is then longer than 65535 bytes, which Wireshark 4.0's TLS
    # dissector does not reassemble; the plugin sees only the ServerHello.
    # Stream 1: 32736 suites, the longest list whose ClientHello (65534 bytes)
    # Wireshark 4.0 does decode.  In both, the server picks the last suite.
    for stream, count in ((0, 32767), (1, 32736)):
        suites = [0x0100 + i for i in range(count)]  # none GREASE/SCSV: all counted
        suites[-1] = 0xc02f                           # the pick, offered last
        ch, sh = hello_pair(suites, 0xc02f, "max")
        c = conv(stream + 1)
        c.handshake(T0, T0, T0)
        c.send(T0, True, records(t.TLS12, t.CT_HANDSHAKE, ch), 1028)
        c.send(T0, False, t.handshake_record(t.TLS12, sh), 1028)
        c.send(T0, True, t.change_cipher_spec(t.TLS12), 1028)  # the client goes on
        c.fin(T0, True, 1028)
        out.add(c)


def odd_cipher_length(out):
    for n, length in ((1, 7), (2, 1)):
        body = (t.u16(t.TLS12) + t.det_bytes("odd%d" % n, 32) + t.vec8(b"") +
                t.u16(length) + bytes([0xc0, 0x2f, 0xc0, 0x30, 0x00, 0x9c, 0x13][:length]) +
                t.vec8(b"\x00") + t.vec16(b""))
        ch = t.handshake(t.HT_CLIENT_HELLO, body)
        sh = t.server_hello(t.TLS12, t.det_bytes("odd-sr", 32), b"", 0xc02f, [])
        c = conv(n)
        c.handshake(T0, T0, T0)
        c.send(T0, True, t.handshake_record(t.TLS12, ch), 1028)
        c.send(T0, False, t.handshake_record(t.TLS12, sh), 1028)
        c.rst(T0, False)
        out.add(c)


def many_handshakes(out, count):
    suites = [0xc02f, 0xc030, 0x009c]
    ch, sh = hello_pair(suites, 0xc02f, "many")
    c = conv(1)
    c.handshake(T0, T0, T0)
    out.add(c)
    for _ in range(count):
        c.send(T0, True, t.handshake_record(t.TLS12, ch), 1028)
        c.send(T0, False, t.handshake_record(t.TLS12, sh), 1028)
        out.add(c)
    c.send(T0, True, t.change_cipher_spec(t.TLS12), 1028)  # the client goes on
    c.fin(T0, True, 1028)
    out.add(c)


def many_conversations(out, count):
    ch = t.handshake_record(t.TLS12, t.client_hello(
        t.TLS12, t.det_bytes("conv", 32), [0xc02f, 0xc030, 0x009c], []))
    for n in range(count):
        c = conv(n)
        c.send(T0, True, ch, 1028)
        c.rst(T0, False)
        out.add(c)


def rst_flood(out):
    ch, _ = hello_pair([0xc02f], 0xc02f, "rst")
    c = conv(1)
    c.handshake(T0, T0, T0)
    c.send(T0, True, t.handshake_record(t.TLS12, ch), 1028)
    for _ in range(5000):
        c.rst(T0, False)
    for _ in range(5000):
        c.rst(T0, True)
    out.add(c)
    for n in range(2, 2002):
        c = conv(n)
        c.rst(T0, n % 2 == 0)
        out.add(c)


def alert_flood(out):
    ch, _ = hello_pair([0xc02f], 0xc02f, "alert")
    c = conv(1)
    c.handshake(T0, T0, T0)
    c.send(T0, True, t.handshake_record(t.TLS12, ch), 1028)
    # 200 alert records in one TCP segment: more messages than the plugin
    # reads per frame (64).
    many = b"".join(t.alert(t.TLS12, t.ALERT_FATAL, 40) for _ in range(200))
    c.send(T0, False, many, 1028)
    for i in range(3000):
        c.send(T0, i % 2 == 0, t.alert(t.TLS12, t.ALERT_FATAL, 40 + i % 60), 1028)
    out.add(c)
    for n in range(2, 1002):
        c = conv(n)
        c.send(T0, False, t.alert(t.TLS12, t.ALERT_FATAL, 70), 1028)
        out.add(c)


def server_hello_only(out):
    sh = t.server_hello(t.TLS12, t.det_bytes("sho", 32), b"", 0xc02f, [])
    cert = t.certificate([t.det_bytes("cert", 600)])
    c = conv(1)
    c.send(T0, False, t.handshake_record(t.TLS12, sh, cert, t.server_hello_done()), 1028)
    c.fin(T0, False, 1028)
    out.add(c)


def truncated(out):
    ch, sh = hello_pair([0xc02f, 0xc030], 0xc02f, "trunc")
    # 1: a ClientHello record claiming 500 more bytes than are sent, then FIN.
    c = conv(1)
    c.handshake(T0, T0, T0)
    rec = t.handshake_record(t.TLS12, ch)
    c.send(T0, True, rec[:3] + t.u16(len(rec) - 5 + 500) + rec[5:], 1028)
    c.fin(T0, True, 1028)
    c.fin(T0, False, 1028)
    out.add(c)
    # 2: a ServerHello that stops right after its version.
    c = conv(2)
    c.handshake(T0, T0, T0)
    c.send(T0, True, t.handshake_record(t.TLS12, ch), 1028)
    short = t.handshake(t.HT_SERVER_HELLO, t.u16(t.TLS12))
    c.send(T0, False, t.handshake_record(t.TLS12, short), 1028)
    c.rst(T0, False)
    out.add(c)
    # 3: a handshake header with a length but no body, in a complete record.
    c = conv(3)
    c.handshake(T0, T0, T0)
    c.send(T0, True, t.record(t.CT_HANDSHAKE, t.TLS12, b"\x01\x00\x01\x00"), 1028)
    c.send(T0, False, t.record(t.CT_HANDSHAKE, t.TLS12, b"\x02\x00\x00\x46"), 1028)
    c.rst(T0, False)
    out.add(c)
    # 4: frames cut by a snaplen in the middle of the hellos.
    c = conv(4)
    c.handshake(T0, T0, T0)
    out.add(c)
    for caplen, from_client, msg in ((90, True, ch), (120, False, sh)):
        c.send(T0, from_client, t.handshake_record(t.TLS12, msg), 1028)
        _, frame = c.packets.pop()
        out.raw(frame, caplen)
    c.rst(T0, False)
    out.add(c)
    # 5: a record header alone at the end of the capture.
    c = conv(5)
    c.handshake(T0, T0, T0)
    c.send(T0, True, t.handshake_record(t.TLS12, ch)[:5], 1028)
    out.add(c)


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    outdir, name = sys.argv[1], sys.argv[2]
    arg = int(sys.argv[3]) if len(sys.argv) > 3 else None
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "%s%s.pcap" % (name, "-%d" % arg if arg else ""))
    out = Out(path)
    makers = {
        "max-ciphers": lambda: max_ciphers(out),
        "odd-cipher-length": lambda: odd_cipher_length(out),
        "many-handshakes": lambda: many_handshakes(out, arg or 10000),
        "many-conversations": lambda: many_conversations(out, arg or 100000),
        "rst-flood": lambda: rst_flood(out),
        "alert-flood": lambda: alert_flood(out),
        "server-hello-only": lambda: server_hello_only(out),
        "truncated": lambda: truncated(out),
    }
    if name not in makers:
        sys.stderr.write("unknown capture %s\n" % name)
        return 2
    makers[name]()
    out.close()
    os.chmod(path, 0o644)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
