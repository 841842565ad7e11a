#!/usr/bin/env python3
"""Write the crafted captures for the extended verdicts (issue 3).

Shapes no real stack produces on demand: a clear renegotiation, a
retransmitted ClientHello, SSLv2 hellos, the agent at the 4343 end sending
the ClientHello, a TLS 1.3 draft version, a server picking GREASE, a GRE
tunnel, a TLS 1.2 client that closes after the server's flight, and several
outcomes in one file.  Deterministic: re-running writes byte-identical files.

Run:  python3 tests/captures/make_issue3_captures.py [output-dir]
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)

import tlscraft as t  # noqa: E402
import make_seed_captures as seed  # noqa: E402

ts = seed.ts
DAY = "2024-02-01"
CERT_DER = seed.CERT_DER
AGENT_IP = "10.0.3.50"
SERVER_IP = seed.SERVER_IP
MAC_AGENT = seed.MAC_AGENT_A
MAC_SERVER = seed.MAC_SERVER_A


def conv_for(label, client_port, wrap=None):
    """Agent 10.0.3.50:client_port -> server 10.0.2.105:4343."""
    return t.Conversation(*seed.endpoints(MAC_AGENT, AGENT_IP, client_port,
                                          MAC_SERVER, label), wrap=wrap)


def at(hms_us):
    return ts(DAY, hms_us)


def tls12_hello(label, suites=None, exts=None, version=t.TLS12,
                record_version=t.TLS12):
    if suites is None:
        suites = seed.SUITES_TLS12_21
    if exts is None:
        exts = [t.ext_server_name("apexone.corp.local"),
                t.ext_supported_groups(seed.GROUPS),
                t.ext_ec_point_formats(), t.ext_signature_algorithms(),
                t.ext_alpn(seed.ALPN), t.ext_extended_master_secret(),
                t.ext_renegotiation_info()]
    ch = t.client_hello(version, t.det_bytes(label + "/cr", 32), suites, exts)
    return t.handshake_record(record_version, ch)


def full_tls12(conv, label, t0, suite=0xc030, version=t.TLS12):
    """Client hello .. server Finished, starting at second t0 (string
    'HH:MM:SS'); the server flight is 2 segments of at most 1400 bytes."""
    conv.handshake(at(t0 + ".000000"), at(t0 + ".000300"),
                   at(t0 + ".000350"), server_mss=1400)
    conv.send(at(t0 + ".001000"), True, tls12_hello(label), 1028)
    conv.send([at(t0 + ".002000"), at(t0 + ".002010")], False,
              seed.server_flight(version, suite, "", "", label), 513,
              mss=1400)
    conv.ack(at(t0 + ".002100"), True, 1028)
    conv.send(at(t0 + ".003000"), True,
              seed.client_finish(version, 40, label), 1028)
    conv.send(at(t0 + ".004000"), False,
              seed.server_finish(version, 40, label), 513)

# ------------------------------------------------------------ captures


def second_flight(conv, label, t0, suite=0xc02f):
    """Server flight (ServerHello, Certificate, ServerKeyExchange,
    ServerHelloDone) in 2 segments from time t0 (seconds), then the
    client's ACK."""
    sh = t.server_hello(t.TLS12, t.det_bytes(label + "/sr", 32),
                        t.det_bytes(label + "/sid", 32), suite,
                        [t.ext_alpn(["h2"]), t.ext_extended_master_secret(),
                         t.ext_renegotiation_info()])
    ske = t.server_key_exchange_ecdhe(
        t.GROUP_X25519, t.det_bytes(label + "/ske-pub", 32),
        t.det_bytes(label + "/ske-sig", 256), 0x0401)
    flight = t.handshake_record(t.TLS12, sh, t.certificate([CERT_DER]), ske,
                                t.server_hello_done())
    conv.send([t0, t0 + 0.00001], False, flight, 513, mss=1400)
    conv.ack(t0 + 0.0001, True, 1028)


