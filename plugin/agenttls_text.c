/*
 * Names and sentences.  Version, suite and alert names come from the TLS
 * dissector's registered fields so that we always agree with its tree.
 */
#include "agenttls.h"

#include <string.h>
#include <epan/value_string.h>
#include <wsutil/wmem/wmem.h>

static const value_string *version_names;
static value_string_ext *suite_names;
static const value_string *alert_names;

header_field_info *agenttls_first_field_named(const char *abbrev)
{
    /* proto_registrar_get_byname returns any one of the registrations that
     * share a name; walk back to the first so callers can see them all. */
    header_field_info *info = proto_registrar_get_byname(abbrev);
    while (info && info->same_name_prev_id != -1)
        info = proto_registrar_get_nth(info->same_name_prev_id);
    return info;
}

/* The first registration of `abbrev` (same-name chain included) with names. */
static header_field_info *named_field(const char *abbrev)
{
    for (header_field_info *info = agenttls_first_field_named(abbrev); info;
         info = info->same_name_next) {
        if (info->strings)
            return info;
    }
    return NULL;
}

void agenttls_text_init(void)
{
    header_field_info *versions = named_field("tls.handshake.version");
    header_field_info *suites = named_field("tls.handshake.ciphersuite");
    header_field_info *alerts = named_field("tls.alert_message.desc");

    version_names = versions ? (const value_string *)versions->strings : NULL;
    if (suites && (suites->display & BASE_EXT_STRING))
        suite_names = (value_string_ext *)suites->strings;
    alert_names = alerts && !(alerts->display & BASE_EXT_STRING)
                      ? (const value_string *)alerts->strings : NULL;
}

const void *agenttls_version_strings(void) { return version_names; }
const void *agenttls_suite_strings(void) { return suite_names; }

const char *agenttls_version_name(uint16_t version)
{
    if (!version_names)
        return wmem_strdup_printf(wmem_packet_scope(), "0x%04x", version);
    return val_to_str_const(version, version_names, "unknown version");
}

const char *agenttls_suite_name(uint16_t suite)
{
    if (!suite_names)
        return wmem_strdup_printf(wmem_packet_scope(), "0x%04x", suite);
    return val_to_str_ext_const(suite, suite_names, "an unknown suite");
}

const char *agenttls_alert_name(uint8_t description)
{
    if (!alert_names)
        return wmem_strdup_printf(wmem_packet_scope(), "alert %u", description);
    return val_to_str_const(description, alert_names, "unknown alert");
}

bool agenttls_suite_is_weak(uint16_t suite)
{
    /* RFC 7465 (RC4), RFC 8996-era guidance: NULL, anonymous, EXPORT, DES/3DES
     * and MD5 suites; judged by the names Wireshark gives them. */
    static const char *const weak_markers[] = {"NULL", "anon", "EXPORT", "RC4", "DES", "MD5"};
    if (!suite_names)
        return false;
    const char *name = try_val_to_str_ext(suite, suite_names);
    if (!name)
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(weak_markers); i++) {
        if (strstr(name, weak_markers[i]))
            return true;
    }
    return false;
}

char *agenttls_client_versions_text(const atv_handshake *hs)
{
    /* Highest first; each version with the bit that says it was offered. */
    static const struct {
        uint16_t version;
        uint8_t bit;
    } offered[] = {
        {ATV_VERSION_TLS13, ATV_VBIT_TLS13}, {ATV_VERSION_TLS12, ATV_VBIT_TLS12},
        {ATV_VERSION_TLS11, ATV_VBIT_TLS11}, {ATV_VERSION_TLS10, ATV_VBIT_TLS10},
        {ATV_VERSION_SSL3, ATV_VBIT_SSL3},   {ATV_VERSION_SSL2, ATV_VBIT_SSL2},
    };
    wmem_strbuf_t *text = wmem_strbuf_new(wmem_packet_scope(), "");
    for (size_t i = 0; i < G_N_ELEMENTS(offered); i++) {
        if (!(hs->client_version_set & offered[i].bit))
            continue;
        if (wmem_strbuf_get_len(text) > 0)
            wmem_strbuf_append(text, ", ");
        wmem_strbuf_append(text, agenttls_version_name(offered[i].version));
    }
    if (hs->client_sslv2_format)
        wmem_strbuf_append(text, " (SSLv2-format hello)");
    return wmem_strbuf_finalize(text);
}

