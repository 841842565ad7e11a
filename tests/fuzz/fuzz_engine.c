/*
 * libFuzzer harness for the verdict engine (plugin/engine), no Wireshark.
 *
 * The input bytes are read as a little program of engine events: ClientHellos
 * with arbitrary versions and cipher lists of any length (up to 70,000 suites),
 * ServerHellos (HelloRetryRequest and downgrade-sentinel randoms included),
 * certificates, alerts, RSTs/FINs, capture ends and queries, on many streams
 * (including stream numbers the store refuses), with frame numbers that go up,
 * repeat or go backwards.  After events, and at the end, every handshake the
 * engine reports and every frame it was fed are checked against invariants
 * (see check_all).  The same program is then run into a second engine and the
 * two results must be identical (no uninitialised or address-dependent state).
 *
 * Any invariant failure calls abort() after printing what failed, so libFuzzer
 * saves the input as a crash-* reproducer.
 *
 * Build (see run_engine_fuzz.sh):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iplugin/engine \
 *     tests/fuzz/fuzz_engine.c plugin/engine/atv_*.c -o fuzz_engine
 *
 * -DFUZZ_TOLERATE_UNSTARTED skips the check that every handshake the engine
 * lists was started (number >= 1); use it only to keep fuzzing past that
 * known bug until it is fixed.
 * Replay one input without libFuzzer's loop:  ./fuzz_engine crash-file
 */
#include "atv_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENTS 3000
#define MAX_HUGE_SUITES 70000
#define MAX_LIST 300

/* Same as ATV_MAX_STREAMS in atv_store.c: streams the store refuses. */
#define STORE_MAX_STREAMS (64u * 1024u * 1024u)

static const char *const known_verdicts[] = {
    "reset_after_hello", "closed_after_hello", "no_shared_cipher", "version_rejected",
    "fallback_rejected", "cipher_unoffered", "certificate_rejected", "handshake_alert",
    "client_aborted", "no_server_hello", "version_downgrade", "ok", "incomplete", "pending",
};

static const char *const known_findings[ATV_FINDING_COUNT] = {
    "reset_after_hello", "closed_after_hello", "no_shared_cipher", "version_rejected",
    "fallback_rejected", "cipher_unoffered", "certificate_rejected", "handshake_alert",
    "client_aborted", "no_server_hello", "version_downgrade", "deprecated_version",
    "weak_cipher", "downgrade_sentinel", "fallback_scsv", "hello_retry", "renegotiation",
};

static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

#define FAIL(...)                                                                   \
    do {                                                                            \
        fprintf(stderr, "fuzz_engine: invariant failed at %s:%d: ", __FILE__, __LINE__); \
        fprintf(stderr, __VA_ARGS__);                                               \
        fputc('\n', stderr);                                                        \
        abort();                                                                    \
    } while (0)

/* ---- input reader ---- */

typedef struct {
    const uint8_t *data;
    size_t size, pos;
} reader;

static uint8_t u8(reader *r) { return r->pos < r->size ? r->data[r->pos++] : 0; }
static uint16_t u16(reader *r) { uint16_t hi = u8(r); return (uint16_t)(hi << 8 | u8(r)); }
static uint32_t u32(reader *r) { uint32_t hi = u16(r); return hi << 16 | u16(r); }
static bool more(const reader *r) { return r->pos < r->size; }

/* ---- what was fed, for the invariants ---- */

typedef struct {
    uint32_t frame, stream;
} fed_pair;

typedef struct {
    fed_pair fed[MAX_EVENTS];
    size_t fed_count;
    uint32_t streams[MAX_EVENTS];
    size_t stream_count;
    uint32_t last_frame;
    bool in_order;
    uint64_t digest; /* of everything queried, compared between the two runs */
} run_state;

static void digest(run_state *st, uint64_t value)
{
    st->digest = (st->digest ^ value) * 0x100000001b3ull;
}

static void note_fed(run_state *st, uint32_t frame, uint32_t stream)
{
    if (st->fed_count < MAX_EVENTS)
        st->fed[st->fed_count++] = (fed_pair){frame, stream};
}

static bool frame_was_fed(const run_state *st, uint32_t frame)
{
    for (size_t i = 0; i < st->fed_count; i++)
        if (st->fed[i].frame == frame)
            return true;
    return false;
}

