"""tlscraft: build classic pcap files holding Ethernet/IPv4/TCP/TLS traffic.

Python 3 standard library only (no scapy).  Everything is deterministic:
timestamps are supplied by the caller and "random" bytes come from
det_bytes(), a SHA-256 counter stream keyed by a string label.

Layers:
  * pcap:     PcapWriter / write_pcap (classic pcap, LINKTYPE_ETHERNET)
  * framing:  ethernet(), ipv4(), tcp() with correct IPv4 and TCP checksums
  * TCP:      Endpoint + Conversation (SYN/SYN-ACK/ACK, data with MSS
              segmentation, pure ACKs, FIN, RST) with proper seq/ack numbers
  * TLS:      record(), handshake(), ext_*() extension builders,
              client_hello(), server_hello(), certificate(), ...,
              alert(), change_cipher_spec(), encrypted_handshake()
  * SSLv2:    sslv2_record(), sslv2_client_hello(), sslv2_server_hello(),
              sslv2_client_master_key()
  * tunnels:  gre(), GreTunnel (Ethernet/IPv4/GRE around the inner IPv4
              packets, passed to Conversation(..., wrap=GreTunnel(...)))
"""

import hashlib
import os
import ipaddress
import struct

# ---------------------------------------------------------------- constants

LINKTYPE_ETHERNET = 1

SSL3 = 0x0300
TLS10 = 0x0301
TLS11 = 0x0302
TLS12 = 0x0303
TLS13 = 0x0304

CT_CHANGE_CIPHER_SPEC = 20
CT_ALERT = 21
CT_HANDSHAKE = 22
CT_APPLICATION_DATA = 23

HT_CLIENT_HELLO = 1
HT_SERVER_HELLO = 2
HT_CERTIFICATE = 11
HT_SERVER_KEY_EXCHANGE = 12
HT_SERVER_HELLO_DONE = 14
HT_CLIENT_KEY_EXCHANGE = 16

ALERT_WARNING = 1
ALERT_FATAL = 2
ALERT_CLOSE_NOTIFY = 0
ALERT_HANDSHAKE_FAILURE = 40
ALERT_ILLEGAL_PARAMETER = 47
ALERT_PROTOCOL_VERSION = 70
ALERT_INSUFFICIENT_SECURITY = 71
ALERT_BAD_CERTIFICATE = 42
ALERT_UNKNOWN_CA = 48
ALERT_INAPPROPRIATE_FALLBACK = 86

TLS13_DRAFT28 = 0x7F1C

