/*
 * Turns the TCP and TLS dissectors' output for one frame into engine events.
 *
 * We walk the protocol tree rather than asking for each field's array: a
 * frame can carry several TLS messages (ServerHello, Certificate, ... and an
 * alert), and only the tree says which field belongs to which message.  With
 * our fields "wanted", a tree without GUI details holds just those fields,
 * each tls.handshake item with its own fields below it; the GUI's full tree
 * has the same items with more levels in between, which the walk descends.
 */
#include "agenttls.h"
#include "agenttls_fieldmap.h"

#include <epan/address.h>

#include "engine/atv_x509.h"

enum {
    TLS_HS_CLIENT_HELLO = 1,
    TLS_HS_SERVER_HELLO = 2,
    SSL2_HS_SERVER_HELLO = 4,
    TLS_HS_CERTIFICATE = 11,
    TLS_RECORD_CHANGE_CIPHER_SPEC = 20,
    TLS_RECORD_HANDSHAKE = 22,
    TLS_RECORD_APPLICATION_DATA = 23,
    TCP_FLAG_FIN = 0x001,
    TCP_FLAG_RST = 0x004,
    TLS_RANDOM_LENGTH = 32,
    MAX_MESSAGES_PER_FRAME = 64, /* more is hostile input; the rest is ignored */
    MAX_TREE_DEPTH = 32,
};

typedef enum { MESSAGE_HANDSHAKE, MESSAGE_ALERT, MESSAGE_RECORD } message_kind;

typedef struct {
    message_kind kind;
    bool sslv2;               /* SSLv2 format: fields sit on the record, specs are 3 bytes */
    int type;                 /* handshake type, -1 when missing */
    int version;              /* -1 when missing */
    int alert_level, alert_desc;
    int record_type, record_length;   /* MESSAGE_RECORD */
    guint suites_start, suites_count; /* slices of the shared buffers */
    guint versions_start, versions_count;
    guint32 first_cipher_spec;        /* SSLv2 SERVER-HELLO */
    const field_info *random;
    bool cert_read;
    const char *cert_subject, *cert_issuer; /* first certificate's names */
} tls_message;

typedef struct {
    bool has_stream;
    guint32 stream;
    guint32 tcp_flags;
    guint message_count;
    tls_message messages[MAX_MESSAGES_PER_FRAME];
} frame_facts;

/* Reused from frame to frame so that extraction allocates nothing. */
static GArray *suite_buffer;
static GArray *version_buffer;

GArray *agenttls_extract_init(void)
{
    suite_buffer = g_array_new(FALSE, FALSE, sizeof(guint16));
    version_buffer = g_array_new(FALSE, FALSE, sizeof(guint16));
    return agenttls_fieldmap_init();
}

/* Wireshark unloads plugins before its own exit-time checks: free what
 * registration allocated so that nothing shows as leaked. */
void agenttls_extract_shutdown(void)
{
    g_array_free(suite_buffer, TRUE);
    g_array_free(version_buffer, TRUE);
    suite_buffer = version_buffer = NULL;
    agenttls_fieldmap_free();
}

/* Integer fields only: booleans and others would abort in fvalue_get_uinteger. */
static guint32 uint_value(const proto_node *node)
{
    field_info *finfo = PNODE_FINFO(node);
    if (!IS_FT_UINT32(finfo->hfinfo->type))
        return 0;
    return fvalue_get_uinteger(&finfo->value);
}

static void append_u16(GArray *buffer, guint32 value)
{
    guint16 narrow = (guint16)value;
    g_array_append_val(buffer, narrow);
}

/* Suites are 2 bytes (TLS) or 3 (SSLv2 specs, where 0x00XXXX is TLS suite
 * XXXX); read them from the packet bytes the list item covers. */