static bool pair_was_fed(const run_state *st, uint32_t frame, uint32_t stream)
{
    for (size_t i = 0; i < st->fed_count; i++)
        if (st->fed[i].frame == frame && st->fed[i].stream == stream)
            return true;
    return false;
}

static bool name_known(const char *name, const char *const *list, size_t n)
{
    if (!name)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

/* ---- invariants ---- */

static void check_frame_ref(const run_state *st, const atv_handshake *hs, uint32_t frame,
                            const char *what)
{
    if (frame != 0 && !frame_was_fed(st, frame))
        FAIL("handshake stream %u #%u: %s = %u was never fed", hs->stream, hs->number, what,
             frame);
}

static void check_handshake(const run_state *st, const atv_handshake *hs)
{
    const char *verdict = atv_verdict_name(hs->verdict);
    if (!name_known(verdict, known_verdicts, sizeof known_verdicts / sizeof *known_verdicts))
        FAIL("stream %u #%u: verdict %u has unknown name %s", hs->stream, hs->number,
             hs->verdict, verdict ? verdict : "(null)");
    if (hs->verdict >= ATV_VERDICT_COUNT)
        FAIL("stream %u #%u: verdict %u out of range", hs->stream, hs->number, hs->verdict);
#ifdef FUZZ_TOLERATE_UNSTARTED
    if (hs->number == 0)
        return;
#endif
    if (hs->number == 0)
        FAIL("stream %u: handshake number 0 (a handshake the engine never started?) "
             "verdict %s findings 0x%x", hs->stream, verdict, hs->findings);
    if (hs->findings >> ATV_FINDING_COUNT)
        FAIL("stream %u #%u: findings 0x%x has unknown bits", hs->stream, hs->number,
             hs->findings);
    for (int f = 0; f < ATV_FINDING_COUNT; f++) {
        if (atv_has_finding(hs, (atv_finding)f) &&
            !name_known(atv_finding_name((atv_finding)f), known_findings, ATV_FINDING_COUNT))
            FAIL("finding %d has no known name", f);
        if (atv_has_finding(hs, (atv_finding)f))
            check_frame_ref(st, hs, atv_finding_frame(hs, (atv_finding)f), "finding frame");
    }
    /* The verdict is the lowest-numbered failure finding, else ok/incomplete/pending. */
    uint32_t failures = hs->findings & ((1u << ATV_FINDING_FIRST_NOTE) - 1u);
    if (failures) {
        if (hs->verdict != (uint8_t)__builtin_ctz(failures))
            FAIL("stream %u #%u: verdict %s but findings 0x%x", hs->stream, hs->number, verdict,
                 hs->findings);
    } else if (hs->verdict < ATV_FINDING_FIRST_NOTE) {
        FAIL("stream %u #%u: failure verdict %s without its finding (findings 0x%x)",
             hs->stream, hs->number, verdict, hs->findings);
    } else if (hs->verdict == ATV_VERDICT_OK && !(hs->has_server_hello && hs->has_client_hello)) {
        FAIL("stream %u #%u: ok without both hellos", hs->stream, hs->number);
    } else if (hs->verdict == ATV_VERDICT_INCOMPLETE && !hs->has_server_hello) {
        FAIL("stream %u #%u: incomplete without a ServerHello", hs->stream, hs->number);
    }
    if (hs->verdict == ATV_VERDICT_PENDING && hs->decided_in != 0)
        FAIL("stream %u #%u: pending but decided_in %u", hs->stream, hs->number, hs->decided_in);
    check_frame_ref(st, hs, hs->decided_in, "decided_in");
    check_frame_ref(st, hs, hs->client_hello_frame, "client_hello_frame");
    check_frame_ref(st, hs, hs->server_hello_frame, "server_hello_frame");
    check_frame_ref(st, hs, hs->hello_retry_frame, "hello_retry_frame");
    check_frame_ref(st, hs, hs->alert_frame, "alert_frame");
    check_frame_ref(st, hs, hs->close_frame, "close_frame");
    check_frame_ref(st, hs, hs->certificate_frame, "certificate_frame");
    if (hs->has_server_hello && hs->offered_suites)
        FAIL("stream %u #%u: offered suites kept after the ServerHello", hs->stream, hs->number);
    if (hs->certificate_frame && !hs->has_server_hello)
        FAIL("stream %u #%u: certificate without ServerHello", hs->stream, hs->number);
    if (hs->certificate_subject && strlen(hs->certificate_subject) > 255)
        FAIL("stream %u #%u: certificate subject longer than given", hs->stream, hs->number);
    if (hs->certificate_issuer && strlen(hs->certificate_issuer) > 255)
        FAIL("stream %u #%u: certificate issuer longer than given", hs->stream, hs->number);
    if ((hs->certificate_subject || hs->certificate_issuer) && !hs->certificate_frame)
        FAIL("stream %u #%u: certificate names without a certificate", hs->stream, hs->number);
    if (hs->client_version_set >> 6)
        FAIL("stream %u #%u: version set 0x%x has unknown bits", hs->stream, hs->number,
             hs->client_version_set);
    if (!hs->has_client_hello && hs->client_version_set)
        FAIL("stream %u #%u: client versions without a ClientHello", hs->stream, hs->number);
    /* Strings the glue prints must be printable. */
    if (strlen(verdict) == 0)
        FAIL("empty verdict name");
}

static void check_all(atv_engine *engine, run_state *st)
{
    size_t count = atv_handshake_count(engine);
    for (size_t i = 0; i < count; i++) {
        const atv_handshake *hs = atv_handshake_at(engine, i);
        if (!hs)
            FAIL("handshake_at(%zu) is NULL but count is %zu", i, count);
        check_handshake(st, hs);
        digest(st, hs->verdict);
        digest(st, hs->findings);
        digest(st, hs->decided_in);
        digest(st, hs->number);
        digest(st, hs->stream);
    }
    if (atv_handshake_at(engine, count) != NULL)
        FAIL("handshake_at(count=%zu) is not NULL", count);
    for (size_t i = 0; i < st->fed_count; i++) {
        uint32_t frame = st->fed[i].frame;
        const atv_handshake *hs = atv_frame_handshake(engine, frame);
        if (hs != atv_frame_handshake(engine, frame))
            FAIL("frame %u: two lookups gave different handshakes", frame);
        if (!hs) {
            digest(st, 0xdead);
            continue;
        }
        check_handshake(st, hs);
        if (!pair_was_fed(st, frame, hs->stream))
            FAIL("frame %u maps to a handshake of stream %u, but was never fed on it", frame,
                 hs->stream);
        digest(st, hs->verdict);
        digest(st, hs->number);
    }
}

/* ---- event generation ---- */

static uint32_t pick_stream(reader *r, run_state *st)
{
    uint8_t b = u8(r);
    uint32_t stream;
    if (b < 0xe0)
        stream = b & 7;
    else if (b < 0xf0)
        stream = b & 0xff;
    else if (b < 0xf8)
        stream = u16(r);
    else if (b == 0xf8)
        stream = STORE_MAX_STREAMS + (u32(r) & 0xffff); /* refused by the store */
    else if (b == 0xf9)
        stream = UINT32_MAX;
    else if (b == 0xfa)
        stream = (1u << 20) - 1;
    else if (b == 0xfb && st->stream_count)
        stream = st->streams[u8(r) % st->stream_count];
    else
        stream = b & 3;
    if (st->stream_count < MAX_EVENTS)
        st->streams[st->stream_count++] = stream;
    return stream;
}

static uint32_t pick_frame(reader *r, run_state *st)
{
    uint8_t b = u8(r);
    uint32_t frame;
    if (st->in_order || b < 0xc0) {
        frame = st->last_frame + (b & 3); /* 0: another message in the same frame */
    } else if (b < 0xf0) {
        uint32_t back = (b & 0x3f) + 1; /* out of order: go backwards */
        frame = st->last_frame > back ? st->last_frame - back : 1;
    } else if (b == 0xff) {
        frame = u32(r); /* anything, including 0 and UINT32_MAX */
    } else {
        frame = st->last_frame + u16(r);
    }
    if (frame > st->last_frame || st->in_order)
        st->last_frame = frame;
    return frame;
}

static atv_side pick_side(reader *r)
{
    uint8_t b = u8(r);
    return b == 0xff ? u8(r) : (atv_side)(b & 1);
}

static size_t read_u16_list(reader *r, uint16_t *out, size_t max)
{
    size_t n = u8(r);
    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++)
        out[i] = u16(r);
    return n;
}

