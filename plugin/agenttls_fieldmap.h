/*
 * The TCP and TLS fields the plugin reads, and what each means to it.
 */
#ifndef AGENTTLS_FIELDMAP_H
#define AGENTTLS_FIELDMAP_H

#include <epan/proto.h>

typedef enum {
    FIELD_OTHER = 0,
    FIELD_TCP_STREAM,
    FIELD_TCP_FLAGS,
    FIELD_HANDSHAKE,          /* tls.handshake: one handshake message */
    FIELD_HS_TYPE,            /* also the SSLv2 message type, which has no tls.handshake */
    FIELD_HS_VERSION,
    FIELD_HS_SUITE_LIST,      /* the cipher suite (or SSLv2 cipher spec) list as one item */
    FIELD_HS_SUPPORTED_VERSION,
    FIELD_HS_RANDOM,
    FIELD_ALERT,              /* tls.alert_message: one alert */
    FIELD_ALERT_LEVEL,
    FIELD_ALERT_DESC,
    FIELD_CHANGE_CIPHER_SPEC,
    FIELD_APP_DATA,           /* an encrypted record's payload */
    FIELD_CERTIFICATE,        /* one DER certificate of a Certificate message */
} field_kind;

/* Builds the lookup table; returns the hfids to hand to
 * set_postdissector_wanted_hfids (every registration of every name). */
GArray *agenttls_fieldmap_init(void);

void agenttls_fieldmap_free(void);

field_kind agenttls_field_kind(const proto_node *node);

#endif
