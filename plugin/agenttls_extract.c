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

#include <epan/address.h>

enum {
    TLS_HS_CLIENT_HELLO = 1,
    TLS_HS_SERVER_HELLO = 2,
    TLS_HS_CERTIFICATE = 11,
    TCP_FLAG_FIN = 0x001,
    TCP_FLAG_RST = 0x004,
    TLS_RANDOM_LENGTH = 32,
    MAX_MESSAGES_PER_FRAME = 64, /* more is hostile input; the rest is ignored */
    MAX_TREE_DEPTH = 32,
};

/* What a field means to us; its hfids live in `field_ids`. */
typedef enum {
    FIELD_TCP_STREAM,
    FIELD_TCP_FLAGS,
    FIELD_HANDSHAKE,       /* tls.handshake: one message */
    FIELD_HS_TYPE,
    FIELD_HS_VERSION,
    FIELD_HS_SUITE,
    FIELD_HS_SUPPORTED_VERSION,
    FIELD_HS_RANDOM,
    FIELD_ALERT,           /* tls.alert_message: one alert */
    FIELD_ALERT_LEVEL,
    FIELD_ALERT_DESC,
    FIELD_KIND_COUNT,
    FIELD_OTHER = FIELD_KIND_COUNT
} field_kind;

static const char *const field_abbrevs[FIELD_KIND_COUNT] = {
    [FIELD_TCP_STREAM] = "tcp.stream",
    [FIELD_TCP_FLAGS] = "tcp.flags",
    [FIELD_HANDSHAKE] = "tls.handshake",
    [FIELD_HS_TYPE] = "tls.handshake.type",
    [FIELD_HS_VERSION] = "tls.handshake.version",
    [FIELD_HS_SUITE] = "tls.handshake.ciphersuite",
    [FIELD_HS_SUPPORTED_VERSION] = "tls.handshake.extensions.supported_version",
    [FIELD_HS_RANDOM] = "tls.handshake.random",
    [FIELD_ALERT] = "tls.alert_message",
    [FIELD_ALERT_LEVEL] = "tls.alert_message.level",
    [FIELD_ALERT_DESC] = "tls.alert_message.desc",
};

/* Fields registered twice under one name (e.g. tls.handshake.type for TLS and
 * SSLv2) have several ids; a field's kind is looked up by id. */
static GHashTable *kind_by_hfid;

typedef struct {
    field_kind kind;          /* FIELD_HANDSHAKE or FIELD_ALERT */
    int type;                 /* handshake type, -1 when missing */
    int version;              /* -1 when missing */
    int alert_level, alert_desc;
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

GArray *agenttls_extract_wanted_hfids(void)
{
    GArray *wanted = g_array_new(FALSE, FALSE, sizeof(int));
    kind_by_hfid = g_hash_table_new(g_direct_hash, g_direct_equal);
    suite_buffer = g_array_new(FALSE, FALSE, sizeof(guint16));
    version_buffer = g_array_new(FALSE, FALSE, sizeof(guint16));
    for (int kind = 0; kind < FIELD_KIND_COUNT; kind++) {
        for (header_field_info *info = agenttls_first_field_named(field_abbrevs[kind]); info;
             info = info->same_name_next) {
            g_array_append_val(wanted, info->id);
            g_hash_table_insert(kind_by_hfid, GINT_TO_POINTER(info->id + 1),
                                GINT_TO_POINTER(kind + 1));
        }
    }
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

static void read_message_field(tls_message *message, const proto_node *node)
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

static void read_message(frame_facts *facts, const proto_node *node, field_kind kind, int depth)
{
    if (facts->message_count >= MAX_MESSAGES_PER_FRAME)
        return;
    tls_message *message = &facts->messages[facts->message_count++];
    memset(message, 0, sizeof *message);
    message->kind = kind;
    message->type = message->version = message->alert_level = message->alert_desc = -1;
    message->suites_start = suite_buffer->len;
    message->versions_start = version_buffer->len;
    read_message_subtree(message, node, depth + 1);
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

static void emit_message(atv_engine *engine, const frame_facts *facts, guint32 frame,
                         atv_side side, const tls_message *message)
{
    if (message->kind == FIELD_ALERT) {
        if (message->alert_level >= 0 && message->alert_desc >= 0)
            atv_on_alert(engine, facts->stream, frame, side, (guint8)message->alert_level,
                         (guint8)message->alert_desc);
        return;
    }
    if (message->type == TLS_HS_CERTIFICATE) {
        atv_on_certificate(engine, facts->stream, frame, side);
        return;
    }
    if (message->version < 0)
        return; /* a hello without its version is a fragment we cannot judge */
    if (message->type == TLS_HS_CLIENT_HELLO)
        emit_client_hello(engine, facts, frame, side, message);
    else if (message->type == TLS_HS_SERVER_HELLO)
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
