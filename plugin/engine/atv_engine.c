/*
 * The verdict engine: per-stream handshake state driven by events.
 *
 * A handshake's verdict is recomputed from its findings after every event,
 * so precedence lives in one place (atv_recompute_verdict) and events only
 * have to record facts.
 */
#include "atv_engine.h"
#include "atv_store.h"

#include <stdlib.h>
#include <string.h>

struct atv_engine {
    atv_store store;
    bool capture_ended;
};

/* Signalling values that are never a real suite choice. */
#define ATV_SUITE_EMPTY_RENEGOTIATION_SCSV 0x00ff
#define ATV_SUITE_FALLBACK_SCSV 0x5600

/* TLS alert descriptions the verdicts single out. */
enum {
    ALERT_HANDSHAKE_FAILURE = 40,
    ALERT_BAD_CERTIFICATE = 42,
    ALERT_CERTIFICATE_UNKNOWN = 46,
    ALERT_UNKNOWN_CA = 48,
    ALERT_PROTOCOL_VERSION = 70,
    ALERT_INSUFFICIENT_SECURITY = 71,
    ALERT_INAPPROPRIATE_FALLBACK = 86,
    ALERT_LEVEL_FATAL = 2,
};

enum {
    RECORD_CHANGE_CIPHER_SPEC = 20,
    RECORD_HANDSHAKE = 22,
    RECORD_APPLICATION_DATA = 23,
    /* A TLS 1.3 encrypted alert is 19 bytes; the shortest Finished is 53. */
    TLS13_ALERT_SIZED_RECORD = 40,
};

/* RFC 8446 4.1.3: the random of a HelloRetryRequest. */
static const uint8_t hello_retry_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* RFC 8446 4.1.3: "DOWNGRD" followed by 0x01 (TLS 1.2) or 0x00 (older). */
static const uint8_t downgrade_sentinel_prefix[7] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44};

atv_engine *atv_engine_new(void)
{
    atv_engine *engine = calloc(1, sizeof *engine);
    if (engine)
        atv_store_init(&engine->store);
    return engine;
}

void atv_engine_free(atv_engine *engine)
{
    if (!engine)
        return;
    atv_store_clear(&engine->store);
    free(engine);
}

bool atv_has_finding(const atv_handshake *hs, atv_finding finding)
{
    return (hs->findings >> finding) & 1u;
}

static void add_finding(atv_handshake *hs, atv_finding finding)
{
    hs->findings |= 1u << finding;
}

uint32_t atv_finding_frame(const atv_handshake *hs, atv_finding finding)
{
    switch (finding) {
    case ATV_FINDING_RESET_AFTER_HELLO:
    case ATV_FINDING_CLOSED_AFTER_HELLO:
    case ATV_FINDING_CLIENT_ABORTED:
        return hs->close_frame;
    case ATV_FINDING_NO_SHARED_CIPHER:
    case ATV_FINDING_VERSION_REJECTED:
    case ATV_FINDING_FALLBACK_REJECTED:
    case ATV_FINDING_CERTIFICATE_REJECTED:
    case ATV_FINDING_HANDSHAKE_ALERT:
        return hs->alert_frame;
    case ATV_FINDING_HELLO_RETRY:
        return hs->hello_retry_frame;
    case ATV_FINDING_NO_SERVER_HELLO:
    case ATV_FINDING_FALLBACK_SCSV:
    case ATV_FINDING_RENEGOTIATION:
        return hs->client_hello_frame;
    default:
        return hs->server_hello_frame;
    }
}

static void recompute_verdict(atv_handshake *hs)
{
    uint32_t failures = hs->findings & ((1u << ATV_FINDING_FIRST_NOTE) - 1u);
    if (failures) {
        hs->verdict = (uint8_t)__builtin_ctz(failures);
        hs->decided_in = atv_finding_frame(hs, (atv_finding)hs->verdict);
    } else if (hs->has_server_hello && !hs->has_client_hello) {
        hs->verdict = ATV_VERDICT_INCOMPLETE;
        hs->decided_in = hs->server_hello_frame;
    } else if (hs->has_server_hello) {
        hs->verdict = ATV_VERDICT_OK;
        hs->decided_in = hs->server_hello_frame;
    } else {
        hs->verdict = ATV_VERDICT_PENDING;
        hs->decided_in = 0;
    }
}

