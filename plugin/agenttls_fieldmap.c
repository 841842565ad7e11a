/*
 * Every field we read, by name.  Fewer wanted fields means less work for
 * Wireshark on every frame, so lists (cipher suites) and certificates are
 * read as one item each and what we need taken from the packet bytes.
 */
#include "agenttls.h"
#include "agenttls_fieldmap.h"

static const struct {
    const char *abbrev;
    field_kind kind;
} wanted_fields[] = {
    {"tcp.stream", FIELD_TCP_STREAM},
    {"tcp.flags", FIELD_TCP_FLAGS},
    {"tls.handshake", FIELD_HANDSHAKE},
    {"tls.handshake.type", FIELD_HS_TYPE},
    {"tls.handshake.version", FIELD_HS_VERSION},
    {"tls.handshake.ciphersuites", FIELD_HS_SUITE_LIST},
    {"tls.handshake.extensions.supported_version", FIELD_HS_SUPPORTED_VERSION},
    {"tls.handshake.random", FIELD_HS_RANDOM},
    {"tls.alert_message", FIELD_ALERT},
    {"tls.alert_message.level", FIELD_ALERT_LEVEL},
    {"tls.alert_message.desc", FIELD_ALERT_DESC},
    {"tls.change_cipher_spec", FIELD_CHANGE_CIPHER_SPEC},
    {"tls.app_data", FIELD_APP_DATA},
    {"tls.handshake.certificate", FIELD_CERTIFICATE},
};

/* Kind by hfid, for hfids up to the largest one we want: an array lookup
 * per tree node keeps the walk cheap. */
static guint8 *kind_by_hfid;
static int kind_table_size;

GArray *agenttls_fieldmap_init(void)
{
    GArray *wanted = g_array_new(FALSE, FALSE, sizeof(int));
    for (size_t i = 0; i < G_N_ELEMENTS(wanted_fields); i++) {
        for (header_field_info *info = agenttls_first_field_named(wanted_fields[i].abbrev);
             info; info = info->same_name_next)
            g_array_append_val(wanted, info->id);
    }
    for (guint i = 0; i < wanted->len; i++)
        kind_table_size = MAX(kind_table_size, g_array_index(wanted, int, i) + 1);
    kind_by_hfid = g_new0(guint8, kind_table_size);
    for (size_t i = 0; i < G_N_ELEMENTS(wanted_fields); i++) {
        for (header_field_info *info = agenttls_first_field_named(wanted_fields[i].abbrev);
             info; info = info->same_name_next)
            kind_by_hfid[info->id] = (guint8)wanted_fields[i].kind;
    }
    return wanted;
}

void agenttls_fieldmap_free(void)
{
    g_free(kind_by_hfid);
    kind_by_hfid = NULL;
    kind_table_size = 0;
}

field_kind agenttls_field_kind(const proto_node *node)
{
    const field_info *finfo = PNODE_FINFO(node);
    if (!finfo || !finfo->hfinfo)
        return FIELD_OTHER;
    int id = finfo->hfinfo->id;
    return (id >= 0 && id < kind_table_size) ? (field_kind)kind_by_hfid[id] : FIELD_OTHER;
}