static const char *alert_sender(const atv_handshake *hs)
{
    return hs->alert_from_client ? "client" : "server";
}

/* A version at or below TLS 1.1 is what modern servers refuse outright. */
static bool client_stuck_on_old_tls(const atv_handshake *hs)
{
    return atv_version_rank(hs->client_max_version) <= atv_version_rank(ATV_VERSION_TLS11);
}

static char *refusal_sentence(const atv_handshake *hs, const char *how)
{
    const char *offered = agenttls_version_name(hs->client_max_version);
    if (client_stuck_on_old_tls(hs))
        return wmem_strdup_printf(wmem_packet_scope(),
            "The server %s the ClientHello offering up to %s: the server does not accept %s "
            "or lower; enable TLS 1.2 on the client", how, offered, offered);
    return wmem_strdup_printf(wmem_packet_scope(),
        "The server %s the ClientHello offering up to %s with %u cipher suites; check the "
        "server's TLS versions and suites, and any firewall or proxy in between",
        how, offered, hs->client_cipher_count);
}

static char *alert_sentence(const atv_handshake *hs, const char *meaning)
{
    return wmem_strdup_printf(wmem_packet_scope(), "The %s sent a fatal %s (%u) alert: %s",
                              alert_sender(hs), agenttls_alert_name(hs->alert_description),
                              hs->alert_description, meaning);
}

/* ", issued by X to Y" when the certificate was seen in clear, else "". */
static const char *certificate_clause(const atv_handshake *hs)
{
    if (!hs->certificate_issuer)
        return "";
    return wmem_strdup_printf(wmem_packet_scope(), " (issued by %s to %s)",
                              hs->certificate_issuer,
                              hs->certificate_subject ? hs->certificate_subject : "?");
}

static char *downgrade_sentence(const atv_handshake *hs)
{
    return wmem_strdup_printf(wmem_packet_scope(),
                              "Server chose %s although the client offered up to %s",
                              agenttls_version_name(hs->server_version),
                              agenttls_version_name(hs->client_max_version));
}

static char *client_aborted_sentence(const atv_handshake *hs)
{
    wmem_allocator_t *scope = wmem_packet_scope();
    if (atv_has_finding(hs, ATV_FINDING_VERSION_DOWNGRADE))
        return wmem_strdup_printf(scope,
            "The client gave up after the server chose %s (it offered up to %s): the client "
            "probably refuses %s; enable %s on the server",
            agenttls_version_name(hs->server_version),
            agenttls_version_name(hs->client_max_version),
            agenttls_version_name(hs->server_version),
            agenttls_version_name(hs->client_max_version));
    return wmem_strdup_printf(scope,
        "The client %s the connection after the server's answer without finishing the "
        "handshake%s: it probably rejected the server's certificate%s; if an HTTPS-inspection "
        "gateway is in the path, exclude this traffic from inspection",
        hs->close_was_reset ? "reset" : "closed",
        hs->client_short_record ? ", right after an alert-sized encrypted record" : "",
        certificate_clause(hs));
}