static atv_handshake *current_handshake(atv_engine *engine, uint32_t stream, atv_hs_id *id)
{
    *id = atv_store_stream_current(&engine->store, stream);
    return atv_store_handshake(&engine->store, *id);
}

/* The client's suite list only serves to judge the ServerHello. */
static void forget_offered_suites(atv_handshake *hs)
{
    free(hs->offered_suites);
    hs->offered_suites = NULL;
}

static atv_handshake *start_handshake(atv_engine *engine, uint32_t stream, atv_hs_id *id)
{
    /* A stream number beyond what we track leaves the stream unjudged; check
     * before allocating so that no half-made handshake is ever stored. */
    if (!atv_store_reserve_stream(&engine->store, stream))
        return NULL;
    atv_hs_id previous_id = atv_store_stream_current(&engine->store, stream);
    atv_handshake *previous = atv_store_handshake(&engine->store, previous_id);
    atv_handshake *hs = atv_store_new_handshake(&engine->store, id);
    if (!hs)
        return NULL;
    atv_store_set_stream_current(&engine->store, stream, *id);
    if (previous)
        forget_offered_suites(previous); /* it can no longer get its answer */
    hs->stream = stream;
    hs->number = previous ? previous->number + 1 : 1;
    hs->verdict = ATV_VERDICT_PENDING;
    return hs;
}

/* ---- ClientHello ---- */

static uint8_t version_bit(uint16_t version)
{
    int rank = atv_version_rank(version);
    return (rank >= 1 && rank <= 6) ? (uint8_t)(1u << (rank - 1)) : 0;
}

static void note_client_version(atv_handshake *hs, uint16_t version)
{
    int rank = atv_version_rank(version);
    if (rank <= 0)
        return;
    hs->client_version_set |= version_bit(version);
    if (hs->client_max_version == 0 || rank > atv_version_rank(hs->client_max_version))
        hs->client_max_version = version;
}

static bool is_real_suite(uint16_t suite)
{
    return !atv_is_grease(suite) && suite != ATV_SUITE_EMPTY_RENEGOTIATION_SCSV &&
           suite != ATV_SUITE_FALLBACK_SCSV;
}

static void record_offered_suites(atv_handshake *hs, const atv_client_hello *hello)
{
    size_t real = 0;
    forget_offered_suites(hs);
    hs->client_cipher_count = 0;
    if (hello->cipher_suite_count == 0 || !hello->cipher_suites)
        return;
    hs->offered_suites = malloc(hello->cipher_suite_count * sizeof(uint16_t));
    for (size_t i = 0; i < hello->cipher_suite_count; i++) {
        uint16_t suite = hello->cipher_suites[i];
        if (suite == ATV_SUITE_FALLBACK_SCSV)
            add_finding(hs, ATV_FINDING_FALLBACK_SCSV);
        if (is_real_suite(suite) && hs->offered_suites)
            hs->offered_suites[real++] = suite;
    }
    hs->client_cipher_count = (uint16_t)(real > UINT16_MAX ? UINT16_MAX : real);
}

static void record_client_hello(atv_handshake *hs, uint32_t frame, atv_side side,
                                const atv_client_hello *hello)
{
    hs->has_client_hello = true;
    hs->client_hello_frame = frame;
    hs->client_side = side;
    hs->client_legacy_version = hello->legacy_version;
    hs->client_sslv2_format = hello->sslv2_format;
    hs->client_max_version = 0;
    hs->client_version_set = 0;
    note_client_version(hs, hello->legacy_version);
    if (hello->supported_versions) {
        for (size_t i = 0; i < hello->supported_version_count; i++)
            note_client_version(hs, hello->supported_versions[i]);
    }
    record_offered_suites(hs, hello);
}

/* A hello that arrives while the server has not yet answered is the same
 * handshake: a TCP retransmission, or the second hello after a retry. */