def crafted_renegotiation(label="crafted-renegotiation"):
    """A second ClientHello after a ServerHello on the same stream, in
    clear.  Wireshark shows every handshake record sent after a side's
    ChangeCipherSpec as "Encrypted Handshake Message" (and a real
    renegotiation after a finished handshake IS encrypted), so the only
    renegotiation tshark can show without keys is one before the first
    ChangeCipherSpec: hello 1, server flight 1 (ok: TLS 1.2, 0xc030), the
    client starts over with hello 2, server flight 2 (0xc02f), and the
    second handshake completes."""
    conv = conv_for(label, 51000)
    conv.handshake(at("09:00:00.000000"), at("09:00:00.000300"),
                   at("09:00:00.000350"), server_mss=1400)
    conv.send(at("09:00:00.001000"), True, tls12_hello(label + "/1"), 1028)
    conv.send([at("09:00:00.002000"), at("09:00:00.002010")], False,
              seed.server_flight(t.TLS12, 0xc030, "", "", label + "/1"), 513,
              mss=1400)
    conv.ack(at("09:00:00.002100"), True, 1028)
    conv.send(at("09:00:00.500000"), True, tls12_hello(label + "/2"), 1028)
    second_flight(conv, label + "/2", at("09:00:00.501000"))
    conv.send(at("09:00:00.503000"), True,
              seed.client_finish(t.TLS12, 40, label + "/2"), 1028)
    conv.send(at("09:00:00.504000"), False,
              seed.server_finish(t.TLS12, 40, label + "/2"), 513)
    return conv.packets


def crafted_renegotiation_encrypted(label="crafted-renegotiation-encrypted"):
    """The usual renegotiation: a TLS 1.2 handshake completes, application
    data flows, then the client's second ClientHello and the server's
    answer travel encrypted (random bytes here).  tshark shows them as
    "Encrypted Handshake Message": only handshake 1 is visible."""
    conv = conv_for(label, 51050)
    full_tls12(conv, label + "/1", "09:05:00")
    conv.send(at("09:05:00.005000"), True,
              t.application_data(t.TLS12, 120, label + "/req"), 1028)
    conv.send(at("09:05:00.006000"), False,
              t.application_data(t.TLS12, 300, label + "/resp"), 513)
    conv.send(at("09:05:01.000000"), True,
              t.encrypted_handshake(t.TLS12, 240, label + "/ch2"), 1028)
    conv.send([at("09:05:01.001000"), at("09:05:01.001010")], False,
              t.encrypted_handshake(t.TLS12, 2072, label + "/sh2"), 513,
              mss=1400)
    conv.ack(at("09:05:01.001100"), True, 1028)
    conv.send(at("09:05:01.002000"), True,
              t.encrypted_handshake(t.TLS12, 80, label + "/cke2") +
              t.change_cipher_spec(t.TLS12) +
              t.encrypted_handshake(t.TLS12, 40, label + "/cfin2"), 1028)
    conv.send(at("09:05:01.003000"), False,
              t.change_cipher_spec(t.TLS12) +
              t.encrypted_handshake(t.TLS12, 40, label + "/sfin2"), 513)
    return conv.packets


def crafted_retransmitted_hello(label="crafted-retransmitted-hello"):
    """The ClientHello segment is sent again 1 s later (same sequence
    number, the server had not ACKed it), then the handshake completes."""
    conv = conv_for(label, 51100)
    conv.handshake(at("09:10:00.000000"), at("09:10:00.000300"),
                   at("09:10:00.000350"), server_mss=1400)
    hello = tls12_hello(label)
    conv.send(at("09:10:00.001000"), True, hello, 1028)
    conv.resend(at("09:10:01.001000"), True, hello, 1028)
    conv.send([at("09:10:01.002000"), at("09:10:01.002010")], False,
              seed.server_flight(t.TLS12, 0xc030, "", "", label), 513,
              mss=1400)
    conv.ack(at("09:10:01.002100"), True, 1028)
    conv.send(at("09:10:01.003000"), True,
              seed.client_finish(t.TLS12, 40, label), 1028)
    conv.send(at("09:10:01.004000"), False,
              seed.server_finish(t.TLS12, 40, label), 513)
    return conv.packets