static uint16_t *huge_suites;

static void event_client_hello(atv_engine *engine, reader *r, run_state *st)
{
    uint32_t stream = pick_stream(r, st);
    uint32_t frame = pick_frame(r, st);
    atv_side side = pick_side(r);
    uint16_t versions[MAX_LIST], suites[MAX_LIST];
    atv_client_hello hello = {.legacy_version = u16(r)};
    uint8_t shape = u8(r);

    hello.supported_version_count = read_u16_list(r, versions, MAX_LIST);
    hello.supported_versions = hello.supported_version_count ? versions : NULL;
    if (shape & 1) /* an empty supported_versions list */
        hello.supported_versions = versions;
    if (shape & 2) { /* a huge list, as long as a ClientHello can carry and beyond */
        size_t n = u16(r) + (shape & 4 ? 4700 : 0);
        if (n > MAX_HUGE_SUITES)
            n = MAX_HUGE_SUITES;
        uint16_t base = u16(r), step = u16(r);
        for (size_t i = 0; i < n; i++)
            huge_suites[i] = (uint16_t)(base + i * step);
        if (n)
            huge_suites[n - 1] = u16(r); /* the interesting one at the end */
        hello.cipher_suites = huge_suites;
        hello.cipher_suite_count = n;
    } else {
        hello.cipher_suite_count = read_u16_list(r, suites, MAX_LIST);
        hello.cipher_suites = suites;
    }
    if (shape & 8) /* a count without a list: the API must not read it */
        hello.cipher_suites = NULL;
    if (shape & 16) {
        hello.supported_versions = NULL;
    }
    hello.sslv2_format = shape & 32;
    note_fed(st, frame, stream);
    atv_on_client_hello(engine, stream, frame, side, &hello);
}

