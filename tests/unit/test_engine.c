/* Unit tests of the verdict engine, without Wireshark. */
#include "atv_engine.h"

#include <stdio.h>
#include <string.h>

static int checks_passed, checks_failed;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (cond) {                                                                      \
            checks_passed++;                                                             \
        } else {                                                                         \
            checks_failed++;                                                             \
            fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, __func__, \
                    #cond);                                                              \
        }                                                                                \
    } while (0)

#define CHECK_VERDICT(hs, expected) CHECK((hs) && strcmp(atv_verdict_name((hs)->verdict), expected) == 0)

enum { CLIENT = 0, SERVER = 1 };

static const uint16_t seed_tls12_suites[] = {
    0xc02c, 0xc02b, 0xc030, 0xc02f, 0x009f, 0x009e, 0xc024, 0xc023, 0xc028, 0xc027, 0xc00a,
    0xc009, 0xc014, 0xc013, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x000a,
};

static void client_hello(atv_engine *e, uint32_t stream, uint32_t frame, uint16_t version,
                         const uint16_t *versions, size_t nversions)
{
    atv_client_hello hello = {
        .legacy_version = version,
        .supported_versions = versions,
        .supported_version_count = nversions,
        .cipher_suites = seed_tls12_suites,
        .cipher_suite_count = sizeof seed_tls12_suites / sizeof seed_tls12_suites[0],
    };
    atv_on_client_hello(e, stream, frame, CLIENT, &hello);
}

static void server_hello(atv_engine *e, uint32_t stream, uint32_t frame, uint16_t version,
                         uint16_t selected, uint16_t suite)
{
    atv_server_hello hello = {.legacy_version = version, .selected_version = selected,
                              .cipher_suite = suite};
    atv_on_server_hello(e, stream, frame, SERVER, &hello);
}

static void test_tls12_ok(void)
{
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 4, 0x0303, NULL, 0);
    server_hello(e, 0, 6, 0x0303, 0, 0xc030);
    const atv_handshake *hs = atv_frame_handshake(e, 6);
    CHECK_VERDICT(hs, "ok");
    CHECK(hs->findings == 0);
    CHECK(hs->decided_in == 6);
    CHECK(hs->client_cipher_count == 21);
    CHECK(hs->cipher_offered);
    CHECK(atv_frame_handshake(e, 4) == hs);
    CHECK(atv_frame_handshake(e, 5) == NULL);
    atv_engine_free(e);
}

static void test_seed_downgrade(void)
{
    atv_engine *e = atv_engine_new();
    client_hello(e, 3, 64, 0x0303, NULL, 0);
    server_hello(e, 3, 66, 0x0302, 0, 0xc014);
    const atv_handshake *hs = atv_frame_handshake(e, 66);
    CHECK_VERDICT(hs, "version_downgrade");
    CHECK(atv_has_finding(hs, ATV_FINDING_VERSION_DOWNGRADE));
    CHECK(atv_has_finding(hs, ATV_FINDING_DEPRECATED_VERSION));
    CHECK(hs->client_max_version == 0x0303 && hs->server_version == 0x0302);
    CHECK(atv_finding_frame(hs, ATV_FINDING_VERSION_DOWNGRADE) == 66);
    atv_engine_free(e);
}

static void test_tls13_supported_versions_with_grease(void)
{
    const uint16_t offered[] = {0x7a7a, 0x0304, 0x0303};
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0303, offered, 3);
    server_hello(e, 0, 2, 0x0303, 0x0304, 0xc02f);
    const atv_handshake *hs = atv_frame_handshake(e, 2);
    CHECK_VERDICT(hs, "ok");
    CHECK(hs->client_max_version == 0x0304);
    CHECK(hs->server_version == 0x0304);
    CHECK(hs->client_version_set == (ATV_VBIT_TLS13 | ATV_VBIT_TLS12));
    atv_engine_free(e);
}