static void read_suite_list(tls_message *message, const field_info *finfo)
{
    tvbuff_t *tvb = finfo->ds_tvb;
    guint width = message->sslv2 ? 3 : 2;
    gint available = tvb ? tvb_captured_length_remaining(tvb, finfo->start) : -1;
    if (available <= 0 || message->suites_count > 0)
        return;
    guint count = (guint)MIN(finfo->length, available) / width;
    for (guint i = 0; i < count; i++) {
        guint offset = finfo->start + i * width;
        guint32 suite = width == 3 ? tvb_get_ntoh24(tvb, offset) : tvb_get_ntohs(tvb, offset);
        if (i == 0)
            message->first_cipher_spec = suite;
        if (suite <= 0xffff) {
            append_u16(suite_buffer, suite);
            message->suites_count++;
        }
    }
}

static void read_certificate_names(tls_message *message, const field_info *finfo)
{
    message->cert_read = true;
    if (finfo->length <= 0 || !tvb_bytes_exist(finfo->ds_tvb, finfo->start, finfo->length))
        return;
    const guint8 *der = tvb_get_ptr(finfo->ds_tvb, finfo->start, finfo->length);
    char *subject = wmem_alloc(wmem_packet_scope(), ATV_X509_NAME_CAPACITY);
    char *issuer = wmem_alloc(wmem_packet_scope(), ATV_X509_NAME_CAPACITY);
    atv_x509_names(der, (size_t)finfo->length, subject, issuer, ATV_X509_NAME_CAPACITY);
    message->cert_subject = subject[0] ? subject : NULL;
    message->cert_issuer = issuer[0] ? issuer : NULL;
}

static void read_message_field(tls_message *message, const proto_node *node)
{
    field_info *finfo = PNODE_FINFO(node);
    switch (agenttls_field_kind(node)) {
    case FIELD_HS_TYPE:
        if (message->type < 0)
            message->type = (int)uint_value(node);
        break;
    case FIELD_HS_VERSION:
        if (message->version < 0)
            message->version = (int)uint_value(node);
        break;
    case FIELD_HS_SUITE_LIST:
        read_suite_list(message, finfo);
        break;
    case FIELD_HS_SUPPORTED_VERSION:
        append_u16(version_buffer, uint_value(node));
        message->versions_count++;
        break;
    case FIELD_HS_RANDOM:
        if (!message->random && finfo->length == TLS_RANDOM_LENGTH)
            message->random = finfo;
        break;
    case FIELD_ALERT_LEVEL:
        message->alert_level = (int)uint_value(node);
        break;
    case FIELD_ALERT_DESC:
        message->alert_desc = (int)uint_value(node);
        break;
    case FIELD_CERTIFICATE: /* the first certificate is the server's own */
        if (!message->cert_read)
            read_certificate_names(message, finfo);
        break;
    default:
        break;
    }
}

static void read_message_subtree(tls_message *message, const proto_node *node, int depth)
{
    if (depth > MAX_TREE_DEPTH)
        return;
    for (const proto_node *child = node->first_child; child; child = child->next) {
        read_message_field(message, child);
        read_message_subtree(message, child, depth + 1);
    }
}

static tls_message *new_message(frame_facts *facts, message_kind kind)
{
    if (facts->message_count >= MAX_MESSAGES_PER_FRAME)
        return NULL;
    tls_message *message = &facts->messages[facts->message_count++];
    memset(message, 0, sizeof *message);
    message->kind = kind;
    message->type = message->version = message->alert_level = message->alert_desc = -1;
    message->record_type = message->record_length = -1;
    message->suites_start = suite_buffer->len;
    message->versions_start = version_buffer->len;
    return message;
}

static void add_record(frame_facts *facts, int content_type, int length)
{
    tls_message *record = new_message(facts, MESSAGE_RECORD);
    if (record) {
        record->record_type = content_type;
        record->record_length = length;
    }
}

/* Fields an SSLv2 message spreads over its record, after its type. */
static bool is_sslv2_message_field(field_kind kind)
{
    return kind == FIELD_HS_VERSION || kind == FIELD_HS_SUITE_LIST;
}