static bool awaiting_server(const atv_handshake *hs)
{
    return hs->has_client_hello && !hs->has_server_hello && hs->alert_frame == 0 &&
           hs->close_frame == 0;
}

void atv_on_client_hello(atv_engine *engine, uint32_t stream, uint32_t frame, atv_side side,
                         const atv_client_hello *hello)
{
    atv_hs_id id;
    atv_handshake *hs = current_handshake(engine, stream, &id);
    if (hs && awaiting_server(hs) && hs->client_side == side) {
        if (hs->hello_retry_frame != 0 && hs->hello_retry_frame > hs->client_hello_frame)
            record_client_hello(hs, frame, side, hello);
        atv_store_note_frame(&engine->store, frame, id);
        return;
    }
    bool renegotiation = hs && hs->has_server_hello;
    hs = start_handshake(engine, stream, &id);
    if (!hs)
        return;
    record_client_hello(hs, frame, side, hello);
    if (renegotiation)
        add_finding(hs, ATV_FINDING_RENEGOTIATION);
    recompute_verdict(hs);
    atv_store_note_frame(&engine->store, frame, id);
}

/* ---- ServerHello ---- */

static bool suite_was_offered(const atv_handshake *hs, uint16_t suite)
{
    if (!is_real_suite(suite) || !hs->offered_suites)
        return false;
    for (size_t i = 0; i < hs->client_cipher_count; i++) {
        if (hs->offered_suites[i] == suite)
            return true;
    }
    return false;
}

static bool has_downgrade_sentinel(const uint8_t *random)
{
    const uint8_t *tail = random + 24;
    return memcmp(tail, downgrade_sentinel_prefix, sizeof downgrade_sentinel_prefix) == 0 &&
           (tail[7] == 0x00 || tail[7] == 0x01);
}

static void judge_server_choice(atv_handshake *hs, const atv_server_hello *hello)
{
    int server_rank = atv_version_rank(hs->server_version);
    if (hs->has_client_hello) {
        hs->cipher_offered = suite_was_offered(hs, hs->server_cipher);
        if (!hs->cipher_offered)
            add_finding(hs, ATV_FINDING_CIPHER_UNOFFERED);
        if (server_rank < atv_version_rank(hs->client_max_version))
            add_finding(hs, ATV_FINDING_VERSION_DOWNGRADE);
    }
    if (server_rank >= 1 && server_rank <= atv_version_rank(ATV_VERSION_TLS11))
        add_finding(hs, ATV_FINDING_DEPRECATED_VERSION);
    if (hello->weak_cipher)
        add_finding(hs, ATV_FINDING_WEAK_CIPHER);
    if (hello->random && has_downgrade_sentinel(hello->random))
        add_finding(hs, ATV_FINDING_DOWNGRADE_SENTINEL);
}

static void record_server_hello(atv_handshake *hs, uint32_t frame, const atv_server_hello *hello)
{
    hs->has_server_hello = true;
    hs->server_hello_frame = frame;
    hs->server_version = hello->selected_version ? hello->selected_version : hello->legacy_version;
    hs->server_cipher = hello->cipher_suite;
    hs->findings &= ~(1u << ATV_FINDING_NO_SERVER_HELLO);
    judge_server_choice(hs, hello);
    if (hello->sslv2) {
        /* SSLv2 has no suite choice in its SERVER-HELLO: the client picks
         * from the server's list later, so "unoffered" cannot be judged. */
        hs->findings &= ~(1u << ATV_FINDING_CIPHER_UNOFFERED);
        hs->cipher_offered = true;
    }
    forget_offered_suites(hs);
}

static bool is_hello_retry(const atv_server_hello *hello)
{
    return hello->random && memcmp(hello->random, hello_retry_random, 32) == 0;
}