static char *failure_summary(const atv_handshake *hs)
{
    wmem_allocator_t *scope = wmem_packet_scope();
    switch (hs->verdict) {
    case ATV_FINDING_RESET_AFTER_HELLO:
        return refusal_sentence(hs, "reset the connection right after");
    case ATV_FINDING_CLOSED_AFTER_HELLO:
        return refusal_sentence(hs, "closed the connection without answering");
    case ATV_FINDING_NO_SHARED_CIPHER:
        return alert_sentence(hs, wmem_strdup_printf(scope,
            "it shares none of the client's %u cipher suites; enable a common suite on "
            "the client or the server", hs->client_cipher_count));
    case ATV_FINDING_VERSION_REJECTED:
        return alert_sentence(hs, wmem_strdup_printf(scope,
            "it does not accept %s; enable a version both sides support",
            agenttls_version_name(hs->client_max_version)));
    case ATV_FINDING_FALLBACK_REJECTED:
        return alert_sentence(hs, "the client retried at a lower version and the server "
                                  "refused the fallback; find why the first attempt failed");
    case ATV_FINDING_CIPHER_UNOFFERED:
        return wmem_strdup_printf(scope,
            "The server chose %s, which the client did not offer; the server or a device in "
            "between is misbehaving", agenttls_suite_name(hs->server_cipher));
    case ATV_FINDING_CERTIFICATE_REJECTED:
        return alert_sentence(hs, wmem_strdup_printf(scope,
            "it rejected the server's certificate%s; if the issuer is an HTTPS-inspection "
            "gateway, exclude this traffic from inspection", certificate_clause(hs)));
    case ATV_FINDING_HANDSHAKE_ALERT:
        return alert_sentence(hs, "the handshake failed");
    case ATV_FINDING_CLIENT_ABORTED:
        return client_aborted_sentence(hs);
    case ATV_FINDING_NO_SERVER_HELLO:
        return wmem_strdup_printf(scope, "Nothing came back to the ClientHello offering up to "
            "%s; check that the server listens and that nothing drops the traffic",
            agenttls_version_name(hs->client_max_version));
    default: /* ATV_FINDING_VERSION_DOWNGRADE */
        return downgrade_sentence(hs);
    }
}

char *agenttls_summary_text(const atv_handshake *hs)
{
    wmem_allocator_t *scope = wmem_packet_scope();
    switch (hs->verdict) {
    case ATV_VERDICT_OK:
        return wmem_strdup_printf(scope, "Server accepted %s with %s",
                                  agenttls_version_name(hs->server_version),
                                  agenttls_suite_name(hs->server_cipher));
    case ATV_VERDICT_INCOMPLETE:
        return wmem_strdup_printf(scope, "The capture starts after the ClientHello; the server "
                                         "chose %s with %s",
                                  agenttls_version_name(hs->server_version),
                                  agenttls_suite_name(hs->server_cipher));
    case ATV_VERDICT_PENDING:
        return wmem_strdup_printf(scope, "ClientHello offering up to %s with %u cipher suites; "
                                         "no answer from the server yet",
                                  agenttls_version_name(hs->client_max_version),
                                  hs->client_cipher_count);
    default:
        return failure_summary(hs);
    }
}

char *agenttls_finding_text(const atv_handshake *hs, atv_finding finding)
{
    wmem_allocator_t *scope = wmem_packet_scope();
    if (finding == (atv_finding)hs->verdict)
        return agenttls_summary_text(hs);
    switch (finding) {
    case ATV_FINDING_VERSION_DOWNGRADE:
        return downgrade_sentence(hs);
    case ATV_FINDING_CIPHER_UNOFFERED:
        return wmem_strdup_printf(scope, "Server chose %s, which the client did not offer",
                                  agenttls_suite_name(hs->server_cipher));
    case ATV_FINDING_DEPRECATED_VERSION:
        return wmem_strdup_printf(scope, "%s negotiated; it is deprecated (RFC 8996)",
                                  agenttls_version_name(hs->server_version));
    case ATV_FINDING_WEAK_CIPHER:
        return wmem_strdup_printf(scope, "Weak cipher suite %s negotiated",
                                  agenttls_suite_name(hs->server_cipher));
    default:
        return NULL; /* the expert item's registered text says it all */
    }
}
