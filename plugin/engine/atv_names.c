/* Names, version ranking and value classes shared by the engine and glue. */
#include "atv_engine.h"

static const char *const finding_names[ATV_FINDING_COUNT] = {
    [ATV_FINDING_RESET_AFTER_HELLO] = "reset_after_hello",
    [ATV_FINDING_CLOSED_AFTER_HELLO] = "closed_after_hello",
    [ATV_FINDING_NO_SHARED_CIPHER] = "no_shared_cipher",
    [ATV_FINDING_VERSION_REJECTED] = "version_rejected",
    [ATV_FINDING_FALLBACK_REJECTED] = "fallback_rejected",
    [ATV_FINDING_CIPHER_UNOFFERED] = "cipher_unoffered",
    [ATV_FINDING_CERTIFICATE_REJECTED] = "certificate_rejected",
    [ATV_FINDING_HANDSHAKE_ALERT] = "handshake_alert",
    [ATV_FINDING_CLIENT_ABORTED] = "client_aborted",
    [ATV_FINDING_NO_SERVER_HELLO] = "no_server_hello",
    [ATV_FINDING_VERSION_DOWNGRADE] = "version_downgrade",
    [ATV_FINDING_DEPRECATED_VERSION] = "deprecated_version",
    [ATV_FINDING_WEAK_CIPHER] = "weak_cipher",
    [ATV_FINDING_DOWNGRADE_SENTINEL] = "downgrade_sentinel",
    [ATV_FINDING_FALLBACK_SCSV] = "fallback_scsv",
    [ATV_FINDING_HELLO_RETRY] = "hello_retry",
    [ATV_FINDING_RENEGOTIATION] = "renegotiation",
};

const char *atv_finding_name(atv_finding finding)
{
    if ((int)finding < 0 || finding >= ATV_FINDING_COUNT)
        return "unknown";
    return finding_names[finding];
}

const char *atv_verdict_name(atv_verdict verdict)
{
    switch (verdict) {
    case ATV_VERDICT_OK:
        return "ok";
    case ATV_VERDICT_INCOMPLETE:
        return "incomplete";
    case ATV_VERDICT_PENDING:
        return "pending";
    default:
        if (verdict >= 0 && verdict < ATV_FINDING_FIRST_NOTE)
            return finding_names[verdict];
        return "unknown";
    }
}

bool atv_is_grease(uint16_t value)
{
    /* RFC 8701: 0x0A0A, 0x1A1A, ... 0xFAFA. */
    return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

int atv_version_rank(uint16_t version)
{
    if (atv_is_grease(version))
        return -1;
    if (version == ATV_VERSION_SSL2)
        return 1;
    if ((version >> 8) == 0x03)
        return 2 + (version & 0xff); /* SSL3=2 ... TLS1.3=6, later ones above */
    /* TLS 1.3 drafts (0x7fXX), Google/Facebook experiments (0x7eXX, 0xfb1a). */
    if ((version >> 8) == 0x7f || (version >> 8) == 0x7e || version == 0xfb1a)
        return 6;
    return 0;
}
