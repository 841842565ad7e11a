/*
 * gen_capture: deterministic, seeded generator of a large classic-pcap
 * capture of TLS-over-TCP conversations, for benchmarking (and checking) the
 * Agent TLS Verdict Wireshark plugin.
 *
 *   gen_capture --conversations N --seed S --out file.pcap --expected file.tsv
 *               [--concurrency W]
 *
 * Every conversation is Ethernet/IPv4/TCP with correct checksums and
 * sequence/acknowledgement numbers: a three-way handshake, a realistic
 * ClientHello (5 to 30 suites, GREASE on some clients, the usual extensions,
 * supported_versions + key_share on TLS 1.3 clients), then one of these
 * outcomes, whose expected plugin verdict is written to the expected file:
 *
 *   ok                 ServerHello at the client's highest version with an
 *                      offered suite; full TLS 1.2 (certificate chain, key
 *                      exchange, finished, application data) or TLS 1.3
 *                      (CCS + encrypted flight + application data) exchange
 *   reset_after_hello  the server answers the ClientHello with a RST
 *   closed_after_hello the server answers the ClientHello with a FIN
 *   no_shared_cipher   the server answers with a fatal handshake_failure
 *                      alert, then FIN or RST
 *   version_rejected   a TLS 1.0/1.1-only client; the server answers with a
 *                      fatal protocol_version alert, then FIN
 *   fallback_rejected  a fallback retry (TLS 1.1 or 1.2, TLS_FALLBACK_SCSV);
 *                      the server answers with inappropriate_fallback, FIN
 *   cipher_unoffered   the ServerHello picks a suite the client did not offer
 *   certificate_rejected  TLS 1.2 server flight, then the client sends a
 *                      fatal unknown_ca alert in clear and closes
 *   handshake_alert    TLS 1.2 server flight, then the server sends a fatal
 *                      decode_error after the client's key exchange, or the
 *                      client sends illegal_parameter
 *   client_aborted     the client closes after the server's flight without
 *                      going on (TLS 1.3: after its CCS and one 19-byte
 *                      encrypted record, an encrypted alert)
 *   no_server_hello    the server only ACKs the ClientHello; nothing else,
 *                      no close (judged at the end of the capture, -2)
 *   version_downgrade  the ServerHello picks a lower version than the
 *                      client's highest (1.2 client -> 0x0302, or 1.3 client
 *                      -> 0x0303 without supported_versions)
 *   incomplete         an ok exchange whose capture starts at the server's
 *                      ServerHello flight (no SYN, no ClientHello)
 *
 * Server flights are larger than one MSS (1460) and are split across TCP
 * segments, so Wireshark's TCP reassembly runs.  Servers listen on 443
 * (dissected as TLS by port) and 4343 (dissected by the TLS heuristic).
 *
 * Up to W (default 4) conversations are in flight at once and their packets
 * are interleaved; a conversation's first captured packet (its SYN, or for
 * incomplete its first ServerHello segment) is written when it starts and
 * they start in order, so Wireshark's tcp.stream index equals the
 * conversation number, which keys the expected file ("stream<TAB>verdict",
 * with header).
 *
 * Output depends only on the arguments (no clock, no environment).  Only
 * libc is used.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64 seeding a xoshiro256**.                  */

typedef struct { uint64_t s[4]; } rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n). */
static inline uint32_t rnd(rng_t *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline uint32_t rnd_range(rng_t *r, uint32_t lo, uint32_t hi)
{
    return lo + rnd(r, hi - lo + 1);
}

static inline int chance(rng_t *r, uint32_t percent) { return rnd(r, 100) < percent; }

static void rnd_bytes(rng_t *r, uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint64_t v = rng_next(r);
        memcpy(p, &v, 8);
        p += 8; n -= 8;
    }
    if (n) {
        uint64_t v = rng_next(r);
        memcpy(p, &v, n);
    }
}

/* ------------------------------------------------------------------ */
/* Byte buffers.                                                       */

typedef struct { uint8_t *p; size_t len, cap; } buf_t;

static void die(const char *msg)
{
    fprintf(stderr, "gen_capture: %s\n", msg);
    exit(1);
}

static void buf_reserve(buf_t *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra)
        cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p)
        die("out of memory");
    b->cap = cap;
}

static inline void put_u8(buf_t *b, uint32_t v) { buf_reserve(b, 1); b->p[b->len++] = (uint8_t)v; }
static inline void put_u16(buf_t *b, uint32_t v) { buf_reserve(b, 2); b->p[b->len++] = (uint8_t)(v >> 8); b->p[b->len++] = (uint8_t)v; }
static inline void put_u24(buf_t *b, uint32_t v) { put_u8(b, v >> 16); put_u16(b, v & 0xffff); }
static inline void put_u32(buf_t *b, uint32_t v) { put_u16(b, v >> 16); put_u16(b, v & 0xffff); }
static inline void put_bytes(buf_t *b, const void *p, size_t n) { if (!n) return; buf_reserve(b, n); memcpy(b->p + b->len, p, n); b->len += n; }
static inline void put_rand(buf_t *b, rng_t *r, size_t n) { buf_reserve(b, n); rnd_bytes(r, b->p + b->len, n); b->len += n; }

static inline void set_u16(buf_t *b, size_t at, uint32_t v) { b->p[at] = (uint8_t)(v >> 8); b->p[at + 1] = (uint8_t)v; }
static inline void set_u24(buf_t *b, size_t at, uint32_t v) { b->p[at] = (uint8_t)(v >> 16); set_u16(b, at + 1, v & 0xffff); }

/* Length-prefixed blocks: open reserves the prefix, close fills it in. */
static size_t open_len(buf_t *b, int width)
{
    size_t at = b->len;
    for (int i = 0; i < width; i++)
        put_u8(b, 0);
    return at;
}

static void close_len(buf_t *b, size_t at, int width)
{
    size_t n = b->len - at - (size_t)width;
    if (width == 1) b->p[at] = (uint8_t)n;
    else if (width == 2) set_u16(b, at, (uint32_t)n);
    else set_u24(b, at, (uint32_t)n);
}

/* ------------------------------------------------------------------ */
/* Minimal DER writer (definite, minimal-length encoding) for building   */
/* structurally valid X.509 certificates that Wireshark parses cleanly. */

#define DER_MAX_DEPTH 16
typedef struct { buf_t *b; size_t stack[DER_MAX_DEPTH]; int depth; } der_t;

static void der_begin(der_t *d, uint8_t tag)
{
    if (d->depth == DER_MAX_DEPTH)
        die("DER nesting too deep");
    put_u8(d->b, tag);
    d->stack[d->depth++] = d->b->len;
    put_u8(d->b, 0); put_u8(d->b, 0); put_u8(d->b, 0); /* room for 0x82 LL LL */
}

static void der_end(der_t *d)
{
    size_t at = d->stack[--d->depth];
    size_t content = at + 3;
    size_t n = d->b->len - content;
    int hl = n < 0x80 ? 1 : n < 0x100 ? 2 : 3;
    if (n > 0xffff)
        die("DER element too large");
    uint8_t *p = d->b->p;
    if (hl == 1) p[at] = (uint8_t)n;
    else if (hl == 2) { p[at] = 0x81; p[at + 1] = (uint8_t)n; }
    else { p[at] = 0x82; p[at + 1] = (uint8_t)(n >> 8); p[at + 2] = (uint8_t)n; }
    memmove(p + at + hl, p + content, n);
    d->b->len -= (size_t)(3 - hl);
}

