/*
 * Turns the TCP and TLS dissectors' output for one frame into engine events.
 *
 * We walk the protocol tree rather than asking for each field's array: a
 * frame can carry several TLS messages (ServerHello, Certificate, ... and an
 * alert), and only the tree says which cipher suite belongs to which
 * message.  With our fields "wanted", a tree without GUI details holds just
 * those fields, each tls.handshake item with its own fields below it.
 */
#include "agenttls.h"

#include <string.h>
#include <epan/address.h>
#include <epan/oids.h>

enum {
    TLS_HS_CLIENT_HELLO = 1,
    TLS_HS_SERVER_HELLO = 2,
    SSL2_HS_SERVER_HELLO = 4,
    TLS_HS_CERTIFICATE = 11,
    TCP_FLAG_FIN = 0x001,
    TCP_FLAG_RST = 0x004,
    TLS_RANDOM_LENGTH = 32,
    MAX_MESSAGES_PER_FRAME = 64, /* more is hostile input; the rest is ignored */
    MAX_TREE_DEPTH = 32,
};

/* What a field means to us. */
typedef enum {
    FIELD_TCP_STREAM,
    FIELD_TCP_FLAGS,
    FIELD_HANDSHAKE,       /* tls.handshake: one message */
    FIELD_HS_TYPE,
    FIELD_HS_VERSION,
    FIELD_HS_SUITE,
    FIELD_HS_SUPPORTED_VERSION,
    FIELD_HS_RANDOM,
    FIELD_HS_CIPHER_SPEC,  /* SSLv2 3-byte cipher spec */
    FIELD_ALERT,           /* tls.alert_message: one alert */
    FIELD_ALERT_LEVEL,
    FIELD_ALERT_DESC,
    FIELD_RECORD,          /* tls.record: one record */
    FIELD_RECORD_TYPE,
    FIELD_RECORD_LENGTH,
    FIELD_CERT_ISSUER,     /* x509af.issuer: a distinguished name below */
    FIELD_CERT_SUBJECT,
    FIELD_DN_ATTRIBUTE,    /* x509if.oid: the attribute type of the next value */
    FIELD_DN_VALUE,        /* the attribute's string value */
    FIELD_KIND_COUNT,
    FIELD_OTHER = FIELD_KIND_COUNT
} field_kind;

/* Every field we read, by name.  Several names can share a kind. */
static const struct {
    const char *abbrev;
    field_kind kind;
} wanted_fields[] = {
    {"tcp.stream", FIELD_TCP_STREAM},
    {"tcp.flags", FIELD_TCP_FLAGS},
    {"tls.handshake", FIELD_HANDSHAKE},
    {"tls.handshake.type", FIELD_HS_TYPE},
    {"tls.handshake.version", FIELD_HS_VERSION},
    {"tls.handshake.ciphersuite", FIELD_HS_SUITE},
    {"tls.handshake.extensions.supported_version", FIELD_HS_SUPPORTED_VERSION},
    {"tls.handshake.random", FIELD_HS_RANDOM},
    {"tls.handshake.cipherspec", FIELD_HS_CIPHER_SPEC},
    {"tls.alert_message", FIELD_ALERT},
    {"tls.alert_message.level", FIELD_ALERT_LEVEL},
    {"tls.alert_message.desc", FIELD_ALERT_DESC},
    {"tls.record", FIELD_RECORD},
    {"tls.record.content_type", FIELD_RECORD_TYPE},
    {"tls.record.opaque_type", FIELD_RECORD_TYPE}, /* TLS 1.3 encrypted records */
    {"tls.record.length", FIELD_RECORD_LENGTH},
    {"x509af.issuer", FIELD_CERT_ISSUER},
    {"x509af.subject", FIELD_CERT_SUBJECT},
    {"x509if.oid", FIELD_DN_ATTRIBUTE},
    /* the directory string types a name's value can take */
    {"x509sat.CountryName", FIELD_DN_VALUE},
    {"x509sat.uTF8String", FIELD_DN_VALUE},
    {"x509sat.printableString", FIELD_DN_VALUE},
    {"x509sat.teletexString", FIELD_DN_VALUE},
    {"x509sat.IA5String", FIELD_DN_VALUE},
    {"x509sat.bmpString", FIELD_DN_VALUE},
    {"x509sat.universalString", FIELD_DN_VALUE},
};

