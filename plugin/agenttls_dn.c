/*
 * Certificate names ("C=US, O=Example, CN=host") rebuilt from the X.509
 * dissector's fields: attribute types and values in certificate order.
 */
#include "agenttls.h"
#include "agenttls_fieldmap.h"

#include <string.h>
#include <epan/oids.h>

enum { MAX_DN_DEPTH = 32 };

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

static void append_dn(wmem_strbuf_t *dn, const proto_node *node, const char **attribute,
                      int depth)
{
    if (depth > MAX_DN_DEPTH)
        return;
    for (const proto_node *child = node->first_child; child; child = child->next) {
        field_info *finfo = PNODE_FINFO(child);
        switch (agenttls_field_kind(child)) {
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

const char *agenttls_read_dn(const proto_node *name_node)
{
    wmem_strbuf_t *dn = wmem_strbuf_new(wmem_packet_scope(), "");
    const char *attribute = NULL;
    append_dn(dn, name_node, &attribute, 0);
    return wmem_strbuf_get_len(dn) ? wmem_strbuf_finalize(dn) : NULL;
}