static void der_prim(der_t *d, uint8_t tag, const void *data, size_t n)
{
    der_begin(d, tag);
    put_bytes(d->b, data, n);
    der_end(d);
}

static const uint8_t OID_SHA256_RSA[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b };
static const uint8_t OID_RSA[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
static const uint8_t OID_C[] = { 0x55, 0x04, 0x06 };
static const uint8_t OID_O[] = { 0x55, 0x04, 0x0a };
static const uint8_t OID_CN[] = { 0x55, 0x04, 0x03 };
static const uint8_t OID_SAN[] = { 0x55, 0x1d, 0x11 };
static const uint8_t OID_BC[] = { 0x55, 0x1d, 0x13 };
static const uint8_t OID_KU[] = { 0x55, 0x1d, 0x0f };

static void der_alg_sha256rsa(der_t *d)
{
    der_begin(d, 0x30);
    der_prim(d, 0x06, OID_SHA256_RSA, sizeof OID_SHA256_RSA);
    der_prim(d, 0x05, NULL, 0);
    der_end(d);
}

static void der_rdn(der_t *d, const uint8_t *oid, size_t oidlen, uint8_t strtag, const char *s)
{
    der_begin(d, 0x31);
    der_begin(d, 0x30);
    der_prim(d, 0x06, oid, oidlen);
    der_prim(d, strtag, s, strlen(s));
    der_end(d);
    der_end(d);
}

static void der_name(der_t *d, const char *org, const char *cn)
{
    der_begin(d, 0x30);
    der_rdn(d, OID_C, sizeof OID_C, 0x13, "US");
    if (org)
        der_rdn(d, OID_O, sizeof OID_O, 0x0c, org);
    der_rdn(d, OID_CN, sizeof OID_CN, 0x0c, cn);
    der_end(d);
}

/* An RSA certificate: valid DER, random key and signature bytes. */
static void make_certificate(buf_t *out, rng_t *r, const char *issuer_cn,
                             const char *subject_cn, const char *dns_name,
                             int is_ca, int key_bytes)
{
    der_t d = { .b = out, .depth = 0 };
    uint8_t tmp[600];

    der_begin(&d, 0x30);            /* Certificate */
    der_begin(&d, 0x30);            /* TBSCertificate */
    der_begin(&d, 0xa0);            /* [0] version */
    der_prim(&d, 0x02, "\x02", 1);
    der_end(&d);
    rnd_bytes(r, tmp, 16);          /* serialNumber */
    tmp[0] = (uint8_t)((tmp[0] & 0x7f) | 0x10);
    der_prim(&d, 0x02, tmp, 16);
    der_alg_sha256rsa(&d);
    der_name(&d, "Example Trust Services", issuer_cn);
    der_begin(&d, 0x30);            /* validity */
    der_prim(&d, 0x17, "240101000000Z", 13);
    der_prim(&d, 0x17, "250401000000Z", 13);
    der_end(&d);
    der_name(&d, is_ca ? "Example Trust Services" : NULL, subject_cn);
    der_begin(&d, 0x30);            /* subjectPublicKeyInfo */
    der_begin(&d, 0x30);
    der_prim(&d, 0x06, OID_RSA, sizeof OID_RSA);
    der_prim(&d, 0x05, NULL, 0);
    der_end(&d);
    der_begin(&d, 0x03);            /* BIT STRING */
    put_u8(out, 0);                 /* no unused bits */
    der_begin(&d, 0x30);            /* RSAPublicKey */
    tmp[0] = 0;
    rnd_bytes(r, tmp + 1, (size_t)key_bytes);
    tmp[1] |= 0x80;
    tmp[key_bytes] |= 0x01;
    der_prim(&d, 0x02, tmp, (size_t)key_bytes + 1);
    der_prim(&d, 0x02, "\x01\x00\x01", 3);
    der_end(&d);
    der_end(&d);
    der_end(&d);
    der_begin(&d, 0xa3);            /* [3] extensions */
    der_begin(&d, 0x30);
    der_begin(&d, 0x30);            /* basicConstraints, critical */
    der_prim(&d, 0x06, OID_BC, sizeof OID_BC);
    der_prim(&d, 0x01, "\xff", 1);
    der_begin(&d, 0x04);
    der_begin(&d, 0x30);
    if (is_ca)
        der_prim(&d, 0x01, "\xff", 1);
    der_end(&d);
    der_end(&d);
    der_end(&d);
    der_begin(&d, 0x30);            /* keyUsage, critical */
    der_prim(&d, 0x06, OID_KU, sizeof OID_KU);
    der_prim(&d, 0x01, "\xff", 1);
    der_begin(&d, 0x04);
    if (is_ca)
        der_prim(&d, 0x03, "\x01\x06", 2);  /* keyCertSign, cRLSign */
    else
        der_prim(&d, 0x03, "\x05\xa0", 2);  /* digitalSignature, keyEncipherment */
    der_end(&d);
    der_end(&d);
    if (dns_name) {
        der_begin(&d, 0x30);        /* subjectAltName */
        der_prim(&d, 0x06, OID_SAN, sizeof OID_SAN);
        der_begin(&d, 0x04);
        der_begin(&d, 0x30);
        der_prim(&d, 0x82, dns_name, strlen(dns_name));
        der_end(&d);
        der_end(&d);
        der_end(&d);
    }
    der_end(&d);
    der_end(&d);
    der_end(&d);                    /* TBSCertificate */
    der_alg_sha256rsa(&d);
    der_begin(&d, 0x03);            /* signatureValue */
    put_u8(out, 0);
    put_rand(out, r, 256);
    der_end(&d);
    der_end(&d);                    /* Certificate */
}

/* ------------------------------------------------------------------ */
/* TLS vocabulary.                                                     */

enum { KX_ECDHE, KX_DHE, KX_RSA };

typedef struct { uint16_t id; uint8_t kx; uint8_t cbc; } suite_t;

/* TLS 1.2-and-earlier suites clients offer (no NULL/export/RC4/3DES). */
static const suite_t SUITES12[] = {
    { 0xc02b, KX_ECDHE, 0 }, { 0xc02f, KX_ECDHE, 0 }, { 0xc02c, KX_ECDHE, 0 },
    { 0xc030, KX_ECDHE, 0 }, { 0xcca9, KX_ECDHE, 0 }, { 0xcca8, KX_ECDHE, 0 },
    { 0xc013, KX_ECDHE, 1 }, { 0xc014, KX_ECDHE, 1 }, { 0xc009, KX_ECDHE, 1 },
    { 0xc00a, KX_ECDHE, 1 }, { 0xc023, KX_ECDHE, 1 }, { 0xc027, KX_ECDHE, 1 },
    { 0xc024, KX_ECDHE, 1 }, { 0xc028, KX_ECDHE, 1 }, { 0xc0ac, KX_ECDHE, 0 },
    { 0xc0ad, KX_ECDHE, 0 }, { 0x009c, KX_RSA, 0 },   { 0x009d, KX_RSA, 0 },
    { 0x002f, KX_RSA, 1 },   { 0x0035, KX_RSA, 1 },   { 0x003c, KX_RSA, 1 },
    { 0x003d, KX_RSA, 1 },   { 0xc09c, KX_RSA, 0 },   { 0xc09d, KX_RSA, 0 },
    { 0x009e, KX_DHE, 0 },   { 0x009f, KX_DHE, 0 },   { 0xccaa, KX_DHE, 0 },
    { 0x0033, KX_DHE, 1 },   { 0x0039, KX_DHE, 1 },   { 0x0067, KX_DHE, 1 },
    { 0x006b, KX_DHE, 1 },   { 0xc09e, KX_DHE, 0 },   { 0xc09f, KX_DHE, 0 },
};
#define N_SUITES12 (sizeof SUITES12 / sizeof SUITES12[0])

static const uint16_t SUITES13[] = { 0x1301, 0x1302, 0x1303 };
/* TLS 1.3 suites that clients here never offer (for cipher_unoffered). */
static const uint16_t SUITES13_RARE[] = { 0x1304, 0x1305 };

static uint16_t grease_value(rng_t *r) { uint32_t n = rnd(r, 16); return (uint16_t)((n << 12) | 0x0a00 | (n << 4) | 0x0a); }

static const suite_t *suite12_info(uint16_t id)
{
    for (size_t i = 0; i < N_SUITES12; i++)
        if (SUITES12[i].id == id)
            return &SUITES12[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Outcomes and their verdicts.                                        */

enum {
    OUT_OK,
    OUT_RESET_AFTER_HELLO,
    OUT_CLOSED_AFTER_HELLO,
    OUT_NO_SHARED_CIPHER,
    OUT_VERSION_REJECTED,
    OUT_FALLBACK_REJECTED,
    OUT_CIPHER_UNOFFERED,
    OUT_CERTIFICATE_REJECTED,
    OUT_HANDSHAKE_ALERT,
    OUT_CLIENT_ABORTED,
    OUT_NO_SERVER_HELLO,
    OUT_VERSION_DOWNGRADE,
    OUT_INCOMPLETE,
    OUT_COUNT
};

static const char *const VERDICT_NAME[OUT_COUNT] = {
    "ok", "reset_after_hello", "closed_after_hello", "no_shared_cipher",
    "version_rejected", "fallback_rejected", "cipher_unoffered",
    "certificate_rejected", "handshake_alert", "client_aborted",
    "no_server_hello", "version_downgrade", "incomplete",
};

/* Per block of 50 conversations: one of each of the 12 other outcomes and
 * 38 ok (76 % ok, 2 % each other outcome).  The first block puts one of each
 * outcome in its first OUT_COUNT slots so even tiny captures cover every
 * verdict. */
#define BLOCK 50

/* ------------------------------------------------------------------ */
/* Hosts.                                                              */

#define N_SERVERS 6
#define N_CLIENTS 60000
#define MSS 1460
/* Client (ephemeral) ports.  Wireshark 4.0 registers no TCP dissector on
 * 49152-56999 (`tshark -G decodes`); a registered client port would beat the
 * TLS heuristic on port 4343 (e.g. 48049 -> CBSP, 57000 -> IRC). */
#define CLIENT_PORT_MIN 49152
#define CLIENT_PORT_MAX 56999

typedef struct {
    uint32_t ip;
    uint8_t mac[6];
    char name[48];
    buf_t chain;           /* Certificate message body: certificate_list */
} server_t;

typedef struct {
    uint16_t next_port;
} client_t;

static const uint8_t GATEWAY_MAC[6] = { 0x00, 0x1b, 0x21, 0x3a, 0x4c, 0x01 };

/* ------------------------------------------------------------------ */
/* A conversation: its packets, fully built, waiting to be written.    */

typedef struct {
    buf_t frames;                 /* concatenated pcap records (timestamps filled at write time) */
    size_t *offs;                 /* start of each record in frames */
    size_t npkts, cap_pkts, next_pkt;
    /* TCP state while building. */
    uint32_t cip, sip;
    uint16_t cport, sport;
    uint8_t cmac[6], smac[6];
    uint32_t c_next, s_next;      /* next sequence number each side sends */
    uint16_t c_ipid, s_ipid;
    int has_server_hello;
} conv_t;

enum { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10 };

static uint16_t csum_finish(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    while (n >= 2) {
        sum += (uint32_t)((p[0] << 8) | p[1]);
        p += 2; n -= 2;
    }
    if (n)
        sum += (uint32_t)(p[0] << 8);
    return sum;
}

static void add_packet(conv_t *c, int from_client, uint8_t flags,
                       const uint8_t *payload, size_t plen)
{
    size_t optlen = (flags & F_SYN) ? 8 : 0;
    size_t tcplen = 20 + optlen + plen;
    size_t iplen = 20 + tcplen;
    size_t framelen = 14 + iplen;
    buf_t *b = &c->frames;

    if (c->npkts == c->cap_pkts) {
        c->cap_pkts = c->cap_pkts ? c->cap_pkts * 2 : 64;
        c->offs = realloc(c->offs, c->cap_pkts * sizeof *c->offs);
        if (!c->offs)
            die("out of memory");
    }
    c->offs[c->npkts++] = b->len;

    /* pcap record header; ts filled in when written. */
    put_u32(b, 0); put_u32(b, 0);
    buf_reserve(b, 8 + framelen);
    uint8_t *rec = b->p + b->len;
    uint32_t fl = (uint32_t)framelen;
    memcpy(rec, &fl, 4);          /* incl_len, host byte order like the file header */
    memcpy(rec + 4, &fl, 4);      /* orig_len */
    b->len += 8;

    uint8_t *f = b->p + b->len;
    memset(f, 0, 14 + 20 + 20 + optlen);
    const uint8_t *src_mac = from_client ? c->cmac : c->smac;
    const uint8_t *dst_mac = from_client ? c->smac : c->cmac;
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, src_mac, 6);
    f[12] = 0x08; f[13] = 0x00;

    uint8_t *ip = f + 14;
    uint32_t sip = from_client ? c->cip : c->sip;
    uint32_t dip = from_client ? c->sip : c->cip;
    uint16_t id = from_client ? c->c_ipid++ : c->s_ipid++;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(iplen >> 8); ip[3] = (uint8_t)iplen;
    ip[4] = (uint8_t)(id >> 8); ip[5] = (uint8_t)id;
    ip[6] = 0x40;                 /* DF */
    ip[8] = from_client ? 64 : 57;
    ip[9] = 6;
    ip[12] = (uint8_t)(sip >> 24); ip[13] = (uint8_t)(sip >> 16); ip[14] = (uint8_t)(sip >> 8); ip[15] = (uint8_t)sip;
    ip[16] = (uint8_t)(dip >> 24); ip[17] = (uint8_t)(dip >> 16); ip[18] = (uint8_t)(dip >> 8); ip[19] = (uint8_t)dip;
    uint16_t ipsum = csum_finish(csum_add(0, ip, 20));
    ip[10] = (uint8_t)(ipsum >> 8); ip[11] = (uint8_t)ipsum;

    uint8_t *t = ip + 20;
    uint16_t sp = from_client ? c->cport : c->sport;
    uint16_t dp = from_client ? c->sport : c->cport;
    uint32_t seq = from_client ? c->c_next : c->s_next;
    uint32_t ack = (flags & F_ACK) ? (from_client ? c->s_next : c->c_next) : 0;
    uint16_t win = from_client ? 64240 : 65160;
    t[0] = (uint8_t)(sp >> 8); t[1] = (uint8_t)sp;
    t[2] = (uint8_t)(dp >> 8); t[3] = (uint8_t)dp;
    t[4] = (uint8_t)(seq >> 24); t[5] = (uint8_t)(seq >> 16); t[6] = (uint8_t)(seq >> 8); t[7] = (uint8_t)seq;
    t[8] = (uint8_t)(ack >> 24); t[9] = (uint8_t)(ack >> 16); t[10] = (uint8_t)(ack >> 8); t[11] = (uint8_t)ack;
    t[12] = (uint8_t)(((20 + optlen) / 4) << 4);
    t[13] = flags;
    if (flags & F_RST)
        win = 0;
    t[14] = (uint8_t)(win >> 8); t[15] = (uint8_t)win;
    if (optlen) {
        static const uint8_t opts[8] = { 0x02, 0x04, MSS >> 8, MSS & 0xff, 0x01, 0x01, 0x04, 0x02 };
        memcpy(t + 20, opts, 8);
    }
    if (plen)
        memcpy(t + 20 + optlen, payload, plen);

    uint64_t sum = 0;
    sum += (sip >> 16) + (sip & 0xffff) + (dip >> 16) + (dip & 0xffff);
    sum += 6 + (uint32_t)tcplen;
    sum = csum_add(sum, t, tcplen);
    uint16_t tsum = csum_finish(sum);
    t[16] = (uint8_t)(tsum >> 8); t[17] = (uint8_t)tsum;

    b->len += framelen;

    uint32_t adv = (uint32_t)plen + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
    if (from_client) c->c_next += adv; else c->s_next += adv;
}

/* Send a byte stream from one side, cut into MSS-sized segments. */
static void send_data(conv_t *c, int from_client, const buf_t *data)
{
    size_t off = 0;
    while (off < data->len) {
        size_t n = data->len - off;
        if (n > MSS)
            n = MSS;
        int last = off + n == data->len;
        add_packet(c, from_client, (uint8_t)(F_ACK | (last ? F_PSH : 0)), data->p + off, n);
        off += n;
    }
}

static void send_ack(conv_t *c, int from_client) { add_packet(c, from_client, F_ACK, NULL, 0); }

/* Orderly close, started by one side. */
static void close_fin(conv_t *c, int client_first)
{
    add_packet(c, client_first, F_FIN | F_ACK, NULL, 0);
    add_packet(c, !client_first, F_FIN | F_ACK, NULL, 0);
    add_packet(c, client_first, F_ACK, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* TLS message builders.                                               */

typedef struct {
    int tls13;                /* offers TLS 1.3 via supported_versions */
    int grease;
    uint16_t max_version;     /* highest version offered (0x0301-0x0304) */
    int fallback_scsv;        /* a fallback retry: TLS_FALLBACK_SCSV last */
    uint16_t suites[32];
    int nsuites;
    uint8_t session_id[32];
    int session_id_len;
    int ext_sni, ext_alpn, ext_ems, ext_ticket, ext_reneg, ext_ecpf;
} client_hello_t;

static void record_begin(buf_t *b, uint8_t type, uint16_t version, size_t *at)
{
    put_u8(b, type);
    put_u16(b, version);
    *at = open_len(b, 2);
}

/* Build a client's ClientHello (one record) into out. */
static void build_client_hello(rng_t *r, client_hello_t *ch, const char *sni, buf_t *out)
{
    /* Suite list. */
    int n = (int)rnd_range(r, 5, 30);
    int k = 0;
    if (ch->grease)
        ch->suites[k++] = grease_value(r);
    if (ch->tls13) {
        int n13 = chance(r, 80) ? 3 : (int)rnd_range(r, 1, 2);
        uint16_t pick[3] = { 0x1301, 0x1302, 0x1303 };
        if (n13 < 3 && chance(r, 50)) { pick[0] = 0x1302; pick[1] = 0x1301; }
        for (int i = 0; i < n13; i++)
            ch->suites[k++] = pick[i];
    }
    /* Choose distinct TLS 1.2 suites: partial Fisher-Yates over the pool,
     * biased to keep AEAD-ECDHE first as real clients do. */
    uint16_t pool[N_SUITES12];
    int npool = 0;
    int legacy = ch->max_version < 0x0303;
    for (size_t i = 0; i < N_SUITES12; i++) {
        /* TLS 1.0/1.1 clients: only the SHA-1 CBC suites those versions know. */
        uint16_t id = SUITES12[i].id;
        if (!legacy || (SUITES12[i].cbc && (id == 0xc013 || id == 0xc014 || id == 0xc009 ||
                                           id == 0xc00a || id == 0x002f || id == 0x0035 ||
                                           id == 0x0033 || id == 0x0039)))
            pool[npool++] = id;
    }
    int want = n - k;
    if (want < 1)
        want = 1;
    for (int i = 0; i < want && i < npool; i++) {
        int lim = (i < 2 && !legacy) ? 6 : npool; /* first two from the modern six */
        int j = i + (int)rnd(r, (uint32_t)(lim > i ? lim - i : 1));
        uint16_t t = pool[i]; pool[i] = pool[j]; pool[j] = t;
        ch->suites[k++] = pool[i];
    }
    if (ch->fallback_scsv)
        ch->suites[k++] = 0x5600;    /* TLS_FALLBACK_SCSV, last as clients send it */
    ch->nsuites = k;

    ch->session_id_len = (ch->tls13 || chance(r, 50)) ? 32 : 0;
    rnd_bytes(r, ch->session_id, 32);
    ch->ext_sni = chance(r, 95);
    ch->ext_alpn = chance(r, 70);
    ch->ext_ems = chance(r, 85);
    ch->ext_ticket = chance(r, 80);
    ch->ext_reneg = chance(r, 85);
    ch->ext_ecpf = chance(r, 90);

    size_t rec, hs, exts, l;
    uint16_t hello_version = ch->max_version > 0x0303 ? 0x0303 : ch->max_version;
    record_begin(out, 22, chance(r, 80) ? 0x0301 : hello_version, &rec);
    put_u8(out, 1);
    hs = open_len(out, 3);
    put_u16(out, hello_version);
    put_rand(out, r, 32);
    put_u8(out, (uint32_t)ch->session_id_len);
    put_bytes(out, ch->session_id, (size_t)ch->session_id_len);
    put_u16(out, (uint32_t)(2 * ch->nsuites));
    for (int i = 0; i < ch->nsuites; i++)
        put_u16(out, ch->suites[i]);
    put_u8(out, 1);
    put_u8(out, 0);
    exts = open_len(out, 2);

    uint16_t g1 = 0, g2 = 0;
    if (ch->grease) {
        g1 = grease_value(r);
        do g2 = grease_value(r); while (g2 == g1);
        put_u16(out, g1); put_u16(out, 0);
    }
    if (ch->ext_sni) {
        put_u16(out, 0);
        l = open_len(out, 2);
        size_t l2 = open_len(out, 2);
        put_u8(out, 0);
        put_u16(out, (uint32_t)strlen(sni));
        put_bytes(out, sni, strlen(sni));
        close_len(out, l2, 2);
        close_len(out, l, 2);
    }
    if (ch->ext_ems) { put_u16(out, 23); put_u16(out, 0); }
    if (ch->ext_reneg) { put_u16(out, 0xff01); put_u16(out, 1); put_u8(out, 0); }
    /* supported_groups */
    put_u16(out, 10);
    l = open_len(out, 2);
    {
        size_t l2 = open_len(out, 2);
        if (ch->grease) put_u16(out, grease_value(r));
        put_u16(out, 0x001d); put_u16(out, 0x0017); put_u16(out, 0x0018);
        if (chance(r, 40)) put_u16(out, 0x0019);
        if (chance(r, 30)) { put_u16(out, 0x0100); put_u16(out, 0x0101); }
        close_len(out, l2, 2);
    }
    close_len(out, l, 2);
    if (ch->ext_ecpf) { put_u16(out, 11); put_u16(out, 2); put_u8(out, 1); put_u8(out, 0); }
    if (ch->ext_ticket) { put_u16(out, 35); put_u16(out, 0); }
    if (ch->ext_alpn) {
        put_u16(out, 16);
        l = open_len(out, 2);
        size_t l2 = open_len(out, 2);
        put_u8(out, 2); put_bytes(out, "h2", 2);
        put_u8(out, 8); put_bytes(out, "http/1.1", 8);
        close_len(out, l2, 2);
        close_len(out, l, 2);
    }
    if (chance(r, 60)) { /* status_request */
        put_u16(out, 5); put_u16(out, 5);
        put_u8(out, 1); put_u16(out, 0); put_u16(out, 0);
    }
    /* signature_algorithms (TLS 1.2 and later only) */
    if (!legacy) {
    put_u16(out, 13);
    l = open_len(out, 2);
    {
        static const uint16_t algs[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601 };
        size_t l2 = open_len(out, 2);
        for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
            put_u16(out, algs[i]);
        if (!ch->tls13 && chance(r, 50)) { put_u16(out, 0x0201); put_u16(out, 0x0203); }
        close_len(out, l2, 2);
    }
    close_len(out, l, 2);
    }
    if (chance(r, 50)) { put_u16(out, 18); put_u16(out, 0); } /* signed_certificate_timestamp */
    if (ch->tls13) {
        /* key_share */
        put_u16(out, 51);
        l = open_len(out, 2);
        size_t l2 = open_len(out, 2);
        if (ch->grease) { put_u16(out, grease_value(r)); put_u16(out, 1); put_u8(out, 0); }
        put_u16(out, 0x001d); put_u16(out, 32); put_rand(out, r, 32);
        close_len(out, l2, 2);
        close_len(out, l, 2);
        /* psk_key_exchange_modes */
        put_u16(out, 45); put_u16(out, 2); put_u8(out, 1); put_u8(out, 1);
        /* supported_versions */
        put_u16(out, 43);
        l = open_len(out, 2);
        l2 = open_len(out, 1);
        if (ch->grease) put_u16(out, grease_value(r));
        put_u16(out, 0x0304); put_u16(out, 0x0303);
        if (chance(r, 20)) { put_u16(out, 0x0302); put_u16(out, 0x0301); }
        close_len(out, l2, 1);
        close_len(out, l, 2);
    }
    if (ch->grease) { put_u16(out, g2); put_u16(out, 1); put_u8(out, 0); }
    close_len(out, exts, 2);
    close_len(out, hs, 3);
    close_len(out, rec, 2);
}

/* Opaque ciphertext whose first byte is no valid handshake type, so an
 * encrypted Finished is never mistaken for a plaintext message. */
static void put_ciphertext(buf_t *b, rng_t *r, size_t n)
{
    size_t at = b->len;
    put_rand(b, r, n);
    if (n) {
        uint8_t first = (uint8_t)(0x80 | (b->p[at] & 0x7f));
        b->p[at] = first == 0xfe ? 0xfd : first;
    }
}

static void put_record_ct(buf_t *b, rng_t *r, uint8_t type, uint16_t ver, size_t n)
{
    put_u8(b, type);
    put_u16(b, ver);
    put_u16(b, (uint32_t)n);
    put_ciphertext(b, r, n);
}

/* ServerHello handshake message (type+length+body) appended to b. */
static void put_server_hello(buf_t *b, rng_t *r, const client_hello_t *ch,
                             uint16_t version, int tls13_ext, uint16_t suite)
{
    put_u8(b, 2);
    size_t hs = open_len(b, 3);
    put_u16(b, version);
    size_t rnd_at = b->len;
    put_rand(b, r, 32);
    b->p[rnd_at + 24] = 0x11; /* never the DOWNGRD sentinel */
    if (tls13_ext) {
        put_u8(b, (uint32_t)ch->session_id_len);
        put_bytes(b, ch->session_id, (size_t)ch->session_id_len);
    } else {
        put_u8(b, 32);
        put_rand(b, r, 32);
    }
    put_u16(b, suite);
    put_u8(b, 0);
    size_t exts = open_len(b, 2);
    if (tls13_ext) {
        put_u16(b, 51); put_u16(b, 36); put_u16(b, 0x001d); put_u16(b, 32); put_rand(b, r, 32);
        put_u16(b, 43); put_u16(b, 2); put_u16(b, 0x0304);
    } else {
        const suite_t *si = suite12_info(suite);
        if (ch->ext_reneg) { put_u16(b, 0xff01); put_u16(b, 1); put_u8(b, 0); }
        if (ch->ext_ems) { put_u16(b, 23); put_u16(b, 0); }
        if (ch->ext_ecpf && si && si->kx == KX_ECDHE) { put_u16(b, 11); put_u16(b, 2); put_u8(b, 1); put_u8(b, 0); }
        if (ch->ext_ticket && chance(r, 60)) { put_u16(b, 35); put_u16(b, 0); }
        if (ch->ext_alpn && chance(r, 80)) {
            put_u16(b, 16); put_u16(b, 5); put_u16(b, 3); put_u8(b, 2); put_bytes(b, "h2", 2);
        }
    }
    close_len(b, exts, 2);
    close_len(b, hs, 3);
}

/* TLS <= 1.2 server flight: ServerHello, Certificate, [ServerKeyExchange],
 * ServerHelloDone; either one record per message or all in one record. */
static void build_flight12(buf_t *out, rng_t *r, const client_hello_t *ch,
                           const server_t *srv, uint16_t version, uint16_t suite)
{
    const suite_t *si = suite12_info(suite);
    int kx = si ? si->kx : KX_ECDHE;
    int one_record = chance(r, 40);
    size_t rec = 0;

    if (one_record)
        record_begin(out, 22, version, &rec);
    for (int msg = 0; msg < 4; msg++) {
        if (msg == 2 && kx == KX_RSA)
            continue;
        if (!one_record)
            record_begin(out, 22, version, &rec);
        if (msg == 0) {
            put_server_hello(out, r, ch, version, 0, suite);
        } else if (msg == 1) {
            put_u8(out, 11);
            size_t hs = open_len(out, 3);
            put_u24(out, (uint32_t)srv->chain.len);
            put_bytes(out, srv->chain.p, srv->chain.len);
            close_len(out, hs, 3);
        } else if (msg == 2) {
            put_u8(out, 12);
            size_t hs = open_len(out, 3);
            if (kx == KX_ECDHE) {
                put_u8(out, 3); put_u16(out, 0x001d); put_u8(out, 32); put_rand(out, r, 32);
            } else {
                static const uint8_t two = 2;
                put_u16(out, 256);
                size_t p_at = out->len;
                put_rand(out, r, 256);
                out->p[p_at] |= 0x80;
                put_u16(out, 1); put_bytes(out, &two, 1);
                put_u16(out, 256); put_rand(out, r, 256);
            }
            if (version >= 0x0303)
                put_u16(out, 0x0804);
            put_u16(out, 256);
            put_rand(out, r, 256);
            close_len(out, hs, 3);
        } else {
            put_u8(out, 14); put_u24(out, 0);
        }
        if (!one_record)
            close_len(out, rec, 2);
    }
    if (one_record)
        close_len(out, rec, 2);
}

/* TLS 1.3 server flight: ServerHello, CCS, encrypted EE/Cert/CV/Finished. */
static void build_flight13(buf_t *out, rng_t *r, const client_hello_t *ch,
                           const server_t *srv, uint16_t suite)
{
    size_t rec;
    record_begin(out, 22, 0x0303, &rec);
    put_server_hello(out, r, ch, 0x0303, 1, suite);
    close_len(out, rec, 2);
    put_u8(out, 20); put_u16(out, 0x0303); put_u16(out, 1); put_u8(out, 1);
    size_t enc = srv->chain.len + 600;
    if (chance(r, 50)) {
        put_record_ct(out, r, 23, 0x0303, enc + 17);
    } else {
        put_record_ct(out, r, 23, 0x0303, 40);             /* EncryptedExtensions */
        put_record_ct(out, r, 23, 0x0303, srv->chain.len + 30); /* Certificate */
        put_record_ct(out, r, 23, 0x0303, 281);            /* CertificateVerify */
        put_record_ct(out, r, 23, 0x0303, 69);             /* Finished */
    }
}

/* ------------------------------------------------------------------ */
/* Generator state.                                                    */

typedef struct {
    rng_t rng;
    server_t servers[N_SERVERS];
    client_t *clients;
    uint8_t block[BLOCK];
    uint64_t started;
    uint64_t total;
    uint64_t stats[OUT_COUNT];
    uint64_t server_hellos;
    uint64_t packets;
    uint64_t port4343;
    uint64_t tls13_clients;
    FILE *expected;
    buf_t scratch;
} gen_t;

static void shuffle(rng_t *r, uint8_t *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rnd(r, (uint32_t)i + 1);
        uint8_t t = a[i]; a[i] = a[j]; a[j] = t;
    }
}

static void fill_block(gen_t *g, int first)
{
    int k = 0;
    /* Slot 0 ok, then one of each other outcome, then ok. */
    g->block[k++] = OUT_OK;
    for (int o = 0; o < OUT_COUNT; o++)
        if (o != OUT_OK)
            g->block[k++] = (uint8_t)o;
    while (k < BLOCK)
        g->block[k++] = OUT_OK;
    if (first) {
        /* One of each outcome among the first OUT_COUNT conversations. */
        shuffle(&g->rng, g->block, OUT_COUNT);
        shuffle(&g->rng, g->block + OUT_COUNT, BLOCK - OUT_COUNT);
    } else {
        shuffle(&g->rng, g->block, BLOCK);
    }
}

static uint16_t first_offered12(const client_hello_t *ch, int want_cbc)
{
    for (int i = 0; i < ch->nsuites; i++) {
        const suite_t *si = suite12_info(ch->suites[i]);
        if (si && (!want_cbc || si->cbc))
            return si->id;
    }
    return 0;
}

static int offered(const client_hello_t *ch, uint16_t s)
{
    for (int i = 0; i < ch->nsuites; i++)
        if (ch->suites[i] == s)
            return 1;
    return 0;
}

/* Build conversation number idx into c. */
static void build_conversation(gen_t *g, conv_t *c, uint64_t idx)
{
    rng_t *r = &g->rng;
    if (idx % BLOCK == 0)
        fill_block(g, idx == 0);
    int outcome = g->block[idx % BLOCK];

    c->frames.len = 0;
    c->npkts = 0;
    c->next_pkt = 0;
    c->has_server_hello = 0;

    /* Endpoints. */
    uint32_t ci = rnd(r, N_CLIENTS);
    client_t *cl = &g->clients[ci];
    const server_t *srv = &g->servers[rnd(r, N_SERVERS)];
    c->cip = (10u << 24) | ((1 + ci / 62500u) << 16) | (((ci % 62500u) / 250u) << 8) | (1 + ci % 250u);
    c->sip = srv->ip;
    c->cport = cl->next_port;
    cl->next_port = (uint16_t)(cl->next_port >= CLIENT_PORT_MAX ? CLIENT_PORT_MIN : cl->next_port + 1);
    c->sport = chance(r, 70) ? 443 : 4343;
    if (c->sport == 4343) g->port4343++;
    c->cmac[0] = 0x02; c->cmac[1] = 0x00;
    c->cmac[2] = (uint8_t)(c->cip >> 24); c->cmac[3] = (uint8_t)(c->cip >> 16);
    c->cmac[4] = (uint8_t)(c->cip >> 8); c->cmac[5] = (uint8_t)c->cip;
    memcpy(c->smac, GATEWAY_MAC, 6);
    c->c_next = (uint32_t)rng_next(r);
    c->s_next = (uint32_t)rng_next(r);
    c->c_ipid = (uint16_t)rng_next(r);
    c->s_ipid = (uint16_t)rng_next(r);

    /* TCP handshake. */
    add_packet(c, 1, F_SYN, NULL, 0);
    add_packet(c, 0, F_SYN | F_ACK, NULL, 0);
    add_packet(c, 1, F_ACK, NULL, 0);

    /* ClientHello. */
    client_hello_t ch;
    memset(&ch, 0, sizeof ch);
    ch.tls13 = chance(r, 60);
    ch.grease = chance(r, 35);
    /* Shapes specified as TLS 1.2 exchanges get a TLS 1.2 client. */
    if (outcome == OUT_CERTIFICATE_REJECTED || outcome == OUT_HANDSHAKE_ALERT)
        ch.tls13 = 0;
    ch.max_version = ch.tls13 ? 0x0304 : 0x0303;
    if (outcome == OUT_VERSION_REJECTED) {
        /* An old agent: TLS 1.0 or 1.1 only, no supported_versions. */
        ch.tls13 = 0;
        ch.grease = 0;
        ch.max_version = chance(r, 50) ? 0x0301 : 0x0302;
    } else if (outcome == OUT_FALLBACK_REJECTED) {
        /* A fallback retry one version down (after a failed 1.2 or 1.3
         * attempt), flagged with TLS_FALLBACK_SCSV. */
        ch.tls13 = 0;
        ch.grease = 0;
        ch.max_version = chance(r, 50) ? 0x0302 : 0x0303;
        ch.fallback_scsv = 1;
    }
    if (ch.tls13) g->tls13_clients++;
    char sni[64];
    snprintf(sni, sizeof sni, "%s%u.%s", rnd(r, 2) ? "api" : "www", rnd(r, 500), srv->name);
    buf_t *s = &g->scratch;
    s->len = 0;
    build_client_hello(r, &ch, sni, s);
    send_data(c, 1, s);

    uint16_t client_max = ch.max_version;
    int client_closes = chance(r, 70);
    /* Record-layer version of alerts in clear. */
    uint16_t rec_version = client_max > 0x0303 ? 0x0303 : client_max;
    /* incomplete: the capture starts at the server's first data packet. */
    size_t first_captured = 0;

    switch (outcome) {
    case OUT_RESET_AFTER_HELLO:
        if (chance(r, 50))
            send_ack(c, 0);
        add_packet(c, 0, F_RST | F_ACK, NULL, 0);
        break;

    case OUT_CLOSED_AFTER_HELLO:
        /* The server closes without a word (FIN, sometimes after a bare ACK);
         * the client closes its side too. */
        if (chance(r, 50))
            send_ack(c, 0);
        close_fin(c, 0);
        break;

    case OUT_NO_SERVER_HELLO:
        /* The server's TCP acknowledges the hello and nothing else ever
         * comes back; no close before the end of the capture. */
        send_ack(c, 0);
        break;

    case OUT_NO_SHARED_CIPHER:
    case OUT_VERSION_REJECTED:
    case OUT_FALLBACK_REJECTED: {
        uint8_t desc = outcome == OUT_NO_SHARED_CIPHER ? 40 : outcome == OUT_VERSION_REJECTED ? 70 : 86;
        s->len = 0;
        put_u8(s, 21); put_u16(s, rec_version); put_u16(s, 2); put_u8(s, 2); put_u8(s, desc);
        send_data(c, 0, s);
        if (outcome != OUT_NO_SHARED_CIPHER || chance(r, 50)) {
            close_fin(c, 0);
        } else {
            add_packet(c, 0, F_RST | F_ACK, NULL, 0);
        }
        break;
    }

    case OUT_OK:
    case OUT_INCOMPLETE:
    case OUT_CIPHER_UNOFFERED:
    case OUT_CERTIFICATE_REJECTED:
    case OUT_HANDSHAKE_ALERT:
    case OUT_CLIENT_ABORTED:
    case OUT_VERSION_DOWNGRADE: {
        int tls13_flow;
        uint16_t version, suite;
        if (outcome != OUT_CIPHER_UNOFFERED && outcome != OUT_VERSION_DOWNGRADE) {
            tls13_flow = ch.tls13;
            version = client_max;
            suite = tls13_flow ? ch.suites[ch.grease ? 1 : 0] : first_offered12(&ch, 0);
        } else if (outcome == OUT_CIPHER_UNOFFERED) {
            tls13_flow = ch.tls13;
            version = client_max;
            suite = 0;
            if (tls13_flow) {
                for (size_t i = 0; i < 3 && !suite; i++)
                    if (!offered(&ch, SUITES13[i])) suite = SUITES13[i];
                if (!suite) suite = SUITES13_RARE[rnd(r, 2)];
            } else {
                uint32_t start = rnd(r, N_SUITES12);
                for (size_t i = 0; i < N_SUITES12 && !suite; i++) {
                    uint16_t cand = SUITES12[(start + i) % N_SUITES12].id;
                    if (!offered(&ch, cand)) suite = cand;
                }
            }
        } else {
            tls13_flow = 0;
            version = ch.tls13 ? 0x0303 : 0x0302;
            suite = first_offered12(&ch, version == 0x0302);
            if (!suite) suite = first_offered12(&ch, 0);
        }
        if (!suite)
            die("internal: no suite");
        c->has_server_hello = 1;
        g->server_hellos++;

        s->len = 0;
        if (tls13_flow)
            build_flight13(s, r, &ch, srv, suite);
        else
            build_flight12(s, r, &ch, srv, version, suite);
        if (outcome == OUT_INCOMPLETE)
            first_captured = c->npkts;
        send_data(c, 0, s);

        if (outcome == OUT_CIPHER_UNOFFERED || outcome == OUT_CERTIFICATE_REJECTED ||
            (outcome == OUT_HANDSHAKE_ALERT && chance(r, 50))) {
            /* The client refuses the server's flight with a fatal alert in
             * clear, then closes: illegal_parameter (unoffered suite, or a
             * bad key exchange) or unknown_ca (certificate). */
            uint8_t desc = outcome == OUT_CERTIFICATE_REJECTED ? 48 : 47;
            s->len = 0;
            put_u8(s, 21); put_u16(s, version > 0x0303 ? 0x0303 : version);
            put_u16(s, 2); put_u8(s, 2); put_u8(s, desc);
            send_data(c, 1, s);
            if (outcome == OUT_CERTIFICATE_REJECTED || chance(r, 50))
                close_fin(c, 1);
            else
                add_packet(c, 1, F_RST | F_ACK, NULL, 0);
            break;
        }
        if (outcome == OUT_CLIENT_ABORTED) {
            if (tls13_flow) {
                /* The client's encrypted alert (19 bytes) after its CCS. */
                s->len = 0;
                put_u8(s, 20); put_u16(s, 0x0303); put_u16(s, 1); put_u8(s, 1);
                put_record_ct(s, r, 23, 0x0303, 19);
                send_data(c, 1, s);
            } else if (chance(r, 50)) {
                send_ack(c, 1);
            }
            close_fin(c, 1);
            break;
        }

        const suite_t *si = tls13_flow ? NULL : suite12_info(suite);
        size_t fin_len = (si && si->cbc) ? 64 : 40;
        s->len = 0;
        if (tls13_flow) {
            put_u8(s, 20); put_u16(s, 0x0303); put_u16(s, 1); put_u8(s, 1);
            put_record_ct(s, r, 23, 0x0303, 53);                  /* Finished */
            put_record_ct(s, r, 23, 0x0303, rnd_range(r, 80, 600)); /* request */
            send_data(c, 1, s);
            s->len = 0;
            put_record_ct(s, r, 23, 0x0303, 250);                 /* NewSessionTicket */
            int nresp = (int)rnd_range(r, 1, 3);
            for (int i = 0; i < nresp; i++)
                put_record_ct(s, r, 23, 0x0303, rnd_range(r, 100, 1400));
            send_data(c, 0, s);
        } else {
            /* ClientKeyExchange, CCS, encrypted Finished. */
            size_t rec;
            record_begin(s, 22, version, &rec);
            put_u8(s, 16);
            size_t hs = open_len(s, 3);
            if (si && si->kx == KX_ECDHE) { put_u8(s, 32); put_rand(s, r, 32); }
            else { put_u16(s, 256); put_rand(s, r, 256); }
            close_len(s, hs, 3);
            close_len(s, rec, 2);
            put_u8(s, 20); put_u16(s, version); put_u16(s, 1); put_u8(s, 1);
            put_record_ct(s, r, 22, version, fin_len);
            send_data(c, 1, s);
            if (outcome == OUT_HANDSHAKE_ALERT) {
                /* The server cannot parse the key exchange: fatal
                 * decode_error in clear (it never sent its CCS), then FIN. */
                s->len = 0;
                put_u8(s, 21); put_u16(s, version); put_u16(s, 2); put_u8(s, 2); put_u8(s, 50);
                send_data(c, 0, s);
                close_fin(c, 0);
                break;
            }
            s->len = 0;
            put_u8(s, 20); put_u16(s, version); put_u16(s, 1); put_u8(s, 1);
            put_record_ct(s, r, 22, version, fin_len);
            send_data(c, 0, s);
            s->len = 0;
            put_record_ct(s, r, 23, version, rnd_range(r, 80, 600));
            send_data(c, 1, s);
            s->len = 0;
            int nresp = (int)rnd_range(r, 1, 3);
            for (int i = 0; i < nresp; i++)
                put_record_ct(s, r, 23, version, rnd_range(r, 100, 1400));
            send_data(c, 0, s);
        }
        send_ack(c, 1);
        close_fin(c, client_closes);
        break;
    }
    }

    c->next_pkt = first_captured;

    g->stats[outcome]++;
    fprintf(g->expected, "%llu\t%s\n", (unsigned long long)idx, VERDICT_NAME[outcome]);
}

/* ------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: gen_capture --conversations N --seed S --out FILE.pcap --expected FILE.tsv\n"
            "                   [--concurrency W]   (conversations in flight at once, default 4)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    uint64_t n = 0, seed = 1;
    unsigned concurrency = 4;
    const char *out = NULL, *expected = NULL;
    int have_n = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--conversations") && v) { n = strtoull(v, NULL, 10); have_n = 1; i++; }
        else if (!strcmp(a, "--seed") && v) { seed = strtoull(v, NULL, 0); i++; }
        else if (!strcmp(a, "--out") && v) { out = v; i++; }
        else if (!strcmp(a, "--expected") && v) { expected = v; i++; }
        else if (!strcmp(a, "--concurrency") && v) { concurrency = (unsigned)strtoul(v, NULL, 10); i++; }
        else usage();
    }
    if (!have_n || !out || !expected || concurrency < 1 || concurrency > 1024)
        usage();

    static gen_t g;
    rng_seed(&g.rng, seed);
    g.total = n;

    FILE *fo = fopen(out, "wb");
    if (!fo) { perror(out); return 1; }
    g.expected = fopen(expected, "w");
    if (!g.expected) { perror(expected); return 1; }
    static char obuf[1 << 20];
    setvbuf(fo, obuf, _IOFBF, sizeof obuf);
    fprintf(g.expected, "stream\tverdict\n");

    /* Hosts (derived from the seed too). */
    for (int i = 0; i < N_SERVERS; i++) {
        server_t *sv = &g.servers[i];
        sv->ip = (172u << 24) | (16u << 16) | (uint32_t)(10 + i);
        snprintf(sv->name, sizeof sv->name, "service%d.example.com", i);
        char cn[64], dns[64];
        snprintf(cn, sizeof cn, "*.%s", sv->name);
        snprintf(dns, sizeof dns, "*.%s", sv->name);
        buf_t leaf = { 0 }, inter = { 0 };
        make_certificate(&leaf, &g.rng, "Example Issuing CA R3", cn, dns, 0, i % 3 == 2 ? 384 : 256);
        put_u24(&sv->chain, (uint32_t)leaf.len);
        put_bytes(&sv->chain, leaf.p, leaf.len);
        if (i % 2 == 0) { /* some servers send an intermediate too */
            make_certificate(&inter, &g.rng, "Example Root CA", "Example Issuing CA R3", NULL, 1, 256);
            put_u24(&sv->chain, (uint32_t)inter.len);
            put_bytes(&sv->chain, inter.p, inter.len);
        }
        free(leaf.p); free(inter.p);
    }
    g.clients = calloc(N_CLIENTS, sizeof *g.clients);
    if (!g.clients) die("out of memory");
    for (int i = 0; i < N_CLIENTS; i++)
        g.clients[i].next_port = (uint16_t)rnd_range(&g.rng, CLIENT_PORT_MIN, CLIENT_PORT_MAX);

    /* pcap global header, host byte order (readers handle both). */
    uint32_t magic = 0xa1b2c3d4;
    uint16_t vmaj = 2, vmin = 4;
    int32_t zone = 0;
    uint32_t sigfigs = 0, snaplen = 65535, linktype = 1;
    fwrite(&magic, 4, 1, fo); fwrite(&vmaj, 2, 1, fo); fwrite(&vmin, 2, 1, fo);
    fwrite(&zone, 4, 1, fo); fwrite(&sigfigs, 4, 1, fo); fwrite(&snaplen, 4, 1, fo);
    fwrite(&linktype, 4, 1, fo);

    conv_t *slots = calloc(concurrency, sizeof *slots);
    if (!slots) die("out of memory");
    unsigned active = 0;
    uint64_t now_us = 1704067200ull * 1000000ull; /* 2024-01-01T00:00:00Z */

    /* Write the next packet of a slot's conversation. */
#define EMIT(cv) do {                                                          \
        conv_t *cv_ = (cv);                                                    \
        size_t o_ = cv_->offs[cv_->next_pkt];                                  \
        size_t e_ = cv_->next_pkt + 1 < cv_->npkts ? cv_->offs[cv_->next_pkt + 1] : cv_->frames.len; \
        uint32_t sec_ = (uint32_t)(now_us / 1000000u), usec_ = (uint32_t)(now_us % 1000000u); \
        memcpy(cv_->frames.p + o_, &sec_, 4);                                  \
        memcpy(cv_->frames.p + o_ + 4, &usec_, 4);                             \
        fwrite(cv_->frames.p + o_, 1, e_ - o_, fo);                            \
        cv_->next_pkt++;                                                       \
        g.packets++;                                                           \
        now_us += 5 + rnd(&g.rng, 150);                                        \
    } while (0)

    while (active < concurrency && g.started < n) {
        build_conversation(&g, &slots[active], g.started++);
        EMIT(&slots[active]);
        active++;
    }
    while (active > 0) {
        unsigned i = rnd(&g.rng, active);
        conv_t *cv = &slots[i];
        EMIT(cv);
        if (cv->next_pkt == cv->npkts) {
            if (g.started < n) {
                build_conversation(&g, cv, g.started++);
                EMIT(cv);
            } else {
                /* Retire: move the last active slot here. */
                conv_t tmp = slots[i];
                slots[i] = slots[active - 1];
                slots[active - 1] = tmp;
                active--;
            }
        }
    }

    if (fflush(fo) != 0 || ferror(fo) || fclose(fo) != 0) { perror(out); return 1; }
    if (fflush(g.expected) != 0 || ferror(g.expected) || fclose(g.expected) != 0) { perror(expected); return 1; }

    fprintf(stderr, "gen_capture: %llu conversations, %llu packets, %llu ServerHellos, "
            "%llu on port 4343, %llu TLS 1.3 clients;",
            (unsigned long long)n, (unsigned long long)g.packets,
            (unsigned long long)g.server_hellos, (unsigned long long)g.port4343,
            (unsigned long long)g.tls13_clients);
    for (int i = 0; i < OUT_COUNT; i++)
        fprintf(stderr, " %s=%llu", VERDICT_NAME[i], (unsigned long long)g.stats[i]);
    fprintf(stderr, "\n");
    for (unsigned i = 0; i < concurrency; i++) { free(slots[i].frames.p); free(slots[i].offs); }
    free(slots);
    free(g.clients);
    return 0;
}