# An SSLv23 (SSLv2-compatible) hello of an OpenSSL 0.9.8-era client:
# TLS suites as 0x00XXXX kinds mixed with SSLv2-only kinds.
SSLV2_COMPAT_SPECS = [0x000039, 0x000038, 0x000035, 0x000016, 0x000013,
                      0x00000a, 0x0700c0, 0x000033, 0x000032, 0x00002f,
                      0x000005, 0x000004, 0x010080, 0x0000ff]


def crafted_sslv2_hello(label="crafted-sslv2-hello"):
    """SSLv2-format ClientHello (version 0x0301) answered by a TLS 1.0
    ServerHello picking 0x002f (RSA key exchange), then the handshake
    completes in TLS 1.0 records."""
    conv = conv_for(label, 51200)
    conv.handshake(at("09:20:00.000000"), at("09:20:00.000300"),
                   at("09:20:00.000350"), server_mss=1400)
    hello = t.sslv2_record(t.sslv2_client_hello(
        t.TLS10, SSLV2_COMPAT_SPECS, t.det_bytes(label + "/challenge", 32)))
    conv.send(at("09:20:00.001000"), True, hello, 1028)
    sh = t.server_hello(t.TLS10, t.det_bytes(label + "/sr", 32),
                        t.det_bytes(label + "/sid", 32), 0x002f,
                        [t.ext_renegotiation_info()])
    flight = t.handshake_record(t.TLS10, sh, t.certificate([CERT_DER]),
                                t.server_hello_done())
    conv.send([at("09:20:00.002000"), at("09:20:00.002010")], False, flight,
              513, mss=1400)
    conv.ack(at("09:20:00.002100"), True, 1028)
    cke = t.handshake_record(t.TLS10, t.client_key_exchange_rsa(
        t.det_bytes(label + "/epms", 256)))
    conv.send(at("09:20:00.003000"), True,
              cke + t.change_cipher_spec(t.TLS10) +
              t.encrypted_handshake(t.TLS10, 48, label + "/cfin"), 1028)
    conv.send(at("09:20:00.004000"), False,
              t.change_cipher_spec(t.TLS10) +
              t.encrypted_handshake(t.TLS10, 48, label + "/sfin"), 513)
    return conv.packets


def crafted_sslv2_only(label="crafted-sslv2-only"):
    """A pure SSL 2.0 handshake: CLIENT-HELLO and SERVER-HELLO (version
    0x0002), CLIENT-MASTER-KEY (RC4_128_WITH_MD5), then encrypted
    CLIENT-FINISHED, SERVER-VERIFY and SERVER-FINISHED records."""
    conv = conv_for(label, 51300)
    conv.handshake(at("09:30:00.000000"), at("09:30:00.000300"),
                   at("09:30:00.000350"), server_mss=1400)
    client_specs = [t.SSL2_RC4_128_WITH_MD5, t.SSL2_RC4_128_EXPORT40_WITH_MD5,
                    0x030080, 0x040080, t.SSL2_DES_64_CBC_WITH_MD5,
                    t.SSL2_DES_192_EDE3_CBC_WITH_MD5]
    conv.send(at("09:30:00.001000"), True, t.sslv2_record(
        t.sslv2_client_hello(t.SSL2_VERSION, client_specs,
                             t.det_bytes(label + "/challenge", 16))), 1028)
    server_specs = [t.SSL2_RC4_128_WITH_MD5, t.SSL2_DES_192_EDE3_CBC_WITH_MD5]
    conv.send([at("09:30:00.002000"), at("09:30:00.002010")], False,
              t.sslv2_record(t.sslv2_server_hello(
                  t.SSL2_VERSION, CERT_DER, server_specs,
                  t.det_bytes(label + "/connection-id", 16))), 513, mss=1400)
    conv.ack(at("09:30:00.002100"), True, 1028)
    conv.send(at("09:30:00.003000"), True, t.sslv2_record(
        t.sslv2_client_master_key(t.SSL2_RC4_128_WITH_MD5, b"",
                                  t.det_bytes(label + "/master-key", 256))),
        1028)
    # encrypted records: 16-byte MAC + encrypted message (RC4: no padding)
    conv.send(at("09:30:00.003100"), True,
              t.sslv2_record(t.det_bytes(label + "/client-finished", 33)),
              1028)
    conv.send(at("09:30:00.004000"), False,
              t.sslv2_record(t.det_bytes(label + "/server-verify", 33)) +
              t.sslv2_record(t.det_bytes(label + "/server-finished", 33)),
              513)
    return conv.packets


