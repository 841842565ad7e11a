#!/usr/bin/env python3
"""Write the seed-article traces (and a few crafted cases) as pcap files.

Reproduces the four traces of shared/seed/agent-server-tls-negotiation.txt
with the same MAC/IP addresses, ports, TCP windows/MSS, TLS versions,
cipher-suite lists (same order), extension lengths, handshake lengths and
TCP segmentation.  Timestamps are the article's (the gmt_unix_time in the
printed ClientHello randoms dates them: 2018-05-02 and 2018-05-17, UTC).
Frames the article does not print (the first server segment and the
client's pure ACK) get invented timestamps between their neighbours.

Run:  python3 tests/captures/make_seed_captures.py [output-dir]
"""

import calendar
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)

import tlscraft as t  # noqa: E402

CERT_DER = t.load_cert_der(os.path.join(HERE, "seed-server-cert.der"))

MAC_AGENT_A = "00:15:5d:68:54:07"   # 10.0.3.50
MAC_SERVER_A = "00:15:5d:68:54:06"  # 10.0.2.105 as seen from 10.0.3.50
MAC_AGENT_B = "00:15:5d:2c:1e:23"   # 10.0.2.104
MAC_SERVER_B = "00:15:5d:2c:1e:38"  # 10.0.2.105 as seen from 10.0.2.104
SERVER_IP = "10.0.2.105"
AGENT_PORT = 4343

SUITES_TLS12_21 = [0xc02c, 0xc02b, 0xc030, 0xc02f, 0x009f, 0x009e, 0xc024,
                   0xc023, 0xc028, 0xc027, 0xc00a, 0xc009, 0xc014, 0xc013,
                   0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x000a]
SUITES_TLS12_19 = [0xc02c, 0xc02b, 0xc030, 0xc02f, 0xc024, 0xc023, 0xc028,
                   0xc027, 0xc00a, 0xc009, 0xc014, 0xc013, 0x009d, 0x009c,
                   0x003d, 0x003c, 0x0035, 0x002f, 0x000a]
SUITES_TLS11_7 = [0xc00a, 0xc009, 0xc014, 0xc013, 0x0035, 0x002f, 0x000a]

GROUPS = [t.GROUP_X25519, t.GROUP_SECP256R1, t.GROUP_SECP384R1]
ALPN = ["h2", "http/1.1"]


def ts(date, hms_us):
    """'2018-05-02', '18:19:56.533860' -> epoch seconds (UTC)."""
    y, mo, d = (int(x) for x in date.split("-"))
    hms, us = hms_us.split(".")
    h, mi, s = (int(x) for x in hms.split(":"))
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) + int(us) / 1e6


def endpoints(client_mac, client_ip, client_port, server_mac, label):
    """Client and server Endpoint with deterministic ISNs and IP ids."""
    isn_c = int.from_bytes(t.det_bytes(label + "/isn-c", 4), "big")
    isn_s = int.from_bytes(t.det_bytes(label + "/isn-s", 4), "big")
    ipid_c = int.from_bytes(t.det_bytes(label + "/ipid-c", 2), "big")
    ipid_s = int.from_bytes(t.det_bytes(label + "/ipid-s", 2), "big")
    client = t.Endpoint(client_mac, client_ip, client_port, isn_c,
                        ip_id=ipid_c)
    server = t.Endpoint(server_mac, SERVER_IP, AGENT_PORT, isn_s,
                        ip_id=ipid_s)
    return client, server

# ------------------------------------------------------------ ClientHellos


def ch_tls12_21(random_hex, label):
    """Trace 1 ClientHello: 21 suites, extensions length 97."""
    exts = [t.ext_server_name("apex01"),           # len=11
            t.ext_status_request(),                 # len=5
            t.ext_supported_groups(GROUPS),         # len=8
            t.ext_ec_point_formats(),               # len=2
            t.ext_signature_algorithms(),           # len=20
            t.ext_session_ticket(),                 # len=0
            t.ext_alpn(ALPN),                       # len=14
            t.ext_extended_master_secret(),         # len=0
            t.ext_renegotiation_info()]             # len=1
    rnd = t.fill_bytes(random_hex, 32, label + "/cr")
    return t.handshake_record(
        t.TLS12, t.client_hello(t.TLS12, rnd, SUITES_TLS12_21, exts))