static void test_tls13_client_downgraded_to_12(void)
{
    const uint16_t offered[] = {0x0304, 0x0303};
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0303, offered, 2);
    server_hello(e, 0, 2, 0x0303, 0, 0xc02f);
    CHECK_VERDICT(atv_frame_handshake(e, 2), "version_downgrade");
    CHECK(!atv_has_finding(atv_frame_handshake(e, 2), ATV_FINDING_DEPRECATED_VERSION));
    atv_engine_free(e);
}

static void test_reset_after_hello(void)
{
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 4248, 0x0302, NULL, 0);
    atv_on_tcp_close(e, 0, 4249, SERVER, true);
    const atv_handshake *hs = atv_frame_handshake(e, 4249);
    CHECK_VERDICT(hs, "reset_after_hello");
    CHECK(hs->decided_in == 4249);
    CHECK(atv_frame_handshake(e, 4248) == hs);
    atv_engine_free(e);
}

static void test_client_reset_is_not_server_reset(void)
{
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0303, NULL, 0);
    atv_on_tcp_close(e, 0, 2, CLIENT, true);
    const atv_handshake *hs = atv_frame_handshake(e, 1);
    CHECK(!atv_has_finding(hs, ATV_FINDING_RESET_AFTER_HELLO));
    CHECK(atv_frame_handshake(e, 2) == NULL);
    atv_on_capture_end(e);
    CHECK_VERDICT(hs, "no_server_hello");
    atv_engine_free(e);
}

static void test_alert_explains_reset(void)
{
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0303, NULL, 0);
    atv_on_alert(e, 0, 2, SERVER, 2, 40);
    atv_on_tcp_close(e, 0, 3, SERVER, true);
    const atv_handshake *hs = atv_frame_handshake(e, 3);
    CHECK_VERDICT(hs, "no_shared_cipher");
    CHECK(!atv_has_finding(hs, ATV_FINDING_RESET_AFTER_HELLO));
    CHECK(hs->decided_in == 2);
    CHECK(hs->alert_description == 40 && !hs->alert_from_client);
    atv_engine_free(e);
}

static void test_insufficient_security_and_warning_alert(void)
{
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0303, NULL, 0);
    atv_on_alert(e, 0, 2, SERVER, 1, 0); /* close_notify warning: ignored */
    CHECK(atv_frame_handshake(e, 2) == NULL);
    atv_on_alert(e, 0, 3, SERVER, 2, 71);
    CHECK_VERDICT(atv_frame_handshake(e, 3), "no_shared_cipher");
    atv_engine_free(e);
}

static void test_cipher_unoffered_values(void)
{
    const uint16_t choices[] = {0x0005, 0x0a0a, 0x00ff, 0x5600};
    for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++) {
        atv_engine *e = atv_engine_new();
        client_hello(e, 0, 1, 0x0303, NULL, 0);
        server_hello(e, 0, 2, 0x0303, 0, choices[i]);
        const atv_handshake *hs = atv_frame_handshake(e, 2);
        CHECK_VERDICT(hs, "cipher_unoffered");
        CHECK(!hs->cipher_offered);
        atv_engine_free(e);
    }
}

static void test_precedence_unoffered_before_downgrade(void)
{
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0303, NULL, 0);
    server_hello(e, 0, 2, 0x0301, 0, 0x0005);
    const atv_handshake *hs = atv_frame_handshake(e, 2);
    CHECK_VERDICT(hs, "cipher_unoffered");
    CHECK(atv_has_finding(hs, ATV_FINDING_VERSION_DOWNGRADE));
    CHECK(atv_has_finding(hs, ATV_FINDING_CIPHER_UNOFFERED));
    atv_engine_free(e);
}

static void test_retransmitted_hello_and_renegotiation(void)
{
    atv_engine *e = atv_engine_new();
    client_hello(e, 7, 1, 0x0303, NULL, 0);
    client_hello(e, 7, 2, 0x0303, NULL, 0); /* retransmission */
    server_hello(e, 7, 3, 0x0303, 0, 0xc02f);
    CHECK(atv_handshake_count(e) == 1);
    CHECK(atv_frame_handshake(e, 2) == atv_frame_handshake(e, 1));
    client_hello(e, 7, 10, 0x0303, NULL, 0);
    server_hello(e, 7, 11, 0x0303, 0, 0xc02f);
    const atv_handshake *second = atv_frame_handshake(e, 11);
    CHECK(atv_handshake_count(e) == 2);
    CHECK(second->number == 2);
    CHECK(atv_has_finding(second, ATV_FINDING_RENEGOTIATION));
    CHECK_VERDICT(second, "ok");
    atv_engine_free(e);
}

