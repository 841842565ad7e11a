/* Certificate names from DER bytes; pure C, no Wireshark headers. */
#ifndef ATV_X509_H
#define ATV_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest name kept; longer ones are cut (they only serve to be read). */
#define ATV_X509_NAME_CAPACITY 256

/*
 * Fills `subject` and `issuer` (each `capacity` bytes, NUL-terminated) with
 * "C=US, O=Example, CN=host"-style text from a DER certificate.  Returns
 * false, with whatever was read so far, when the bytes are not a certificate.
 */
bool atv_x509_names(const uint8_t *der, size_t length, char *subject, char *issuer,
                    size_t capacity);

#endif
