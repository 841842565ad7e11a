/*
 * Agent TLS Verdict: the verdict engine.
 *
 * Pure C (no Wireshark headers) so it can be unit-tested and fuzzed on its
 * own.  The Wireshark glue turns dissected frames into the events below and
 * renders what the engine concludes.
 *
 * Frames must be fed in increasing frame-number order, as Wireshark's first
 * pass does; the engine remembers, per frame, which handshake the frame
 * belongs to so later passes can replay the final result.
 */
#ifndef ATV_ENGINE_H
#define ATV_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Findings, in verdict precedence order: when several verdict findings
 * apply, the lowest-numbered one is the verdict.  Findings from
 * ATV_FINDING_FIRST_NOTE on never become the verdict.
 */
typedef enum {
    ATV_FINDING_RESET_AFTER_HELLO = 0,
    ATV_FINDING_CLOSED_AFTER_HELLO,
    ATV_FINDING_NO_SHARED_CIPHER,
    ATV_FINDING_VERSION_REJECTED,
    ATV_FINDING_FALLBACK_REJECTED,
    ATV_FINDING_CIPHER_UNOFFERED,
    ATV_FINDING_CERTIFICATE_REJECTED,
    ATV_FINDING_HANDSHAKE_ALERT,
    ATV_FINDING_CLIENT_ABORTED,
    ATV_FINDING_NO_SERVER_HELLO,
    ATV_FINDING_VERSION_DOWNGRADE,
    ATV_FINDING_FIRST_NOTE,
    ATV_FINDING_DEPRECATED_VERSION = ATV_FINDING_FIRST_NOTE,
    ATV_FINDING_WEAK_CIPHER,
    ATV_FINDING_DOWNGRADE_SENTINEL,
    ATV_FINDING_FALLBACK_SCSV,
    ATV_FINDING_HELLO_RETRY,
    ATV_FINDING_RENEGOTIATION,
    ATV_FINDING_COUNT
} atv_finding;

/* Verdicts share the findings' numbering, plus three outcomes of their own. */
typedef enum {
    ATV_VERDICT_OK = ATV_FINDING_FIRST_NOTE, /* a clean ServerHello */
    ATV_VERDICT_INCOMPLETE,                  /* capture began after the hello */
    ATV_VERDICT_PENDING,                     /* nothing decisive seen yet */
    ATV_VERDICT_COUNT
} atv_verdict_extra;
typedef int atv_verdict; /* an atv_finding below ATV_FINDING_FIRST_NOTE, or atv_verdict_extra */

/* Which end of the TCP connection sent a frame; the glue picks a stable
 * per-connection labelling, the engine learns the client from the hello. */
typedef uint8_t atv_side;

/* Bits of atv_handshake.client_version_set: the versions a client offered. */
enum {
    ATV_VBIT_SSL2 = 1u << 0,
    ATV_VBIT_SSL3 = 1u << 1,
    ATV_VBIT_TLS10 = 1u << 2,
    ATV_VBIT_TLS11 = 1u << 3,
    ATV_VBIT_TLS12 = 1u << 4,
    ATV_VBIT_TLS13 = 1u << 5,
};

/* Wire version numbers the engine reasons about. */
enum {
    ATV_VERSION_SSL2 = 0x0002,
    ATV_VERSION_SSL3 = 0x0300,
    ATV_VERSION_TLS10 = 0x0301,
    ATV_VERSION_TLS11 = 0x0302,
    ATV_VERSION_TLS12 = 0x0303,
    ATV_VERSION_TLS13 = 0x0304,
};

typedef struct {
    uint16_t legacy_version;            /* ClientHello.version */
    const uint16_t *supported_versions; /* supported_versions extension, may be NULL */
    size_t supported_version_count;
    const uint16_t *cipher_suites;      /* 2-byte suites, in offer order */
    size_t cipher_suite_count;
    bool sslv2_format;                  /* SSLv2-format hello (3-byte cipher specs) */
} atv_client_hello;