static void test_hello_retry(void)
{
    static const uint8_t hrr_random[32] = {
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    };
    const uint16_t offered[] = {0x0304, 0x0303};
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0303, offered, 2);
    atv_server_hello hrr = {.legacy_version = 0x0303, .selected_version = 0x0304,
                            .cipher_suite = 0xc02f, .random = hrr_random};
    atv_on_server_hello(e, 0, 2, SERVER, &hrr);
    CHECK_VERDICT(atv_frame_handshake(e, 2), "pending");
    client_hello(e, 0, 3, 0x0303, offered, 2);
    server_hello(e, 0, 4, 0x0303, 0x0304, 0xc02f);
    const atv_handshake *hs = atv_frame_handshake(e, 4);
    CHECK_VERDICT(hs, "ok");
    CHECK(atv_has_finding(hs, ATV_FINDING_HELLO_RETRY));
    CHECK(hs->client_hello_frame == 3 && atv_handshake_count(e) == 1);
    atv_engine_free(e);
}

static void test_versions_rank(void)
{
    CHECK(atv_version_rank(0x7f17) == atv_version_rank(0x0304));
    CHECK(atv_version_rank(0x7e02) == atv_version_rank(0x0304));
    CHECK(atv_version_rank(0xfb1a) == atv_version_rank(0x0304));
    CHECK(atv_version_rank(0x0300) < atv_version_rank(0x0301));
    CHECK(atv_version_rank(0x0002) < atv_version_rank(0x0300));
    CHECK(atv_version_rank(0x2a2a) < 0);
    CHECK(atv_is_grease(0xfafa) && !atv_is_grease(0xfa0a));
}

static void test_draft_is_not_a_downgrade(void)
{
    const uint16_t offered[] = {0x7f1c, 0x0303};
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0303, offered, 2);
    server_hello(e, 0, 2, 0x0303, 0x7f1c, 0xc02f);
    CHECK_VERDICT(atv_frame_handshake(e, 2), "ok");
    atv_engine_free(e);
}

static void test_server_hello_without_client_hello(void)
{
    atv_engine *e = atv_engine_new();
    server_hello(e, 0, 5, 0x0303, 0, 0xc02f);
    CHECK_VERDICT(atv_frame_handshake(e, 5), "incomplete");
    atv_engine_free(e);
}

static void test_certificate_rejected(void)
{
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0303, NULL, 0);
    server_hello(e, 0, 2, 0x0303, 0, 0xc030);
    atv_on_certificate(e, 0, 2, SERVER);
    atv_on_alert(e, 0, 3, CLIENT, 2, 48);
    const atv_handshake *hs = atv_frame_handshake(e, 3);
    CHECK_VERDICT(hs, "certificate_rejected");
    CHECK(hs->alert_from_client && hs->decided_in == 3);
    atv_engine_free(e);
}

static void test_tls13_certificate_alert_in_clear(void)
{
    const uint16_t offered[] = {0x0304, 0x0303};
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0303, offered, 2);
    server_hello(e, 0, 2, 0x0303, 0x0304, 0xc02f);
    atv_on_alert(e, 0, 3, CLIENT, 2, 48); /* OpenSSL 3.0 sends it unencrypted */
    CHECK_VERDICT(atv_frame_handshake(e, 3), "certificate_rejected");
    atv_engine_free(e);
}