void atv_on_server_hello(atv_engine *engine, uint32_t stream, uint32_t frame, atv_side side,
                         const atv_server_hello *hello)
{
    atv_hs_id id;
    atv_handshake *hs = current_handshake(engine, stream, &id);
    if (hs && hs->has_client_hello && side == hs->client_side)
        return; /* roles come from the hello: a client does not send this */
    if (hs && hs->has_server_hello)
        return; /* retransmitted or repeated: the first answer stands */
    if (!hs || (!hs->has_client_hello && hs->alert_frame == 0)) {
        hs = hs ? hs : start_handshake(engine, stream, &id);
        if (!hs)
            return;
        hs->client_side = (atv_side)!side;
    }
    if (is_hello_retry(hello)) {
        hs->hello_retry_frame = frame;
        add_finding(hs, ATV_FINDING_HELLO_RETRY);
    } else {
        record_server_hello(hs, frame, hello);
    }
    recompute_verdict(hs);
    atv_store_note_frame(&engine->store, frame, id);
}

/* ---- Certificate, alerts, closes ---- */

void atv_on_certificate(atv_engine *engine, uint32_t stream, uint32_t frame, atv_side side)
{
    atv_hs_id id;
    atv_handshake *hs = current_handshake(engine, stream, &id);
    if (!hs || !hs->has_server_hello || side == hs->client_side || hs->certificate_frame)
        return;
    hs->certificate_frame = frame;
    atv_store_note_frame(&engine->store, frame, id);
}

static void forget_certificate_names(atv_handshake *hs)
{
    free(hs->certificate_subject);
    free(hs->certificate_issuer);
    hs->certificate_subject = hs->certificate_issuer = NULL;
}

static char *copy_text(const char *text)
{
    if (!text)
        return NULL;
    size_t length = strlen(text) + 1;
    char *copy = malloc(length);
    if (copy)
        memcpy(copy, text, length);
    return copy;
}

void atv_on_certificate_names(atv_engine *engine, uint32_t stream, const char *subject,
                              const char *issuer)
{
    atv_hs_id id;
    atv_handshake *hs = current_handshake(engine, stream, &id);
    if (!hs || !hs->certificate_frame || hs->certificate_subject || hs->certificate_issuer ||
        hs->client_continued)
        return;
    hs->certificate_subject = copy_text(subject);
    hs->certificate_issuer = copy_text(issuer);
}

static bool tls13_negotiated(const atv_handshake *hs)
{
    return atv_version_rank(hs->server_version) >= atv_version_rank(ATV_VERSION_TLS13);
}

static void note_client_continued(atv_handshake *hs)
{
    hs->client_continued = true;
    if (hs->verdict == ATV_VERDICT_OK || hs->verdict == ATV_FINDING_VERSION_DOWNGRADE)
        forget_certificate_names(hs); /* the names only explain a rejection */
}

void atv_on_record(atv_engine *engine, uint32_t stream, uint32_t frame, atv_side side,
                   uint8_t content_type, uint16_t length)
{
    (void)frame;
    atv_hs_id id;
    atv_handshake *hs = current_handshake(engine, stream, &id);
    if (!hs || !hs->has_server_hello || side != hs->client_side || hs->client_continued ||
        hs->alert_frame || hs->close_frame)
        return;
    if (!tls13_negotiated(hs)) {
        if (content_type == RECORD_HANDSHAKE || content_type == RECORD_CHANGE_CIPHER_SPEC)
            note_client_continued(hs);
    } else if (content_type == RECORD_APPLICATION_DATA) {
        if (length <= TLS13_ALERT_SIZED_RECORD)
            hs->client_short_record = true;
        else
            note_client_continued(hs);
    }
}

static bool is_certificate_alert(uint8_t description)
{
    return (description >= ALERT_BAD_CERTIFICATE && description <= ALERT_CERTIFICATE_UNKNOWN) ||
           description == ALERT_UNKNOWN_CA;
}

static atv_finding classify_server_alert(const atv_handshake *hs, uint8_t description)
{
    if (hs->has_server_hello)
        return ATV_FINDING_HANDSHAKE_ALERT;
    switch (description) {
    case ALERT_HANDSHAKE_FAILURE:
    case ALERT_INSUFFICIENT_SECURITY:
        return ATV_FINDING_NO_SHARED_CIPHER;
    case ALERT_PROTOCOL_VERSION:
        return ATV_FINDING_VERSION_REJECTED;
    case ALERT_INAPPROPRIATE_FALLBACK:
        return ATV_FINDING_FALLBACK_REJECTED;
    default:
        return ATV_FINDING_HANDSHAKE_ALERT;
    }
}