def crafted_agent_is_server(label="crafted-agent-is-server"):
    """The agent 10.0.3.50 owns port 4343 and sends the ClientHello (TLS
    1.2); the peer 10.0.2.105 on an ephemeral port answers TLS 1.1.
    Stream 0: the peer opened the TCP connection (SYN to 4343), so TCP
    client, port and TLS client all disagree.  Stream 1: the agent opened
    it from source port 4343."""
    def ends(sub, syn_from_agent, peer_port):
        agent = t.Endpoint(MAC_AGENT, AGENT_IP, 4343, int.from_bytes(
            t.det_bytes(label + sub + "/isn-a", 4), "big"), ip_id=100)
        peer = t.Endpoint(MAC_SERVER, SERVER_IP, peer_port, int.from_bytes(
            t.det_bytes(label + sub + "/isn-p", 4), "big"), ip_id=200)
        return (agent, peer) if syn_from_agent else (peer, agent)

    out = []
    for sub, syn_from_agent, port, t0 in (("/a", False, 50123, "09:40:00"),
                                          ("/b", True, 50124, "09:40:01")):
        tcp_client, tcp_server = ends(sub, syn_from_agent, port)
        conv = t.Conversation(tcp_client, tcp_server)
        conv.handshake(at(t0 + ".000000"), at(t0 + ".000300"),
                       at(t0 + ".000350"), server_mss=1400)
        agent_is_tcp_client = syn_from_agent
        conv.send(at(t0 + ".001000"), agent_is_tcp_client,
                  tls12_hello(label + sub), 1028)
        conv.send([at(t0 + ".002000"), at(t0 + ".002010")],
                  not agent_is_tcp_client,
                  seed.server_flight(t.TLS11, 0xc014, "", "", label + sub),
                  513, mss=1400)
        conv.ack(at(t0 + ".002100"), agent_is_tcp_client, 1028)
        out += conv.packets
    return out


def crafted_tls13_draft(label="crafted-tls13-draft"):
    """ClientHello supported_versions [0x7f1c (draft 28), 0x0303]; the
    ServerHello selects 0x7f1c, then encrypted records follow."""
    conv = conv_for(label, 51400)
    conv.handshake(at("09:50:00.000000"), at("09:50:00.000300"),
                   at("09:50:00.000350"))
    exts = [t.ext_server_name("apexone.corp.local"),
            t.ext_supported_groups(seed.GROUPS), t.ext_ec_point_formats(),
            t.ext_signature_algorithms(),
            t.ext_supported_versions_client([t.TLS13_DRAFT28, t.TLS12]),
            t.ext_key_share_client(
                [(t.GROUP_X25519, t.det_bytes(label + "/ks", 32))])]
    suites = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
              0x009c, 0x002f]
    ch = t.client_hello(t.TLS12, t.det_bytes(label + "/cr", 32), suites,
                        exts, session_id=t.det_bytes(label + "/csid", 32))
    conv.send(at("09:50:00.001000"), True, t.handshake_record(t.TLS10, ch),
              1028)
    sh = t.server_hello(t.TLS12, t.det_bytes(label + "/sr", 32),
                        t.det_bytes(label + "/csid", 32), 0x1301,
                        [t.ext_supported_versions_server(t.TLS13_DRAFT28),
                         t.ext_key_share_server(
                             t.GROUP_X25519, t.det_bytes(label + "/sks", 32))])
    conv.send(at("09:50:00.002000"), False,
              t.handshake_record(t.TLS12, sh) + t.change_cipher_spec(t.TLS12) +
              t.application_data(t.TLS12, 1100, label + "/ee") +
              t.application_data(t.TLS12, 281, label + "/cv") +
              t.application_data(t.TLS12, 53, label + "/sfin"), 513)
    conv.send(at("09:50:00.003000"), True,
              t.change_cipher_spec(t.TLS12) +
              t.application_data(t.TLS12, 53, label + "/cfin"), 1028)
    return conv.packets