static void test_many_streams_and_absurd_stream_number(void)
{
    atv_engine *e = atv_engine_new();
    for (uint32_t s = 0; s < 20000; s++) {
        client_hello(e, s, 2 * s + 1, 0x0303, NULL, 0);
        server_hello(e, s, 2 * s + 2, 0x0303, 0, 0xc030);
    }
    CHECK(atv_handshake_count(e) == 20000);
    CHECK_VERDICT(atv_frame_handshake(e, 39999), "ok");
    CHECK(atv_frame_handshake(e, 39999)->stream == 19999);
    client_hello(e, 0xfffffff0u, 50000, 0x0303, NULL, 0);
    CHECK(atv_frame_handshake(e, 50000) == NULL);
    atv_on_alert(e, 0xfffffff1u, 50001, SERVER, 2, 40);
    server_hello(e, 0xfffffff2u, 50002, 0x0303, 0, 0xc030);
    CHECK(atv_handshake_count(e) == 20000); /* refused streams leave no half-made handshake */
    atv_engine_free(e);
}

static void test_out_of_order_frames_still_found(void)
{
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 10, 0x0303, NULL, 0);
    client_hello(e, 1, 5, 0x0303, NULL, 0);
    server_hello(e, 1, 3, 0x0303, 0, 0xc030);
    CHECK(atv_frame_handshake(e, 10)->stream == 0);
    CHECK(atv_frame_handshake(e, 3)->stream == 1);
    client_hello(e, 2, 10, 0x0303, NULL, 0); /* frame 10 again, on another stream */
    const atv_handshake *first = atv_frame_handshake(e, 10);
    CHECK(first == atv_frame_handshake(e, 10)); /* sorted or not, lookups agree */
    atv_engine_free(e);
}

static void test_client_aborted_tls12_and_continued(void)
{
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0303, NULL, 0);
    server_hello(e, 0, 2, 0x0303, 0, 0xc030);
    atv_on_certificate(e, 0, 2, SERVER);
    atv_on_certificate_names(e, 0, "CN=agent.example", "CN=Corp HTTPS Inspection CA");
    atv_on_tcp_close(e, 0, 3, CLIENT, false);
    const atv_handshake *hs = atv_frame_handshake(e, 3);
    CHECK_VERDICT(hs, "client_aborted");
    CHECK(hs->certificate_issuer && strcmp(hs->certificate_issuer, "CN=Corp HTTPS Inspection CA") == 0);

    client_hello(e, 1, 10, 0x0303, NULL, 0);
    server_hello(e, 1, 11, 0x0303, 0, 0xc030);
    atv_on_certificate(e, 1, 11, SERVER);
    atv_on_certificate_names(e, 1, "CN=server", "CN=Real CA");
    atv_on_record(e, 1, 12, CLIENT, 22, 37);
    atv_on_tcp_close(e, 1, 13, CLIENT, false);
    hs = atv_frame_handshake(e, 11);
    CHECK_VERDICT(hs, "ok");
    CHECK(hs->certificate_subject == NULL); /* accepted: names no longer kept */
    CHECK(atv_frame_handshake(e, 13) == NULL);
    atv_engine_free(e);
}

static void test_client_aborted_tls13_short_record(void)
{
    const uint16_t offered[] = {0x0304, 0x0303};
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0303, offered, 2);
    server_hello(e, 0, 2, 0x0303, 0x0304, 0xc02f);
    atv_on_record(e, 0, 3, CLIENT, 20, 1);  /* compatibility CCS: not a sign either way */
    atv_on_record(e, 0, 3, CLIENT, 23, 19); /* encrypted alert */
    atv_on_tcp_close(e, 0, 3, CLIENT, false);
    const atv_handshake *hs = atv_frame_handshake(e, 3);
    CHECK_VERDICT(hs, "client_aborted");
    CHECK(hs->client_short_record);

    client_hello(e, 1, 10, 0x0303, offered, 2);
    server_hello(e, 1, 11, 0x0303, 0x0304, 0xc02f);
    atv_on_record(e, 1, 12, CLIENT, 23, 53); /* Finished */
    atv_on_tcp_close(e, 1, 13, CLIENT, false);
    CHECK_VERDICT(atv_frame_handshake(e, 11), "ok");
    atv_engine_free(e);
}