/* Fields registered twice under one name (e.g. tls.handshake.type for TLS and
 * SSLv2) have several ids; a field's kind is looked up by id. */
static GHashTable *kind_by_hfid;

typedef struct {
    field_kind kind;          /* FIELD_HANDSHAKE, FIELD_ALERT or FIELD_RECORD */
    int type;                 /* handshake type, -1 when missing */
    int version;              /* -1 when missing */
    int alert_level, alert_desc;
    int record_type, record_length;
    bool sslv2;               /* an SSLv2-format message: fields sit on the record */
    guint32 first_cipher_spec;
    const char *cert_subject, *cert_issuer; /* first certificate's names */
    guint suites_start, suites_count;     /* slices of the shared buffers */
    guint versions_start, versions_count;
    const guint8 *random;
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

static void want_field(GArray *wanted, const char *abbrev, field_kind kind)
{
    for (header_field_info *info = agenttls_first_field_named(abbrev); info;
         info = info->same_name_next) {
        g_array_append_val(wanted, info->id);
        g_hash_table_insert(kind_by_hfid, GINT_TO_POINTER(info->id + 1),
                            GINT_TO_POINTER(kind + 1));
    }
}

GArray *agenttls_extract_wanted_hfids(void)
{
    GArray *wanted = g_array_new(FALSE, FALSE, sizeof(int));
    kind_by_hfid = g_hash_table_new(g_direct_hash, g_direct_equal);
    suite_buffer = g_array_new(FALSE, FALSE, sizeof(guint16));
    version_buffer = g_array_new(FALSE, FALSE, sizeof(guint16));
    for (size_t i = 0; i < G_N_ELEMENTS(wanted_fields); i++)
        want_field(wanted, wanted_fields[i].abbrev, wanted_fields[i].kind);
    return wanted;
}

static field_kind kind_of(const proto_node *node)
{
    const field_info *finfo = PNODE_FINFO(node);
    if (!finfo || !finfo->hfinfo)
        return FIELD_OTHER;
    gpointer kind = g_hash_table_lookup(kind_by_hfid, GINT_TO_POINTER(finfo->hfinfo->id + 1));
    return kind ? (field_kind)(GPOINTER_TO_INT(kind) - 1) : FIELD_OTHER;
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

/* Short names for the attributes people read in certificate names. */
static const struct {
    guint8 oid[9];
    gint length;
    const char *name;
} dn_attribute_names[] = {
    {{0x55, 0x04, 0x03}, 3, "CN"}, {{0x55, 0x04, 0x06}, 3, "C"},
    {{0x55, 0x04, 0x07}, 3, "L"},  {{0x55, 0x04, 0x08}, 3, "ST"},
    {{0x55, 0x04, 0x0a}, 3, "O"},  {{0x55, 0x04, 0x0b}, 3, "OU"},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}, 9, "emailAddress"},
};

static const char *dn_attribute_name(field_info *finfo)
{
    const guint8 *oid = fvalue_get_bytes(&finfo->value);
    if (!oid || finfo->length <= 0)
        return "?";
    for (size_t i = 0; i < G_N_ELEMENTS(dn_attribute_names); i++) {
        if (dn_attribute_names[i].length == finfo->length &&
            memcmp(dn_attribute_names[i].oid, oid, finfo->length) == 0)
            return dn_attribute_names[i].name;
    }
    return oid_encoded2string(wmem_packet_scope(), oid, finfo->length);
}