# RFC 8446 4.1.3: HelloRetryRequest's fixed ServerHello.random, and the
# last 8 bytes of a downgrading TLS 1.3 server's random.
HRR_RANDOM = bytes.fromhex(
    "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
DOWNGRADE_TLS12 = b"DOWNGRD\x01"
DOWNGRADE_TLS11 = b"DOWNGRD\x00"

SSL2_VERSION = 0x0002
SSL2_MT_CLIENT_HELLO = 1
SSL2_MT_CLIENT_MASTER_KEY = 2
SSL2_MT_SERVER_HELLO = 4
SSL2_CT_X509_CERTIFICATE = 1
SSL2_RC4_128_WITH_MD5 = 0x010080
SSL2_RC4_128_EXPORT40_WITH_MD5 = 0x020080
SSL2_DES_64_CBC_WITH_MD5 = 0x060040
SSL2_DES_192_EDE3_CBC_WITH_MD5 = 0x0700C0

IPPROTO_TCP = 6
IPPROTO_GRE = 47

EXT_SERVER_NAME = 0
EXT_STATUS_REQUEST = 5
EXT_SUPPORTED_GROUPS = 10
EXT_EC_POINT_FORMATS = 11
EXT_SIGNATURE_ALGORITHMS = 13
EXT_ALPN = 16
EXT_EXTENDED_MASTER_SECRET = 23
EXT_TOKEN_BINDING = 24
EXT_SESSION_TICKET = 35
EXT_SUPPORTED_VERSIONS = 43
EXT_KEY_SHARE = 51
EXT_RENEGOTIATION_INFO = 0xFF01

GROUP_SECP256R1 = 0x0017
GROUP_SECP384R1 = 0x0018
GROUP_X25519 = 0x001D

TCP_FIN = 0x01
TCP_SYN = 0x02
TCP_RST = 0x04
TCP_PSH = 0x08
TCP_ACK = 0x10

# ---------------------------------------------------------------- helpers


def u8(v):
    return struct.pack("!B", v)


def u16(v):
    return struct.pack("!H", v)


def u24(v):
    return struct.pack("!I", v)[1:]


def u32(v):
    return struct.pack("!I", v)


def vec8(data):
    return u8(len(data)) + data


def vec16(data):
    return u16(len(data)) + data


def vec24(data):
    return u24(len(data)) + data


def det_bytes(label, n):
    """n deterministic pseudo-random bytes derived from the string label."""
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(("%s/%d" % (label, counter)).encode()).digest()
        counter += 1
    return out[:n]


def fill_bytes(prefix_hex, n, label):
    """bytes.fromhex(prefix_hex) padded to n bytes with det_bytes(label)."""
    prefix = bytes.fromhex(prefix_hex)
    return prefix + det_bytes(label, n - len(prefix))


def load_cert_der(path):
    """Read a certificate file (DER or PEM) and return its DER bytes."""
    import base64
    with open(path, "rb") as f:
        data = f.read()
    if b"-----BEGIN" not in data:
        return data
    body = data.split(b"-----", 4)[2]
    return base64.b64decode(b"".join(body.split()))


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


def ip_bytes(ip):
    return ipaddress.IPv4Address(ip).packed


def inet_checksum(data):
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF

# ---------------------------------------------------------------- pcap


class PcapWriter:
    """Classic (libpcap) file writer, microsecond timestamps."""

    def __init__(self, path, linktype=LINKTYPE_ETHERNET, snaplen=262144):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0,
                                 snaplen, linktype))

    def write(self, ts, frame):
        sec = int(ts)
        usec = int(round((ts - sec) * 1e6))
        if usec >= 1000000:
            sec, usec = sec + 1, usec - 1000000
        self.f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


def write_pcap(path, packets):
    """packets: iterable of (timestamp, frame bytes); sorted by timestamp."""
    w = PcapWriter(path)
    for ts, frame in sorted(packets, key=lambda p: p[0]):
        w.write(ts, frame)
    w.close()


def write_captures(captures, default_dir, argv):
    """Writes each {file name: builder} capture into argv[1] or default_dir."""
    out_dir = argv[1] if len(argv) > 1 else default_dir
    for name, build in captures.items():
        path = os.path.join(out_dir, name)
        write_pcap(path, build())
        print("wrote", path)

# ---------------------------------------------------------------- framing


def ethernet(src_mac, dst_mac, payload, ethertype=0x0800):
    return mac_bytes(dst_mac) + mac_bytes(src_mac) + u16(ethertype) + payload


def ipv4(src, dst, payload, ident, ttl=128, proto=6, dont_fragment=True):
    flags_frag = 0x4000 if dont_fragment else 0
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                      flags_frag, ttl, proto, 0, ip_bytes(src), ip_bytes(dst))
    csum = inet_checksum(hdr)
    return hdr[:10] + u16(csum) + hdr[12:] + payload


def tcp(src, dst, sport, dport, seq, ack, flags, window, payload=b"",
        options=b""):
    """A TCP segment (header + payload) with a correct checksum."""
    if len(options) % 4:
        raise ValueError("TCP options must be padded to 4 bytes")
    offset = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, offset << 4, flags, window, 0, 0)
    hdr += options
    seg = hdr + payload
    pseudo = ip_bytes(src) + ip_bytes(dst) + struct.pack("!BBH", 0, 6,
                                                         len(seg))
    csum = inet_checksum(pseudo + seg)
    return seg[:16] + u16(csum) + seg[18:]