static void test_server_alerts_before_server_hello(void)
{
    const uint8_t alerts[] = {70, 86, 50};
    const char *verdicts[] = {"version_rejected", "fallback_rejected", "handshake_alert"};
    for (size_t i = 0; i < 3; i++) {
        atv_engine *e = atv_engine_new();
        client_hello(e, 0, 1, 0x0302, NULL, 0);
        atv_on_alert(e, 0, 2, SERVER, 2, alerts[i]);
        atv_on_tcp_close(e, 0, 3, SERVER, false);
        CHECK_VERDICT(atv_frame_handshake(e, 2), verdicts[i]);
        CHECK(!atv_has_finding(atv_frame_handshake(e, 2), ATV_FINDING_CLOSED_AFTER_HELLO));
        atv_engine_free(e);
    }
}

static void test_closed_after_hello_and_sslv2_server(void)
{
    atv_engine *e = atv_engine_new();
    client_hello(e, 0, 1, 0x0301, NULL, 0);
    atv_on_tcp_close(e, 0, 2, SERVER, false);
    CHECK_VERDICT(atv_frame_handshake(e, 2), "closed_after_hello");

    const uint16_t none[] = {0};
    atv_client_hello v2 = {.legacy_version = 0x0002, .cipher_suites = none,
                           .cipher_suite_count = 0, .sslv2_format = true};
    atv_on_client_hello(e, 1, 10, CLIENT, &v2);
    atv_server_hello v2_answer = {.legacy_version = 0x0002, .cipher_suite = 0, .weak_cipher = true,
                                  .sslv2 = true};
    atv_on_server_hello(e, 1, 11, SERVER, &v2_answer);
    const atv_handshake *hs = atv_frame_handshake(e, 11);
    CHECK_VERDICT(hs, "ok");
    CHECK(hs->client_sslv2_format);
    CHECK(atv_has_finding(hs, ATV_FINDING_DEPRECATED_VERSION));
    CHECK(atv_has_finding(hs, ATV_FINDING_WEAK_CIPHER));
    atv_engine_free(e);
}

static void test_sentinel_and_fallback_scsv(void)
{
    uint8_t random[32] = {0};
    memcpy(random + 24, "DOWNGRD\x01", 8);
    const uint16_t suites[] = {0xc02f, 0x5600};
    atv_engine *e = atv_engine_new();
    atv_client_hello hello = {.legacy_version = 0x0303, .cipher_suites = suites,
                              .cipher_suite_count = 2};
    atv_on_client_hello(e, 0, 1, CLIENT, &hello);
    atv_server_hello answer = {.legacy_version = 0x0303, .cipher_suite = 0xc02f, .random = random};
    atv_on_server_hello(e, 0, 2, SERVER, &answer);
    const atv_handshake *hs = atv_frame_handshake(e, 2);
    CHECK_VERDICT(hs, "ok");
    CHECK(atv_has_finding(hs, ATV_FINDING_DOWNGRADE_SENTINEL));
    CHECK(atv_has_finding(hs, ATV_FINDING_FALLBACK_SCSV));
    CHECK(atv_finding_frame(hs, ATV_FINDING_FALLBACK_SCSV) == 1);
    CHECK(hs->client_cipher_count == 1);
    atv_engine_free(e);
}

int main(void)
{
    test_client_aborted_tls12_and_continued();
    test_client_aborted_tls13_short_record();
    test_server_alerts_before_server_hello();
    test_closed_after_hello_and_sslv2_server();
    test_sentinel_and_fallback_scsv();
    test_tls12_ok();
    test_seed_downgrade();
    test_tls13_supported_versions_with_grease();
    test_tls13_client_downgraded_to_12();
    test_reset_after_hello();
    test_client_reset_is_not_server_reset();
    test_alert_explains_reset();
    test_insufficient_security_and_warning_alert();
    test_cipher_unoffered_values();
    test_precedence_unoffered_before_downgrade();
    test_retransmitted_hello_and_renegotiation();
    test_hello_retry();
    test_versions_rank();
    test_draft_is_not_a_downgrade();
    test_server_hello_without_client_hello();
    test_certificate_rejected();
    test_tls13_certificate_alert_in_clear();
    test_many_streams_and_absurd_stream_number();
    test_out_of_order_frames_still_found();
    printf("engine checks: %d passed, %d failed\n", checks_passed, checks_failed);
    return checks_failed ? 1 : 0;
}