def ch_tls12_19(random_hex, label):
    """Trace 3 ClientHello: 19 suites, token_binding, ext length 119."""
    exts = [t.ext_server_name("apexone.corp.local"),  # len=23
            t.ext_status_request(),
            t.ext_supported_groups(GROUPS),
            t.ext_ec_point_formats(),
            t.ext_signature_algorithms(),
            t.ext_session_ticket(),
            t.ext_alpn(ALPN),
            t.ext_extended_master_secret(),
            t.ext_token_binding(),                    # len=6
            t.ext_renegotiation_info()]
    rnd = t.fill_bytes(random_hex, 32, label + "/cr")
    return t.handshake_record(
        t.TLS12, t.client_hello(t.TLS12, rnd, SUITES_TLS12_19, exts))


def ch_tls11_7(random_hex, label):
    """Traces 2 and 4 ClientHello: TLS 1.1, 7 suites, ext length 73."""
    exts = [t.ext_server_name("apex01"),
            t.ext_status_request(),
            t.ext_supported_groups(GROUPS),
            t.ext_ec_point_formats(),
            t.ext_session_ticket(),
            t.ext_alpn(ALPN),
            t.ext_extended_master_secret(),
            t.ext_renegotiation_info()]
    rnd = t.fill_bytes(random_hex, 32, label + "/cr")
    return t.handshake_record(
        t.TLS11, t.client_hello(t.TLS11, rnd, SUITES_TLS11_7, exts))

# ------------------------------------------------------------ server side


def server_flight(version, suite, random_hex, sid_hex, label):
    """ServerHello + Certificate + ServerKeyExchange + ServerHelloDone.

    One record; length 2020 for TLS 1.2 (SKE 296), 2018 for TLS 1.1/1.0
    (SKE 294, no signature-algorithm field).
    """
    exts = [t.ext_alpn(["h2"]),                    # len=5
            t.ext_extended_master_secret(),
            t.ext_renegotiation_info()]
    rnd = t.fill_bytes(random_hex, 32, label + "/sr")
    sid = t.fill_bytes(sid_hex, 32, label + "/sid")
    sig_alg = 0x0401 if version >= t.TLS12 else None
    ske = t.server_key_exchange_ecdhe(
        t.GROUP_X25519, t.det_bytes(label + "/ske-pub", 32),
        t.det_bytes(label + "/ske-sig", 256), sig_alg)
    return t.handshake_record(
        version, t.server_hello(version, rnd, sid, suite, exts),
        t.certificate([CERT_DER]), ske, t.server_hello_done())


def client_finish(version, fin_len, label):
    """ClientKeyExchange record + ChangeCipherSpec + encrypted Finished."""
    cke = t.handshake_record(
        version, t.client_key_exchange_ecdhe(t.det_bytes(label + "/cke", 32)))
    return (cke + t.change_cipher_spec(version) +
            t.encrypted_handshake(version, fin_len, label + "/cfin"))


def server_finish(version, fin_len, label):
    return (t.change_cipher_spec(version) +
            t.encrypted_handshake(version, fin_len, label + "/sfin"))

# ------------------------------------------------------------ seed traces


def completed_trace(label, day, agent, times, hello, server, finished_len):
    """An article trace that completes: handshake, hello, two-segment server
    flight, client ACK, client and server Finished.  `times` are the
    article's timestamps, `agent` (mac, ip, port), `server` (version,
    suite, random, session id)."""
    c, s = endpoints(agent[0], agent[1], agent[2], MAC_SERVER_A, label)
    conv = t.Conversation(c, s)
    conv.handshake(ts(day, times[0]), ts(day, times[1]), ts(day, times[2]),
                   server_mss=1400, client_ack_win=1028)
    conv.send(ts(day, times[3]), True, hello, 1028)
    version, suite, random, session = server
    flight = server_flight(version, suite, random, session, label)
    conv.send([ts(day, times[4]), ts(day, times[5])], False, flight, 513, mss=1400)
    conv.ack(ts(day, times[6]), True, 1028)
    conv.send(ts(day, times[7]), True, client_finish(version, finished_len, label), 1028)
    conv.send(ts(day, times[8]), False, server_finish(version, finished_len, label), 513)
    return conv.packets