/* "C=US, O=Example, CN=host": attribute types and values in certificate order. */
static void append_dn(wmem_strbuf_t *dn, const proto_node *node, const char **attribute,
                      int depth)
{
    if (depth > MAX_TREE_DEPTH)
        return;
    for (const proto_node *child = node->first_child; child; child = child->next) {
        field_info *finfo = PNODE_FINFO(child);
        switch (kind_of(child)) {
        case FIELD_DN_ATTRIBUTE:
            *attribute = dn_attribute_name(finfo);
            break;
        case FIELD_DN_VALUE:
            if (!IS_FT_STRING(finfo->hfinfo->type))
                break;
            if (wmem_strbuf_get_len(dn) > 0)
                wmem_strbuf_append(dn, ", ");
            wmem_strbuf_append_printf(dn, "%s=%s", *attribute ? *attribute : "?",
                                      fvalue_get_string(&finfo->value));
            *attribute = NULL;
            break;
        default:
            break;
        }
        append_dn(dn, child, attribute, depth + 1);
    }
}

static const char *read_dn(const proto_node *node, int depth)
{
    wmem_strbuf_t *dn = wmem_strbuf_new(wmem_packet_scope(), "");
    const char *attribute = NULL;
    append_dn(dn, node, &attribute, depth + 1);
    return wmem_strbuf_get_len(dn) ? wmem_strbuf_finalize(dn) : NULL;
}

static void read_message_field(tls_message *message, const proto_node *node, int depth)
{
    field_info *finfo = PNODE_FINFO(node);
    switch (kind_of(node)) {
    case FIELD_HS_TYPE:
        if (message->type < 0)
            message->type = (int)uint_value(node);
        break;
    case FIELD_HS_VERSION:
        if (message->version < 0)
            message->version = (int)uint_value(node);
        break;
    case FIELD_HS_SUITE:
        append_u16(suite_buffer, uint_value(node));
        message->suites_count++;
        break;
    case FIELD_HS_CIPHER_SPEC: {
        guint32 spec = uint_value(node);
        if (message->suites_count == 0 && !message->first_cipher_spec)
            message->first_cipher_spec = spec;
        if (spec <= 0xffff) { /* 0x00XXXX is the TLS suite XXXX */
            append_u16(suite_buffer, spec);
            message->suites_count++;
        }
        break;
    }
    case FIELD_HS_SUPPORTED_VERSION:
        append_u16(version_buffer, uint_value(node));
        message->versions_count++;
        break;
    case FIELD_HS_RANDOM:
        if (!message->random && finfo->length == TLS_RANDOM_LENGTH)
            message->random = fvalue_get_bytes(&finfo->value);
        break;
    case FIELD_ALERT_LEVEL:
        message->alert_level = (int)uint_value(node);
        break;
    case FIELD_ALERT_DESC:
        message->alert_desc = (int)uint_value(node);
        break;
    case FIELD_CERT_ISSUER: /* the first certificate is the server's own */
        if (!message->cert_issuer)
            message->cert_issuer = read_dn(node, depth);
        break;
    case FIELD_CERT_SUBJECT:
        if (!message->cert_subject)
            message->cert_subject = read_dn(node, depth);
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
        read_message_field(message, child, depth);
        read_message_subtree(message, child, depth + 1);
    }
}

static tls_message *new_message(frame_facts *facts, field_kind kind)
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

static void read_message(frame_facts *facts, const proto_node *node, field_kind kind, int depth)
{
    tls_message *message = new_message(facts, kind);
    if (message)
        read_message_subtree(message, node, depth + 1);
}

/* A record's header; the messages inside are read by the walk that goes on
 * below it.  An SSLv2-format record has no tls.handshake item: its message
 * fields sit on the record itself, so the record is read as the message. */
