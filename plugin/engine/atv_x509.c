/*
 * Subject and issuer of a DER certificate, as "C=US, O=Example, CN=host".
 *
 * Reading the two names from the certificate bytes ourselves costs one
 * wanted field per certificate instead of a dozen X.509 fields on every
 * certificate frame.  Input is untrusted: every length is checked against
 * what remains, and anything unexpected ends the parse with what we have.
 */
#include "atv_x509.h"

#include <stdio.h>
#include <string.h>

enum {
    DER_INTEGER = 0x02,
    DER_OID = 0x06,
    DER_UTF8_STRING = 0x0c,
    DER_PRINTABLE_STRING = 0x13,
    DER_TELETEX_STRING = 0x14,
    DER_IA5_STRING = 0x16,
    DER_BMP_STRING = 0x1e,
    DER_SEQUENCE = 0x30,
    DER_SET = 0x31,
    DER_VERSION_TAG = 0xa0, /* [0] EXPLICIT version */
};

typedef struct {
    const uint8_t *data;
    size_t length;
} der_span;

typedef struct {
    uint8_t tag;
    der_span content;
} der_element;

/* Reads one TLV from the front of `in`, advancing it; false when malformed. */
static bool der_next(der_span *in, der_element *out)
{
    if (in->length < 2)
        return false;
    size_t header = 2, length = in->data[1];
    if (length & 0x80) {
        size_t octets = length & 0x7f;
        if (octets == 0 || octets > 4 || in->length < 2 + octets)
            return false;
        length = 0;
        for (size_t i = 0; i < octets; i++)
            length = (length << 8) | in->data[2 + i];
        header += octets;
    }
    if (length > in->length - header)
        return false;
    out->tag = in->data[0];
    out->content.data = in->data + header;
    out->content.length = length;
    in->data += header + length;
    in->length -= header + length;
    return true;
}

static bool der_expect(der_span *in, uint8_t tag, der_element *out)
{
    return der_next(in, out) && out->tag == tag;
}

static const struct {
    uint8_t oid[9];
    size_t length;
    const char *name;
} attribute_names[] = {
    {{0x55, 0x04, 0x03}, 3, "CN"}, {{0x55, 0x04, 0x06}, 3, "C"},
    {{0x55, 0x04, 0x07}, 3, "L"},  {{0x55, 0x04, 0x08}, 3, "ST"},
    {{0x55, 0x04, 0x0a}, 3, "O"},  {{0x55, 0x04, 0x0b}, 3, "OU"},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}, 9, "emailAddress"},
};

static const char *attribute_name(der_span oid)
{
    for (size_t i = 0; i < sizeof attribute_names / sizeof attribute_names[0]; i++) {
        if (attribute_names[i].length == oid.length &&
            memcmp(attribute_names[i].oid, oid.data, oid.length) == 0)
            return attribute_names[i].name;
    }
    return "OID";
}

/* Appends to a NUL-terminated buffer, truncating silently. */
static void append_text(char *out, size_t capacity, const char *text, size_t length)
{
    size_t used = strlen(out);
    for (size_t i = 0; i < length && used + 1 < capacity; i++)
        out[used++] = text[i];
    out[used] = '\0';
}

/* Printable ASCII as is; anything else (UTF-8 beyond ASCII, BMP) as '?'. */
static void append_value(char *out, size_t capacity, der_element value)
{
    bool two_byte = value.tag == DER_BMP_STRING;
    size_t step = two_byte ? 2 : 1;
    for (size_t i = 0; i + step <= value.content.length; i += step) {
        uint8_t high = two_byte ? value.content.data[i] : 0;
        uint8_t low = value.content.data[i + step - 1];
        char c = (high == 0 && low >= 0x20 && low < 0x7f) ? (char)low : '?';
        append_text(out, capacity, &c, 1);
    }
}

static bool is_string_tag(uint8_t tag)
{
    return tag == DER_UTF8_STRING || tag == DER_PRINTABLE_STRING || tag == DER_TELETEX_STRING ||
           tag == DER_IA5_STRING || tag == DER_BMP_STRING;
}

static void append_attribute(char *out, size_t capacity, der_span attribute)
{
    der_element type, value;
    if (!der_expect(&attribute, DER_OID, &type) || !der_next(&attribute, &value) ||
        !is_string_tag(value.tag))
        return;
    const char *name = attribute_name(type.content);
    if (out[0])
        append_text(out, capacity, ", ", 2);
    append_text(out, capacity, name, strlen(name));
    append_text(out, capacity, "=", 1);
    append_value(out, capacity, value);
}

static void format_name(der_span name, char *out, size_t capacity)
{
    der_element rdn, attribute;
    out[0] = '\0';
    while (der_expect(&name, DER_SET, &rdn)) {
        while (der_expect(&rdn.content, DER_SEQUENCE, &attribute))
            append_attribute(out, capacity, attribute.content);
    }
}

bool atv_x509_names(const uint8_t *der, size_t length, char *subject, char *issuer,
                    size_t capacity)
{
    der_span in = {der, length};
    der_element certificate, tbs, element, issuer_name, subject_name;
    if (capacity == 0)
        return false;
    subject[0] = issuer[0] = '\0';
    if (!der_expect(&in, DER_SEQUENCE, &certificate) ||
        !der_expect(&certificate.content, DER_SEQUENCE, &tbs))
        return false;
    der_span fields = tbs.content;
    if (!der_next(&fields, &element))
        return false;
    if (element.tag == DER_VERSION_TAG && !der_next(&fields, &element))
        return false;
    if (element.tag != DER_INTEGER) /* serialNumber */
        return false;
    if (!der_expect(&fields, DER_SEQUENCE, &element) ||     /* signature algorithm */
        !der_expect(&fields, DER_SEQUENCE, &issuer_name) ||
        !der_expect(&fields, DER_SEQUENCE, &element) ||     /* validity */
        !der_expect(&fields, DER_SEQUENCE, &subject_name))
        return false;
    format_name(issuer_name.content, issuer, capacity);
    format_name(subject_name.content, subject, capacity);
    return true;
}