def crafted_server_picks_grease(label="crafted-server-picks-grease"):
    """A Chrome-style ClientHello (GREASE suite 0x0a0a offered first,
    supported_versions [GREASE 0x3a3a, 0x0304, 0x0303]); the TLS 1.3
    ServerHello selects the GREASE value 0x0a0a.  The capture ends with the
    client's ACK of the server flight (no alert, no close)."""
    conv = conv_for(label, 51500)
    conv.handshake(at("10:00:00.000000"), at("10:00:00.000300"),
                   at("10:00:00.000350"))
    exts = [t.ext(0x2a2a),  # GREASE extension
            t.ext_server_name("apexone.corp.local"),
            t.ext_supported_groups([0x4a4a] + seed.GROUPS),
            t.ext_ec_point_formats(), t.ext_signature_algorithms(),
            t.ext_supported_versions_client([0x3a3a, t.TLS13, t.TLS12]),
            t.ext_key_share_client(
                [(0x4a4a, b"\x00"),
                 (t.GROUP_X25519, t.det_bytes(label + "/ks", 32))])]
    suites = [0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c,
              0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d,
              0x002f, 0x0035]
    ch = t.client_hello(t.TLS12, t.det_bytes(label + "/cr", 32), suites,
                        exts, session_id=t.det_bytes(label + "/csid", 32))
    conv.send(at("10:00:00.001000"), True, t.handshake_record(t.TLS10, ch),
              1028)
    sh = t.server_hello(t.TLS12, t.det_bytes(label + "/sr", 32),
                        t.det_bytes(label + "/csid", 32), 0x0a0a,
                        [t.ext_supported_versions_server(t.TLS13),
                         t.ext_key_share_server(
                             t.GROUP_X25519, t.det_bytes(label + "/sks", 32))])
    conv.send(at("10:00:00.002000"), False,
              t.handshake_record(t.TLS12, sh) + t.change_cipher_spec(t.TLS12) +
              t.application_data(t.TLS12, 1100, label + "/ee") +
              t.application_data(t.TLS12, 281, label + "/cv") +
              t.application_data(t.TLS12, 53, label + "/sfin"), 513)
    conv.ack(at("10:00:00.002100"), True, 1028)
    return conv.packets


def crafted_tunnel_gre(label="crafted-tunnel-gre"):
    """seed-tls12-downgraded-to-11's shape (TLS 1.2 hello, 19 suites; TLS
    1.1 answer with 0xc014) inside Ethernet/IPv4/GRE between two routers
    (192.0.2.1 on the agent side, 198.51.100.1 on the server side)."""
    tunnel = t.GreTunnel({AGENT_IP: ("00:00:5e:00:53:01", "192.0.2.1"),
                          SERVER_IP: ("00:00:5e:00:53:02", "198.51.100.1")},
                         ip_id=0x4000)
    conv = conv_for(label, 51600, wrap=tunnel)
    conv.handshake(at("10:10:00.000000"), at("10:10:00.000300"),
                   at("10:10:00.000350"), client_mss=1436, server_mss=1436,
                   client_ack_win=1024)
    conv.send(at("10:10:00.001000"), True,
              seed.ch_tls12_19("65bb5d28", label), 1024)
    conv.send([at("10:10:00.002000"), at("10:10:00.002066")], False,
              seed.server_flight(t.TLS11, 0xc014, "65bb5d28", "", label),
              513, mss=1436)
    conv.ack(at("10:10:00.002300"), True, 1024)
    return conv.packets