def trace_tls12_ok(label="seed-tls12-ok"):
    """Article trace 1: frames 711-719, TLS 1.2, server picks 0xc030."""
    return completed_trace(
        label, "2018-05-02", (MAC_AGENT_A, "10.0.3.50", 50420),
        ("18:19:56.533860", "18:19:56.546115", "18:19:56.546195", "18:19:56.601626",
         "18:19:56.613600", "18:19:56.613664", "18:19:56.613800", "18:19:56.615223",
         "18:19:56.631367"),
        ch_tls12_21("5aea014c62e61f9d0e8749f2a52a8533890b9e6be56cad78", label),
        (t.TLS12, 0xc030, "5aea014c61794843f79d0c71490f191bea899c92229a00ad",
         "f71900007caa18c93b400632a898f775aa5b0a959cefca22"), 40)


def trace_tls11_ok(label="seed-tls11-ok"):
    """Article trace 2: frames 346-354, TLS 1.1, server picks 0xc014."""
    return completed_trace(
        label, "2018-05-17", (MAC_AGENT_A, "10.0.3.50", 49840),
        ("16:09:20.590777", "16:09:20.592941", "16:09:20.593575", "16:09:20.673698",
         "16:09:20.678700", "16:09:20.678780", "16:09:20.678900", "16:09:20.684151",
         "16:09:20.686772"),
        ch_tls11_7("5afda9303ee62dad4c67806844112542e8746c73e46e56ea", label),
        (t.TLS11, 0xc014, "5afda930739cc7dc97c4e53d4d4e189e4bc26cfee1517337",
         "b61a000002965c0ab15f31c1cefdf906555772354b27dd76"), 64)


def trace_tls12_downgraded(label="seed-tls12-downgraded-to-11"):
    """Article trace 3: frames 61-66, client TLS 1.2, server answers 1.1."""
    day = "2018-05-17"
    c, s = endpoints(MAC_AGENT_B, "10.0.2.104", 50440, MAC_SERVER_B, label)
    conv = t.Conversation(c, s)
    conv.handshake(ts(day, "16:28:58.861976"), ts(day, "16:28:58.862262"),
                   ts(day, "16:28:58.862567"), client_win=65535,
                   server_mss=1460, client_ack_win=1024)
    conv.send(ts(day, "16:28:58.865301"), True, ch_tls12_19(
        "5afdadca810d2ca16a5ea1c9dec9aadd5e3399c46869a418", label), 1024)
    flight = server_flight(
        t.TLS11, 0xc014, "5afdadca99776c037d5174f25839dd8a9f464bcc5b2cc19b",
        "ed1e00007de53e9b61c9ff044f564834a2c8e33b08b51f18", label)
    conv.send([ts(day, "16:28:58.867000"), ts(day, "16:28:58.867066")],
              False, flight, 513, mss=1460)
    conv.ack(ts(day, "16:28:58.867300"), True, 1024)
    return conv.packets


def trace_tls11_reset(label="seed-tls11-reset"):
    """Article trace 4: frames 4241-4249, TLS 1.1 hello, server RST,ACK."""
    day = "2018-05-17"
    c, s = endpoints(MAC_AGENT_B, "10.0.2.104", 50200, MAC_SERVER_B, label)
    conv = t.Conversation(c, s)
    conv.handshake(ts(day, "16:44:22.880115"), ts(day, "16:44:22.884801"),
                   ts(day, "16:44:22.885278"), server_mss=1460,
                   client_ack_win=1026)
    conv.send(ts(day, "16:44:22.887075"), True, ch_tls11_7(
        "5afdb1662620bc243a189e5aa5b002f2367e8e6cedf00a90", label), 1026)
    conv.rst(ts(day, "16:44:22.891009"), False, with_ack=True, window=0)
    return conv.packets

# ------------------------------------------------------------ crafted