typedef struct {
    uint16_t legacy_version;   /* ServerHello.version */
    uint16_t selected_version; /* supported_versions extension, 0 when absent */
    uint16_t cipher_suite;
    const uint8_t *random;     /* 32 bytes, or NULL when not available */
    bool weak_cipher;          /* the glue classifies the suite by its name */
    bool sslv2;                /* SSLv2 SERVER-HELLO: version 2, suite not a TLS one */
} atv_server_hello;

typedef struct atv_handshake {
    uint32_t stream;            /* tcp.stream */
    uint32_t number;            /* 1-based handshake number within the stream */
    uint32_t client_hello_frame;
    uint32_t server_hello_frame;
    uint32_t hello_retry_frame;
    uint32_t alert_frame;
    uint32_t close_frame;       /* RST or FIN judged part of the handshake */
    uint32_t certificate_frame;
    uint32_t decided_in;        /* frame of the finding that made the verdict */
    uint32_t findings;          /* bit (1u << atv_finding) per finding */
    uint16_t client_legacy_version;
    uint16_t client_max_version;
    uint16_t server_version;
    uint16_t server_cipher;
    uint16_t client_cipher_count;
    uint8_t client_version_set; /* ATV_VBIT_* */
    uint8_t alert_description;
    uint8_t verdict;            /* atv_verdict */
    atv_side client_side;
    bool has_client_hello;
    bool has_server_hello;
    bool alert_from_client;
    bool close_was_reset;
    bool client_sslv2_format;   /* the hello came in SSLv2 format (old clients) */
    bool cipher_offered;
    bool client_continued;      /* the client went on after the server's flight */
    bool client_short_record;   /* TLS 1.3: an alert-sized encrypted record from the client */
    uint16_t *offered_suites;   /* kept until the ServerHello, then freed */
    char *certificate_subject;  /* server certificate names while they may matter */
    char *certificate_issuer;
} atv_handshake;

typedef struct atv_engine atv_engine;

atv_engine *atv_engine_new(void);
void atv_engine_free(atv_engine *engine);

/* Events.  `frame` is the frame number, `side` the sender. */
void atv_on_client_hello(atv_engine *engine, uint32_t stream, uint32_t frame,
                         atv_side side, const atv_client_hello *hello);
void atv_on_server_hello(atv_engine *engine, uint32_t stream, uint32_t frame,
                         atv_side side, const atv_server_hello *hello);
void atv_on_certificate(atv_engine *engine, uint32_t stream, uint32_t frame,
                        atv_side side);
/* The subject and issuer of the server's (first) certificate, when the glue
 * can read them; copied, and dropped once the client accepts the flight. */
void atv_on_certificate_names(atv_engine *engine, uint32_t stream, const char *subject,
                              const char *issuer);
/* A TLS record; the engine uses the client's records after the server's
 * flight to tell a client that went on from one that gave up. */
void atv_on_record(atv_engine *engine, uint32_t stream, uint32_t frame, atv_side side,
                   uint8_t content_type, uint16_t length);
void atv_on_alert(atv_engine *engine, uint32_t stream, uint32_t frame,
                  atv_side side, uint8_t level, uint8_t description);
void atv_on_tcp_close(atv_engine *engine, uint32_t stream, uint32_t frame,
                      atv_side side, bool is_reset);
/* The whole capture has been read: settle what only the end can tell. */
void atv_on_capture_end(atv_engine *engine);

/* The handshake a frame took part in, or NULL. */
const atv_handshake *atv_frame_handshake(atv_engine *engine, uint32_t frame);

/* Number of handshakes seen so far and access by index (0-based). */
size_t atv_handshake_count(const atv_engine *engine);
const atv_handshake *atv_handshake_at(const atv_engine *engine, size_t index);

/* Helpers shared with the glue and tests. */
bool atv_has_finding(const atv_handshake *hs, atv_finding finding);
uint32_t atv_finding_frame(const atv_handshake *hs, atv_finding finding);
const char *atv_finding_name(atv_finding finding);
const char *atv_verdict_name(atv_verdict verdict);
bool atv_is_grease(uint16_t value);
/* Orders versions: SSL2 < SSL3 < TLS1.0 < ... < TLS1.3; drafts rank as 1.3. */
int atv_version_rank(uint16_t version);

#ifdef __cplusplus
}
#endif

#endif