static void read_record(frame_facts *facts, const proto_node *node, int depth)
{
    tls_message *record = new_message(facts, FIELD_RECORD);
    if (!record)
        return;
    bool sslv2 = false;
    for (const proto_node *child = node->first_child; child; child = child->next) {
        field_kind kind = kind_of(child);
        if (kind == FIELD_RECORD_TYPE)
            record->record_type = (int)uint_value(child);
        else if (kind == FIELD_RECORD_LENGTH)
            record->record_length = (int)uint_value(child);
        else if (kind == FIELD_HS_TYPE)
            sslv2 = true;
    }
    if (sslv2) {
        tls_message *message = new_message(facts, FIELD_HANDSHAKE);
        if (message) {
            message->sslv2 = true;
            read_message_subtree(message, node, depth + 1);
        }
    }
}

static void walk(frame_facts *facts, const proto_node *node, int depth)
{
    if (depth > MAX_TREE_DEPTH)
        return;
    for (const proto_node *child = node->first_child; child; child = child->next) {
        field_kind kind = kind_of(child);
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
            read_message(facts, child, kind, depth);
            continue;
        case FIELD_RECORD:
            read_record(facts, child, depth);
            break;
        default:
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

static void emit_server_hello(atv_engine *engine, const frame_facts *facts, guint32 frame,
                              atv_side side, const tls_message *message)
{
    if (message->suites_count == 0)
        return; /* truncated: nothing to judge */
    guint16 suite = g_array_index(suite_buffer, guint16, message->suites_start);
    atv_server_hello hello = {
        .legacy_version = (guint16)message->version,
        .selected_version = message->versions_count
            ? g_array_index(version_buffer, guint16, message->versions_start) : 0,
        .cipher_suite = suite,
        .random = message->random,
        .weak_cipher = agenttls_suite_is_weak(suite),
    };
    atv_on_server_hello(engine, facts->stream, frame, side, &hello);
}

/* An SSLv2 SERVER-HELLO lists the specs the server shares with the client;
 * the client picks one later.  Every SSLv2 spec is weak (40-bit or MD5). */
static void emit_sslv2_server_hello(atv_engine *engine, const frame_facts *facts, guint32 frame,
                                    atv_side side, const tls_message *message)
{
    atv_server_hello hello = {
        .legacy_version = (guint16)message->version,
        .cipher_suite = message->first_cipher_spec <= 0xffff ? (guint16)message->first_cipher_spec : 0,
        .weak_cipher = true,
        .sslv2 = true,
    };
    atv_on_server_hello(engine, facts->stream, frame, side, &hello);
}

static void emit_message(atv_engine *engine, const frame_facts *facts, guint32 frame,
                         atv_side side, const tls_message *message)
{
    if (message->kind == FIELD_RECORD) {
        if (message->record_type >= 0 && message->record_length >= 0)
            atv_on_record(engine, facts->stream, frame, side, (guint8)message->record_type,
                          (guint16)message->record_length);
        return;
    }
    if (message->kind == FIELD_ALERT) {
        if (message->alert_level >= 0 && message->alert_desc >= 0)
            atv_on_alert(engine, facts->stream, frame, side, (guint8)message->alert_level,
                         (guint8)message->alert_desc);
        return;
    }
    if (message->type == TLS_HS_CERTIFICATE) {
        atv_on_certificate(engine, facts->stream, frame, side);
        if (message->cert_subject || message->cert_issuer)
            atv_on_certificate_names(engine, facts->stream, message->cert_subject,
                                     message->cert_issuer);
        return;
    }
    if (message->version < 0)
        return; /* a hello without its version is a fragment we cannot judge */
    if (message->type == TLS_HS_CLIENT_HELLO)
        emit_client_hello(engine, facts, frame, side, message);
    else if (message->sslv2 && message->type == SSL2_HS_SERVER_HELLO)
        emit_sslv2_server_hello(engine, facts, frame, side, message);
    else if (!message->sslv2 && message->type == TLS_HS_SERVER_HELLO)
        emit_server_hello(engine, facts, frame, side, message);
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