def crafted_cipher_unoffered(label="crafted-cipher-unoffered"):
    """Client offers c02f,c030,009c; server picks 0x0005 (RC4-SHA)."""
    day = "2024-01-15"
    c, s = endpoints(MAC_AGENT_A, "10.0.3.50", 50600, MAC_SERVER_A, label)
    conv = t.Conversation(c, s)
    conv.handshake(ts(day, "10:00:00.000000"), ts(day, "10:00:00.000400"),
                   ts(day, "10:00:00.000450"))
    exts = [t.ext_server_name("apex01"), t.ext_supported_groups(GROUPS),
            t.ext_ec_point_formats(), t.ext_signature_algorithms(),
            t.ext_extended_master_secret(), t.ext_renegotiation_info()]
    ch = t.client_hello(t.TLS12, t.det_bytes(label + "/cr", 32),
                        [0xc02f, 0xc030, 0x009c], exts)
    conv.send(ts(day, "10:00:00.001000"), True,
              t.handshake_record(t.TLS12, ch), 1028)
    sh = t.server_hello(t.TLS12, t.det_bytes(label + "/sr", 32),
                        t.det_bytes(label + "/sid", 32), 0x0005,
                        [t.ext_renegotiation_info()])
    flight = t.handshake_record(t.TLS12, sh, t.certificate([CERT_DER]),
                                t.server_hello_done())
    conv.send([ts(day, "10:00:00.002000"), ts(day, "10:00:00.002010")],
              False, flight, 513, mss=1460)
    conv.send(ts(day, "10:00:00.002500"), True,
              t.alert(t.TLS12, t.ALERT_FATAL, t.ALERT_ILLEGAL_PARAMETER), 1028)
    conv.fin(ts(day, "10:00:00.002600"), True, 1028)
    conv.fin(ts(day, "10:00:00.002900"), False, 513)
    conv.ack(ts(day, "10:00:00.003000"), True, 1028)
    return conv.packets


def crafted_two_conversations(label="crafted-two-conversations"):
    """Stream 0: TLS 1.2 ok (10.0.3.50:50700).  Stream 1: TLS 1.1 hello
    then server RST (10.0.2.104:50701).  Packets interleave, so the RST of
    stream 1 arrives between stream 0's ServerHello and its Finished."""
    day = "2024-01-15"
    a = t.Conversation(*endpoints(MAC_AGENT_A, "10.0.3.50", 50700,
                                  MAC_SERVER_A, label + "/a"))
    b = t.Conversation(*endpoints(MAC_AGENT_B, "10.0.2.104", 50701,
                                  MAC_SERVER_B, label + "/b"))
    a.handshake(ts(day, "11:00:00.000000"), ts(day, "11:00:00.000300"),
                ts(day, "11:00:00.000350"), server_mss=1400)
    b.handshake(ts(day, "11:00:00.000100"), ts(day, "11:00:00.000400"),
                ts(day, "11:00:00.000500"), client_ack_win=1026)
    a.send(ts(day, "11:00:00.001000"), True,
           ch_tls12_21("65a50ee0", label + "/a"), 1028)
    b.send(ts(day, "11:00:00.001100"), True,
           ch_tls11_7("65a50ee0", label + "/b"), 1026)
    a.send([ts(day, "11:00:00.002000"), ts(day, "11:00:00.002010")], False,
           server_flight(t.TLS12, 0xc030, "65a50ee0", "", label + "/a"),
           513, mss=1400)
    b.rst(ts(day, "11:00:00.002100"), False)
    a.ack(ts(day, "11:00:00.002200"), True, 1028)
    a.send(ts(day, "11:00:00.003000"), True,
           client_finish(t.TLS12, 40, label + "/a"), 1028)
    a.send(ts(day, "11:00:00.004000"), False,
           server_finish(t.TLS12, 40, label + "/a"), 513)
    return a.packets + b.packets


def crafted_alert_insufficient_security(label="crafted-alert-71"):
    """TLS 1.2 hello answered by a fatal insufficient_security (71) alert
    before any ServerHello, then the server closes (FIN)."""
    day = "2024-01-15"
    conv = t.Conversation(*endpoints(MAC_AGENT_A, "10.0.3.50", 50800,
                                     MAC_SERVER_A, label))
    conv.handshake(ts(day, "12:00:00.000000"), ts(day, "12:00:00.000300"),
                   ts(day, "12:00:00.000350"), server_mss=1400)
    conv.send(ts(day, "12:00:00.001000"), True,
              ch_tls12_21("65a51cf0", label), 1028)
    conv.send(ts(day, "12:00:00.001500"), False,
              t.alert(t.TLS12, t.ALERT_FATAL, t.ALERT_INSUFFICIENT_SECURITY),
              513)
    conv.fin(ts(day, "12:00:00.001510"), False, 513)
    conv.fin(ts(day, "12:00:00.001700"), True, 1028)
    conv.ack(ts(day, "12:00:00.001900"), False, 513)
    return conv.packets