def syn_options(mss, wscale, sack_perm=True):
    """MSS, NOP, WS, NOP, NOP, SACK_PERM (12 bytes, Windows layout)."""
    opts = struct.pack("!BBH", 2, 4, mss) + b"\x01" + struct.pack(
        "!BBB", 3, 3, wscale)
    if sack_perm:
        opts += b"\x01\x01" + struct.pack("!BB", 4, 2)
    while len(opts) % 4:
        opts += b"\x01"
    return opts

# ---------------------------------------------------------------- TCP state


class Endpoint:
    """One side of a TCP conversation."""

    def __init__(self, mac, ip, port, isn, ttl=128, ip_id=1):
        self.mac, self.ip, self.port = mac, ip, port
        self.isn, self.ttl, self.ip_id = isn, ttl, ip_id
        self.seq = isn  # next sequence number to send

    def next_ip_id(self):
        ident = self.ip_id
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        return ident


class Conversation:
    """A TCP conversation; every method appends (ts, frame) to .packets.

    wrap, if given, turns each IPv4 packet into the link-layer frame:
    wrap(ip_packet, src_endpoint, dst_endpoint) -> bytes (e.g. GreTunnel).
    """

    def __init__(self, client, server, wrap=None):
        self.client, self.server = client, server
        self.wrap = wrap
        self.packets = []

    def _ends(self, from_client):
        if from_client:
            return self.client, self.server
        return self.server, self.client

    def _emit(self, ts, src, dst, flags, window, payload=b"", options=b"",
              ack=True):
        ack_no = dst.seq if ack else 0
        seg = tcp(src.ip, dst.ip, src.port, dst.port, src.seq, ack_no, flags,
                  window, payload, options)
        pkt = ipv4(src.ip, dst.ip, seg, src.next_ip_id(), src.ttl)
        if self.wrap is not None:
            self.packets.append((ts, self.wrap(pkt, src, dst)))
        else:
            self.packets.append((ts, ethernet(src.mac, dst.mac, pkt)))

    def syn(self, ts, window=64240, mss=1460, wscale=8):
        c, s = self.client, self.server
        self._emit(ts, c, s, TCP_SYN, window, options=syn_options(mss, wscale),
                   ack=False)
        c.seq += 1

    def syn_ack(self, ts, window=8192, mss=1460, wscale=8):
        s, c = self.server, self.client
        self._emit(ts, s, c, TCP_SYN | TCP_ACK, window,
                   options=syn_options(mss, wscale))
        s.seq += 1

    def ack(self, ts, from_client, window):
        src, dst = self._ends(from_client)
        self._emit(ts, src, dst, TCP_ACK, window)

    def handshake(self, ts_syn, ts_synack, ts_ack, client_win=64240,
                  client_mss=1460, server_win=8192, server_mss=1460,
                  wscale=8, client_ack_win=1028):
        self.syn(ts_syn, client_win, client_mss, wscale)
        self.syn_ack(ts_synack, server_win, server_mss, wscale)
        self.ack(ts_ack, True, client_ack_win)

    def send(self, ts, from_client, payload, window, mss=1460):
        """Send payload, split into mss-sized segments.

        ts is one timestamp or a list with one timestamp per segment.
        PSH is set on the last segment only.
        """
        src, dst = self._ends(from_client)
        chunks = [payload[i:i + mss] for i in range(0, len(payload), mss)]
        times = ts if isinstance(ts, (list, tuple)) else [ts] * len(chunks)
        if len(times) != len(chunks):
            raise ValueError("need %d timestamps" % len(chunks))
        for i, (t, chunk) in enumerate(zip(times, chunks)):
            last = i == len(chunks) - 1
            flags = TCP_ACK | (TCP_PSH if last else 0)
            self._emit(t, src, dst, flags, window, chunk)
            src.seq += len(chunk)

    def resend(self, ts, from_client, payload, window):
        """Retransmit payload, the last data this side sent: same sequence
        number as the original segment (one segment, PSH set)."""
        src, dst = self._ends(from_client)
        src.seq -= len(payload)
        self._emit(ts, src, dst, TCP_ACK | TCP_PSH, window, payload)
        src.seq += len(payload)

    def fin(self, ts, from_client, window):
        src, dst = self._ends(from_client)
        self._emit(ts, src, dst, TCP_FIN | TCP_ACK, window)
        src.seq += 1

    def rst(self, ts, from_client, with_ack=True, window=0):
        src, dst = self._ends(from_client)
        flags = TCP_RST | (TCP_ACK if with_ack else 0)
        self._emit(ts, src, dst, flags, window, ack=with_ack)

