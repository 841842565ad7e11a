/* Unit tests of the DER certificate-name reader, without Wireshark.
 * argv[1]: a DER certificate whose subject and issuer are argv[2], argv[3]. */
#include "atv_x509.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

static void check(int condition, const char *what)
{
    if (condition) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL: %s\n", what);
    }
}

static size_t read_file(const char *path, uint8_t *buffer, size_t capacity)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return 0;
    size_t length = fread(buffer, 1, capacity, file);
    fclose(file);
    return length;
}

/* Every prefix and many corrupted copies must parse without reading past
 * the input (run under the sanitizer build to make that a hard check) and
 * always leave NUL-terminated text within the capacity. */
static void check_hostile_inputs(const uint8_t *der, size_t length)
{
    char subject[ATV_X509_NAME_CAPACITY], issuer[ATV_X509_NAME_CAPACITY];
    int terminated = 1;
    for (size_t cut = 0; cut < length; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, der, cut);
        atv_x509_names(copy, cut, subject, issuer, sizeof subject);
        terminated &= memchr(subject, 0, sizeof subject) && memchr(issuer, 0, sizeof issuer);
        free(copy);
    }
    srand(7);
    uint8_t *copy = malloc(length);
    for (int round = 0; round < 20000; round++) {
        memcpy(copy, der, length);
        for (int flips = 1 + rand() % 4; flips > 0; flips--)
            copy[rand() % length] = (uint8_t)rand();
        atv_x509_names(copy, length, subject, issuer, 16);
        terminated &= strlen(subject) < 16 && strlen(issuer) < 16;
    }
    free(copy);
    check(terminated, "truncated and corrupted certificates give bounded, terminated text");
}

int main(int argc, char **argv)
{
    static uint8_t der[65536];
    char subject[ATV_X509_NAME_CAPACITY], issuer[ATV_X509_NAME_CAPACITY];
    if (argc != 4) {
        fprintf(stderr, "usage: test_x509 CERT.der SUBJECT ISSUER\n");
        return 2;
    }
    size_t length = read_file(argv[1], der, sizeof der);
    check(length > 0, "certificate file read");
    check(atv_x509_names(der, length, subject, issuer, sizeof subject), "certificate parsed");
    check(strcmp(subject, argv[2]) == 0, "subject as expected");
    check(strcmp(issuer, argv[3]) == 0, "issuer as expected");
    printf("subject: %s\nissuer:  %s\n", subject, issuer);

    char small_subject[8], small_issuer[8];
    atv_x509_names(der, length, small_subject, small_issuer, sizeof small_subject);
    check(strlen(small_subject) == 7 && strncmp(small_subject, argv[2], 7) == 0,
          "a small buffer gets the name cut, not overrun");
    check(!atv_x509_names((const uint8_t *)"\x30\x03\x02\x01\x00", 5, subject, issuer, 64),
          "not a certificate: false");
    check_hostile_inputs(der, length);
    printf("x509 checks: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