static void walk(frame_facts *facts, const proto_node *node, int depth)
{
    tls_message *sslv2 = NULL; /* the SSLv2 message whose fields follow */
    if (depth > MAX_TREE_DEPTH)
        return;
    for (const proto_node *child = node->first_child; child; child = child->next) {
        field_kind kind = agenttls_field_kind(child);
        tls_message *message;
        switch (kind) {
        case FIELD_TCP_STREAM: /* the innermost TCP comes last */
            facts->has_stream = true;
            facts->stream = uint_value(child);
            facts->tcp_flags = 0;
            break;
        case FIELD_TCP_FLAGS:
            facts->tcp_flags = uint_value(child);
            break;
        case FIELD_HANDSHAKE:
        case FIELD_ALERT:
            sslv2 = NULL;
            message = new_message(facts, kind == FIELD_ALERT ? MESSAGE_ALERT : MESSAGE_HANDSHAKE);
            if (message)
                read_message_subtree(message, child, depth + 1);
            continue;
        case FIELD_HS_TYPE: /* outside tls.handshake: an SSLv2-format message */
            sslv2 = new_message(facts, MESSAGE_HANDSHAKE);
            if (sslv2) {
                sslv2->sslv2 = true;
                read_message_field(sslv2, child);
            }
            continue;
        case FIELD_CHANGE_CIPHER_SPEC:
            add_record(facts, TLS_RECORD_CHANGE_CIPHER_SPEC, 1);
            break;
        case FIELD_APP_DATA:
            add_record(facts, TLS_RECORD_APPLICATION_DATA, PNODE_FINFO(child)->length);
            break;
        default:
            if (sslv2 && is_sslv2_message_field(kind)) {
                read_message_field(sslv2, child);
                read_message_subtree(sslv2, child, depth + 1);
                continue;
            }
            break;
        }
        walk(facts, child, depth + 1);
    }
}

/* A stable label for each end of the connection; the engine learns which
 * one is the client from who sends the ClientHello. */
static atv_side sender_side(const packet_info *pinfo)
{
    if (pinfo->srcport != pinfo->destport)
        return pinfo->srcport > pinfo->destport;
    return cmp_address(&pinfo->src, &pinfo->dst) > 0;
}

/* A message's slice of a shared buffer; NULL when empty. */
static const guint16 *slice(const GArray *buffer, guint start, guint count)
{
    return count ? &g_array_index(buffer, guint16, start) : NULL;
}

static void emit_client_hello(atv_engine *engine, const frame_facts *facts, guint32 frame,
                              atv_side side, const tls_message *message)
{
    atv_client_hello hello = {
        .legacy_version = (guint16)message->version,
        .supported_versions = slice(version_buffer, message->versions_start, message->versions_count),
        .supported_version_count = message->versions_count,
        .cipher_suites = slice(suite_buffer, message->suites_start, message->suites_count),
        .cipher_suite_count = message->suites_count,
        .sslv2_format = message->sslv2,
    };
    atv_on_client_hello(engine, facts->stream, frame, side, &hello);
}

/* The suite follows the random and the session id: read it from the bytes,
 * since asking for tls.handshake.ciphersuite would also prime every entry
 * of every ClientHello's list. */
static bool server_suite(const field_info *random, guint16 *suite)
{
    tvbuff_t *tvb = random->ds_tvb;
    guint offset = random->start + TLS_RANDOM_LENGTH;
    if (!tvb_bytes_exist(tvb, offset, 1))
        return false;
    offset += 1 + tvb_get_guint8(tvb, offset);
    if (!tvb_bytes_exist(tvb, offset, 2))
        return false;
    *suite = tvb_get_ntohs(tvb, offset);
    return true;
}

static void emit_server_hello(atv_engine *engine, const frame_facts *facts, guint32 frame,
                              atv_side side, const tls_message *message)
{
    guint16 suite;
    const field_info *random = message->random;
    if (!random || !tvb_bytes_exist(random->ds_tvb, random->start, TLS_RANDOM_LENGTH) ||
        !server_suite(random, &suite))
        return; /* truncated: nothing to judge */
    atv_server_hello hello = {
        .legacy_version = (guint16)message->version,
        .selected_version = message->versions_count
            ? g_array_index(version_buffer, guint16, message->versions_start) : 0,
        .cipher_suite = suite,
        .random = tvb_get_ptr(random->ds_tvb, random->start, TLS_RANDOM_LENGTH),
        .weak_cipher = agenttls_suite_is_weak(suite),
    };
    atv_on_server_hello(engine, facts->stream, frame, side, &hello);
}