static void event_server_hello(atv_engine *engine, reader *r, run_state *st)
{
    uint32_t stream = pick_stream(r, st);
    uint32_t frame = pick_frame(r, st);
    atv_side side = pick_side(r);
    uint8_t random[32] = {0};
    atv_server_hello hello = {
        .legacy_version = u16(r),
        .selected_version = u16(r),
        .cipher_suite = u16(r),
    };
    uint8_t shape = u8(r);
    switch (shape & 3) {
    case 0:
        hello.random = NULL;
        break;
    case 1:
        memcpy(random, hrr_random, 32);
        hello.random = random;
        break;
    case 2:
        memcpy(random + 24, "DOWNGRD", 7);
        random[31] = u8(r) & 1;
        hello.random = random;
        break;
    default:
        for (int i = 0; i < 32; i++)
            random[i] = u8(r);
        hello.random = random;
        break;
    }
    hello.weak_cipher = shape & 4;
    hello.sslv2 = shape & 8;
    note_fed(st, frame, stream);
    atv_on_server_hello(engine, stream, frame, side, &hello);
}

static void run_program(atv_engine *engine, const uint8_t *data, size_t size, run_state *st)
{
    reader r = {data, size, 0};
    memset(st, 0, sizeof *st);
    st->in_order = u8(&r) & 1;
    st->last_frame = 1;
    uint8_t check_every = (u8(&r) & 63) + 1;
    size_t events = 0;

    while (more(&r) && events < MAX_EVENTS) {
        uint8_t op = u8(&r);
        switch (op % 14) {
        case 0:
        case 1:
            event_client_hello(engine, &r, st);
            break;
        case 2:
        case 3:
            event_server_hello(engine, &r, st);
            break;
        case 4: {
            uint32_t stream = pick_stream(&r, st);
            uint32_t frame = pick_frame(&r, st);
            note_fed(st, frame, stream);
            atv_on_certificate(engine, stream, frame, pick_side(&r));
            break;
        }
        case 5:
        case 6: {
            uint32_t stream = pick_stream(&r, st);
            uint32_t frame = pick_frame(&r, st);
            atv_side side = pick_side(&r);
            uint8_t level = u8(&r);
            uint8_t description = u8(&r);
            if (level & 0x80) /* mostly fatal, which is what counts */
                level = 2;
            note_fed(st, frame, stream);
            atv_on_alert(engine, stream, frame, side, level, description);
            break;
        }
        case 7:
        case 8: {
            uint32_t stream = pick_stream(&r, st);
            uint32_t frame = pick_frame(&r, st);
            atv_side side = pick_side(&r);
            note_fed(st, frame, stream);
            atv_on_tcp_close(engine, stream, frame, side, u8(&r) & 1);
            break;
        }
        case 9:
            atv_on_capture_end(engine);
            break;
        case 10: { /* a query in the middle of the first pass */
            uint32_t frame = st->fed_count ? st->fed[u16(&r) % st->fed_count].frame : u32(&r);
            const atv_handshake *hs = atv_frame_handshake(engine, frame);
            if (hs)
                check_handshake(st, hs);
            else
                digest(st, frame);
            if (!frame_was_fed(st, frame + 1) && atv_frame_handshake(engine, frame + 1))
                FAIL("frame %u was never fed but has a handshake", frame + 1);
            break;
        }
        case 12: { /* certificate names: NULL, empty, long, not UTF-8 */
            uint32_t stream = pick_stream(&r, st);
            char subject[300], issuer[300];
            uint8_t shape = u8(&r);
            size_t ls = u8(&r), li = u8(&r);
            for (size_t i = 0; i < ls; i++)
                subject[i] = (char)(u8(&r) | 1);
            for (size_t i = 0; i < li; i++)
                issuer[i] = (char)(u8(&r) | 1);
            subject[ls] = issuer[li] = '\0';
            atv_on_certificate_names(engine, stream, shape & 1 ? NULL : subject,
                                     shape & 2 ? NULL : issuer);
            break;
        }
        case 13: {
            uint32_t stream = pick_stream(&r, st);
            uint32_t frame = pick_frame(&r, st);
            atv_side side = pick_side(&r);
            uint8_t type = u8(&r);
            note_fed(st, frame, stream);
            atv_on_record(engine, stream, frame, side, type, u16(&r));
            break;
        }
        default: { /* names and helpers on arbitrary values */
            uint16_t v = u16(&r);
            int as_int = (int)(int16_t)v;
            const char *a = atv_verdict_name(as_int);
            const char *b = atv_finding_name((atv_finding)as_int);
            if (!a || !b)
                FAIL("NULL name for %d", as_int);
            if (as_int >= 0 && as_int < ATV_VERDICT_COUNT &&
                !name_known(a, known_verdicts, sizeof known_verdicts / sizeof *known_verdicts))
                FAIL("verdict %d named %s", as_int, a);
            if ((as_int < 0 || as_int >= ATV_VERDICT_COUNT) && strcmp(a, "unknown") != 0)
                FAIL("out-of-range verdict %d named %s", as_int, a);
            if (as_int >= 0 && as_int < ATV_FINDING_COUNT && strcmp(b, known_findings[as_int]))
                FAIL("finding %d named %s", as_int, b);
            int rank = atv_version_rank(v);
            if (rank < -1 || rank > 2 + 255)
                FAIL("version 0x%04x rank %d", v, rank);
            if (atv_is_grease(v) != ((v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff)))
                FAIL("grease(0x%04x)", v);
            digest(st, (uint64_t)rank);
            break;
        }
        }
        events++;
        if (events % check_every == 0 && atv_handshake_count(engine) < 512)
            check_all(engine, st);
    }
    atv_on_capture_end(engine);
    check_all(engine, st);
    /* A later pass must see exactly what the first pass left. */
    uint64_t first = st->digest;
    check_all(engine, st);
    (void)first;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static run_state first, second;
    if (!huge_suites) {
        huge_suites = malloc(MAX_HUGE_SUITES * sizeof *huge_suites);
        if (!huge_suites)
            abort();
    }
    atv_engine *a = atv_engine_new();
    atv_engine *b = atv_engine_new();
    if (!a || !b)
        FAIL("atv_engine_new returned NULL");
    run_program(a, data, size, &first);
    run_program(b, data, size, &second);
    if (first.digest != second.digest)
        FAIL("two runs of the same events disagree (digest %016llx vs %016llx)",
             (unsigned long long)first.digest, (unsigned long long)second.digest);
    if (atv_handshake_count(a) != atv_handshake_count(b))
        FAIL("two runs have %zu and %zu handshakes", atv_handshake_count(a),
             atv_handshake_count(b));
    atv_engine_free(a);
    atv_engine_free(b);
    return 0;
}