def tls13_hello(label, versions, key_share=True):
    """TLS 1.3-style ClientHello (legacy 0x0303 + supported_versions)."""
    exts = [t.ext_server_name("apexone.corp.local"),
            t.ext_supported_groups(GROUPS), t.ext_ec_point_formats(),
            t.ext_signature_algorithms(), t.ext_extended_master_secret(),
            t.ext_renegotiation_info(),
            t.ext_supported_versions_client(versions)]
    if key_share:
        exts.append(t.ext_key_share_client(
            [(t.GROUP_X25519, t.det_bytes(label + "/ks", 32))]))
    suites = [0x1a1a, 0x1301, 0x1302, 0x1303, 0xc02f, 0xc030, 0xc013,
              0xc014, 0x009c, 0x002f]
    ch = t.client_hello(t.TLS12, t.det_bytes(label + "/cr", 32), suites,
                        exts, session_id=t.det_bytes(label + "/csid", 32))
    return t.handshake_record(t.TLS10, ch)


def crafted_grease_versions(label="crafted-grease-versions"):
    """Two streams, both clients offer supported_versions
    [GREASE 0x0a0a, 0x0304, 0x0303] (and a GREASE suite 0x1a1a).
    Stream 0: server picks TLS 1.3 via supported_versions -> ok (GREASE
    must be ignored).  Stream 1: server answers a plain TLS 1.2
    ServerHello without supported_versions -> version_downgrade."""
    day = "2024-01-15"
    a = t.Conversation(*endpoints(MAC_AGENT_A, "10.0.3.50", 50900,
                                  MAC_SERVER_A, label + "/a"))
    b = t.Conversation(*endpoints(MAC_AGENT_A, "10.0.3.50", 50901,
                                  MAC_SERVER_A, label + "/b"))
    versions = [0x0a0a, t.TLS13, t.TLS12]
    a.handshake(ts(day, "13:00:00.000000"), ts(day, "13:00:00.000300"),
                ts(day, "13:00:00.000350"))
    a.send(ts(day, "13:00:00.001000"), True,
           tls13_hello(label + "/a", versions), 1028)
    sh = t.server_hello(t.TLS12, t.det_bytes(label + "/a/sr", 32),
                        t.det_bytes(label + "/a/csid", 32), 0x1301,
                        [t.ext_supported_versions_server(t.TLS13),
                         t.ext_key_share_server(
                             t.GROUP_X25519,
                             t.det_bytes(label + "/a/sks", 32))])
    a.send(ts(day, "13:00:00.002000"), False,
           t.handshake_record(t.TLS12, sh) + t.change_cipher_spec(t.TLS12) +
           t.application_data(t.TLS12, 1100, label + "/a/ee") +
           t.application_data(t.TLS12, 281, label + "/a/cv") +
           t.application_data(t.TLS12, 53, label + "/a/sfin"), 513)
    a.send(ts(day, "13:00:00.003000"), True,
           t.change_cipher_spec(t.TLS12) +
           t.application_data(t.TLS12, 53, label + "/a/cfin"), 1028)
    b.handshake(ts(day, "13:00:01.000000"), ts(day, "13:00:01.000300"),
                ts(day, "13:00:01.000350"))
    b.send(ts(day, "13:00:01.001000"), True,
           tls13_hello(label + "/b", versions), 1028)
    b.send([ts(day, "13:00:01.002000"), ts(day, "13:00:01.002010")], False,
           server_flight(t.TLS12, 0xc030, "", "", label + "/b"), 513,
           mss=1460)
    b.ack(ts(day, "13:00:01.002100"), True, 1028)
    return a.packets + b.packets


CAPTURES = {
    "seed-tls12-ok.pcap": trace_tls12_ok,
    "seed-tls11-ok.pcap": trace_tls11_ok,
    "seed-tls12-downgraded-to-11.pcap": trace_tls12_downgraded,
    "seed-tls11-reset.pcap": trace_tls11_reset,
    "crafted-cipher-unoffered.pcap": crafted_cipher_unoffered,
    "crafted-two-conversations.pcap": crafted_two_conversations,
    "crafted-alert-71.pcap": crafted_alert_insufficient_security,
    "crafted-grease-versions.pcap": crafted_grease_versions,
}


def main():
    t.write_captures(CAPTURES, HERE, sys.argv)


if __name__ == "__main__":
    main()