# ---------------------------------------------------------------- TLS core


def record(content_type, version, body):
    return u8(content_type) + u16(version) + vec16(body)


def handshake(msg_type, body):
    return u8(msg_type) + vec24(body)


def handshake_record(version, *messages):
    """One TLS record carrying one or more handshake messages."""
    return record(CT_HANDSHAKE, version, b"".join(messages))


def ext(ext_type, data=b""):
    return u16(ext_type) + vec16(data)


def suites_bytes(suites):
    return b"".join(u16(s) for s in suites)

# ---------------------------------------------------------------- extensions


def ext_server_name(host):
    entry = u8(0) + vec16(host.encode())
    return ext(EXT_SERVER_NAME, vec16(entry))


def ext_status_request():
    """OCSP, empty responder_id_list and request_extensions (len=5)."""
    return ext(EXT_STATUS_REQUEST, u8(1) + u16(0) + u16(0))


def ext_supported_groups(groups):
    return ext(EXT_SUPPORTED_GROUPS, vec16(suites_bytes(groups)))


def ext_ec_point_formats(formats=(0,)):
    return ext(EXT_EC_POINT_FORMATS, vec8(bytes(formats)))


# Windows 10 era list: 9 algorithms -> extension data length 20
WINDOWS_SIG_ALGS = (0x0401, 0x0501, 0x0201, 0x0403, 0x0503, 0x0203, 0x0202,
                    0x0601, 0x0603)


def ext_signature_algorithms(algs=WINDOWS_SIG_ALGS):
    return ext(EXT_SIGNATURE_ALGORITHMS, vec16(suites_bytes(algs)))


def ext_session_ticket(ticket=b""):
    return ext(EXT_SESSION_TICKET, ticket)


def ext_alpn(protocols):
    plist = b"".join(vec8(p.encode()) for p in protocols)
    return ext(EXT_ALPN, vec16(plist))


def ext_extended_master_secret():
    return ext(EXT_EXTENDED_MASTER_SECRET)


def ext_token_binding(major=0, minor=13, params=(2, 1, 0)):
    """Token binding version + key parameters (len=6 with 3 params)."""
    return ext(EXT_TOKEN_BINDING, u8(major) + u8(minor) + vec8(bytes(params)))


def ext_renegotiation_info(verify_data=b""):
    return ext(EXT_RENEGOTIATION_INFO, vec8(verify_data))


def ext_supported_versions_client(versions):
    return ext(EXT_SUPPORTED_VERSIONS, vec8(suites_bytes(versions)))


def ext_supported_versions_server(version):
    return ext(EXT_SUPPORTED_VERSIONS, u16(version))


def ext_key_share_client(shares):
    """shares: list of (group, key_exchange bytes)."""
    body = b"".join(u16(g) + vec16(k) for g, k in shares)
    return ext(EXT_KEY_SHARE, vec16(body))


def ext_key_share_server(group, key):
    return ext(EXT_KEY_SHARE, u16(group) + vec16(key))

# ---------------------------------------------------------------- messages


def client_hello(version, random, suites, extensions, session_id=b"",
                 compression=b"\x00"):
    body = (u16(version) + random + vec8(session_id) +
            vec16(suites_bytes(suites)) + vec8(compression))
    if extensions is not None:
        body += vec16(b"".join(extensions))
    return handshake(HT_CLIENT_HELLO, body)


def server_hello(version, random, session_id, suite, extensions,
                 compression=0):
    body = (u16(version) + random + vec8(session_id) + u16(suite) +
            u8(compression))
    if extensions is not None:
        body += vec16(b"".join(extensions))
    return handshake(HT_SERVER_HELLO, body)


def certificate(der_list):
    chain = b"".join(vec24(der) for der in der_list)
    return handshake(HT_CERTIFICATE, vec24(chain))