/* Under TLS 1.3 the server's Certificate travels encrypted right after its
 * ServerHello, so a certificate alert from the client after that flight is
 * about that certificate even though the capture cannot show it. */
static bool server_certificate_sent(const atv_handshake *hs)
{
    return hs->certificate_frame || (hs->has_server_hello && tls13_negotiated(hs));
}

static atv_finding classify_alert(const atv_handshake *hs, bool from_client, uint8_t description)
{
    if (!from_client)
        return classify_server_alert(hs, description);
    if (server_certificate_sent(hs) && is_certificate_alert(description))
        return ATV_FINDING_CERTIFICATE_REJECTED;
    return ATV_FINDING_HANDSHAKE_ALERT;
}

void atv_on_alert(atv_engine *engine, uint32_t stream, uint32_t frame, atv_side side,
                  uint8_t level, uint8_t description)
{
    atv_hs_id id;
    atv_handshake *hs = current_handshake(engine, stream, &id);
    if (level != ALERT_LEVEL_FATAL)
        return; /* warnings (close_notify and the like) do not fail a handshake */
    if (!hs) {
        hs = start_handshake(engine, stream, &id);
        if (!hs)
            return;
        hs->client_side = (atv_side)!side; /* a lone alert: assume the server sent it */
    }
    if (hs->alert_frame)
        return; /* the first alert explains the failure */
    hs->alert_frame = frame;
    hs->alert_description = description;
    forget_offered_suites(hs); /* refused: no ServerHello will follow */
    hs->alert_from_client = side == hs->client_side;
    add_finding(hs, classify_alert(hs, hs->alert_from_client, description));
    recompute_verdict(hs);
    atv_store_note_frame(&engine->store, frame, id);
}

void atv_on_tcp_close(atv_engine *engine, uint32_t stream, uint32_t frame, atv_side side,
                      bool is_reset)
{
    atv_hs_id id;
    atv_handshake *hs = current_handshake(engine, stream, &id);
    if (!hs || !hs->has_client_hello || hs->close_frame)
        return;
    bool from_client = side == hs->client_side;
    bool unanswered = !hs->has_server_hello && hs->alert_frame == 0;
    bool gave_up = from_client && hs->has_server_hello && hs->alert_frame == 0 &&
                   !hs->client_continued;
    if (!from_client && unanswered) {
        add_finding(hs, is_reset ? ATV_FINDING_RESET_AFTER_HELLO : ATV_FINDING_CLOSED_AFTER_HELLO);
    } else if (gave_up) {
        add_finding(hs, ATV_FINDING_CLIENT_ABORTED);
    } else if (hs->alert_frame == 0) {
        return; /* an ordinary close of a connection that got its answer */
    }
    hs->close_frame = frame;
    hs->close_was_reset = is_reset;
    forget_offered_suites(hs);
    recompute_verdict(hs);
    atv_store_note_frame(&engine->store, frame, id);
}

void atv_on_capture_end(atv_engine *engine)
{
    if (engine->capture_ended)
        return;
    engine->capture_ended = true;
    for (size_t i = 0; i < engine->store.handshake_count; i++) {
        atv_handshake *hs = atv_store_handshake(&engine->store, (atv_hs_id)(i + 1));
        if (hs->has_client_hello && !hs->has_server_hello && hs->alert_frame == 0 &&
            hs->close_frame == 0) {
            add_finding(hs, ATV_FINDING_NO_SERVER_HELLO);
            forget_offered_suites(hs);
            recompute_verdict(hs);
        }
    }
}

/* ---- Queries ---- */

const atv_handshake *atv_frame_handshake(atv_engine *engine, uint32_t frame)
{
    return atv_store_handshake(&engine->store, atv_store_frame_lookup(&engine->store, frame));
}

size_t atv_handshake_count(const atv_engine *engine)
{
    return engine->store.handshake_count;
}

const atv_handshake *atv_handshake_at(const atv_engine *engine, size_t index)
{
    return atv_store_handshake(&engine->store, (atv_hs_id)(index + 1));
}