/* An SSLv2 SERVER-HELLO lists the specs the server shares with the client;
 * the client picks one later.  Every SSLv2 spec is weak (40-bit or MD5). */
static void emit_sslv2_server_hello(atv_engine *engine, const frame_facts *facts, guint32 frame,
                                    atv_side side, const tls_message *message)
{
    guint32 spec = message->first_cipher_spec;
    atv_server_hello hello = {
        .legacy_version = (guint16)message->version,
        .cipher_suite = spec <= 0xffff ? (guint16)spec : 0,
        .weak_cipher = true,
        .sslv2 = true,
    };
    atv_on_server_hello(engine, facts->stream, frame, side, &hello);
}

static void emit_handshake_message(atv_engine *engine, const frame_facts *facts, guint32 frame,
                                   atv_side side, const tls_message *message)
{
    if (message->type == TLS_HS_CERTIFICATE && !message->sslv2) {
        atv_on_certificate(engine, facts->stream, frame, side);
        if (message->cert_subject || message->cert_issuer)
            atv_on_certificate_names(engine, facts->stream, message->cert_subject,
                                     message->cert_issuer);
        return;
    }
    bool hello = message->type == TLS_HS_CLIENT_HELLO || message->type == TLS_HS_SERVER_HELLO ||
                 (message->sslv2 && message->type == SSL2_HS_SERVER_HELLO);
    if (!hello) {
        /* Any other handshake message in clear (ClientKeyExchange, ...) is
         * a sign that its sender went on with the handshake. */
        atv_on_record(engine, facts->stream, frame, side, TLS_RECORD_HANDSHAKE, 0);
        return;
    }
    if (message->version < 0)
        return; /* a hello without its version is a fragment we cannot judge */
    if (message->type == TLS_HS_CLIENT_HELLO)
        emit_client_hello(engine, facts, frame, side, message);
    else if (message->sslv2)
        emit_sslv2_server_hello(engine, facts, frame, side, message);
    else
        emit_server_hello(engine, facts, frame, side, message);
}

static void emit_message(atv_engine *engine, const frame_facts *facts, guint32 frame,
                         atv_side side, const tls_message *message)
{
    switch (message->kind) {
    case MESSAGE_RECORD:
        atv_on_record(engine, facts->stream, frame, side, (guint8)message->record_type,
                      (guint16)MIN(message->record_length, G_MAXUINT16));
        break;
    case MESSAGE_ALERT:
        if (message->alert_level >= 0 && message->alert_desc >= 0)
            atv_on_alert(engine, facts->stream, frame, side, (guint8)message->alert_level,
                         (guint8)message->alert_desc);
        break;
    case MESSAGE_HANDSHAKE:
        if (message->type >= 0)
            emit_handshake_message(engine, facts, frame, side, message);
        break;
    }
}

void agenttls_extract_frame(atv_engine *engine, packet_info *pinfo, proto_tree *tree)
{
    static frame_facts facts;
    facts.has_stream = false;
    facts.tcp_flags = 0;
    facts.message_count = 0;
    g_array_set_size(suite_buffer, 0);
    g_array_set_size(version_buffer, 0);

    walk(&facts, tree, 0);
    if (!facts.has_stream)
        return;
    guint32 frame = pinfo->num;
    atv_side side = sender_side(pinfo);
    for (guint i = 0; i < facts.message_count; i++)
        emit_message(engine, &facts, frame, side, &facts.messages[i]);
    if (facts.tcp_flags & (TCP_FLAG_RST | TCP_FLAG_FIN))
        atv_on_tcp_close(engine, facts.stream, frame, side, facts.tcp_flags & TCP_FLAG_RST);
}