def crafted_client_aborted_tls12(label="crafted-client-aborted-tls12"):
    """TLS 1.2: the server's full flight (ServerHello .. ServerHelloDone),
    the client ACKs it and closes without a ClientKeyExchange or alert.
    Stream 0: client FIN (then the server's FIN).  Stream 1: client
    RST,ACK."""
    a = conv_for(label + "/a", 51700)
    b = conv_for(label + "/b", 51701)
    for conv, sub, t0 in ((a, "/a", "10:20:00"), (b, "/b", "10:20:01")):
        conv.handshake(at(t0 + ".000000"), at(t0 + ".000300"),
                       at(t0 + ".000350"), server_mss=1400)
        conv.send(at(t0 + ".001000"), True, tls12_hello(label + sub), 1028)
        conv.send([at(t0 + ".002000"), at(t0 + ".002010")], False,
                  seed.server_flight(t.TLS12, 0xc030, "", "", label + sub),
                  513, mss=1400)
        conv.ack(at(t0 + ".002100"), True, 1028)
    a.fin(at("10:20:00.050000"), True, 1028)
    a.fin(at("10:20:00.050300"), False, 513)
    a.ack(at("10:20:00.050350"), True, 1028)
    b.rst(at("10:20:01.050000"), True, with_ack=True, window=0)
    return a.packets + b.packets


def crafted_several_handshakes(label="crafted-several-handshakes"):
    """Three streams: 0 = TLS 1.2 ok; 1 = TLS 1.2 hello refused with a fatal
    handshake_failure (40) alert, no ServerHello; 2 = the capture starts
    after the ClientHello (server flight, client key exchange, Finished)."""
    a = conv_for(label + "/a", 51800)
    b = conv_for(label + "/b", 51801)
    c = conv_for(label + "/c", 51802)
    full_tls12(a, label + "/a", "10:30:00")
    b.handshake(at("10:30:00.000100"), at("10:30:00.000400"),
                at("10:30:00.000450"), server_mss=1400)
    b.send(at("10:30:00.001100"), True, tls12_hello(label + "/b"), 1028)
    b.send(at("10:30:00.001600"), False,
           t.alert(t.TLS12, t.ALERT_FATAL, t.ALERT_HANDSHAKE_FAILURE), 513)
    b.fin(at("10:30:00.001610"), False, 513)
    b.fin(at("10:30:00.001800"), True, 1028)
    b.ack(at("10:30:00.001900"), False, 513)
    # stream c: no SYN, no ClientHello in the capture
    c.client.seq += 1 + 300  # SYN and a 300-byte hello before the capture
    c.server.seq += 1
    c.send([at("10:30:00.000200"), at("10:30:00.000210")], False,
           seed.server_flight(t.TLS12, 0xc02f, "", "", label + "/c"), 513,
           mss=1400)
    c.ack(at("10:30:00.000300"), True, 1028)
    c.send(at("10:30:00.002500"), True,
           seed.client_finish(t.TLS12, 40, label + "/c"), 1028)
    c.send(at("10:30:00.003500"), False,
           seed.server_finish(t.TLS12, 40, label + "/c"), 513)
    return a.packets + b.packets + c.packets


CAPTURES = {
    "crafted-renegotiation.pcap": crafted_renegotiation,
    "crafted-renegotiation-encrypted.pcap": crafted_renegotiation_encrypted,
    "crafted-retransmitted-hello.pcap": crafted_retransmitted_hello,
    "crafted-sslv2-hello.pcap": crafted_sslv2_hello,
    "crafted-sslv2-only.pcap": crafted_sslv2_only,
    "crafted-agent-is-server.pcap": crafted_agent_is_server,
    "crafted-tls13-draft.pcap": crafted_tls13_draft,
    "crafted-server-picks-grease.pcap": crafted_server_picks_grease,
    "crafted-tunnel-gre.pcap": crafted_tunnel_gre,
    "crafted-client-aborted-tls12.pcap": crafted_client_aborted_tls12,
    "crafted-several-handshakes.pcap": crafted_several_handshakes,
}


def main():
    t.write_captures(CAPTURES, HERE, sys.argv)


if __name__ == "__main__":
    main()