def server_key_exchange_ecdhe(group, pubkey, signature, sig_alg=None):
    """ECDHE params; sig_alg (e.g. 0x0401) is present from TLS 1.2 on."""
    body = u8(3) + u16(group) + vec8(pubkey)
    if sig_alg is not None:
        body += u16(sig_alg)
    body += vec16(signature)
    return handshake(HT_SERVER_KEY_EXCHANGE, body)


def server_hello_done():
    return handshake(HT_SERVER_HELLO_DONE, b"")


def client_key_exchange_ecdhe(pubkey):
    return handshake(HT_CLIENT_KEY_EXCHANGE, vec8(pubkey))


def client_key_exchange_rsa(encrypted_pms):
    return handshake(HT_CLIENT_KEY_EXCHANGE, vec16(encrypted_pms))

# ---------------------------------------------------------------- records


def change_cipher_spec(version):
    return record(CT_CHANGE_CIPHER_SPEC, version, b"\x01")


def encrypted_handshake(version, length, label):
    """A record that looks like an encrypted Finished message."""
    return record(CT_HANDSHAKE, version, det_bytes(label, length))


def application_data(version, length, label):
    return record(CT_APPLICATION_DATA, version, det_bytes(label, length))


def alert(version, level, description):
    return record(CT_ALERT, version, u8(level) + u8(description))


# ---------------------------------------------------------------- SSLv2


def u24be(v):
    return struct.pack("!I", v)[1:]


def sslv2_record(body):
    """SSLv2 record with the 2-byte header (high bit set, no padding)."""
    if len(body) > 0x7FFF:
        raise ValueError("SSLv2 record too long")
    return u16(0x8000 | len(body)) + body


def sslv2_client_hello(version, cipher_specs, challenge, session_id=b""):
    """CLIENT-HELLO; cipher_specs are 3-byte kinds (TLS suites as 0x00XXXX).

    With version 0x0300 or higher this is the SSLv2-compatible hello that
    SSLv3/TLS clients sent to reach SSLv2 servers."""
    specs = b"".join(u24be(c) for c in cipher_specs)
    return (u8(SSL2_MT_CLIENT_HELLO) + u16(version) + u16(len(specs)) +
            u16(len(session_id)) + u16(len(challenge)) + specs + session_id +
            challenge)


def sslv2_server_hello(version, cert_der, cipher_specs, connection_id,
                       session_id_hit=0, cert_type=SSL2_CT_X509_CERTIFICATE):
    specs = b"".join(u24be(c) for c in cipher_specs)
    return (u8(SSL2_MT_SERVER_HELLO) + u8(session_id_hit) + u8(cert_type) +
            u16(version) + u16(len(cert_der)) + u16(len(specs)) +
            u16(len(connection_id)) + cert_der + specs + connection_id)


def sslv2_client_master_key(cipher_kind, clear_key, encrypted_key,
                            key_arg=b""):
    return (u8(SSL2_MT_CLIENT_MASTER_KEY) + u24be(cipher_kind) +
            u16(len(clear_key)) + u16(len(encrypted_key)) +
            u16(len(key_arg)) + clear_key + encrypted_key + key_arg)

# ---------------------------------------------------------------- tunnels


def gre(payload, proto=0x0800):
    """Plain GRE header (RFC 2784: no checksum, key or sequence)."""
    return u16(0) + u16(proto) + payload


class GreTunnel:
    """Ethernet / IPv4 / GRE around inner IPv4 packets.

    ends maps an inner IP address to its tunnel end (mac, outer ip); the
    frame goes from the source's tunnel end to the destination's."""

    def __init__(self, ends, ttl=64, ip_id=1):
        self.ends = ends
        self.ttl = ttl
        self.ip_id = ip_id

    def __call__(self, ip_packet, src, dst):
        smac, sip = self.ends[src.ip]
        dmac, dip = self.ends[dst.ip]
        ident = self.ip_id
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        outer = ipv4(sip, dip, gre(ip_packet), ident, self.ttl,
                     proto=IPPROTO_GRE)
        return ethernet(smac, dmac, outer)
