/* rpm header structures through librpm: regions, type checks, signature tags, padding
 * (package-formats.md §0 pitfalls 5 and 6, §C.3-C.4). */
#include <stdint.h>
#include <string.h>

#include "core/rpm_header.h"
#include "tap.h"

static uint32_t be32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

static const unsigned char magic[8] = {0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0};

static void test_main_header(void)
{
    struct pw_err err;
    pw_err_init(&err);
    struct pw_rpm_header *h = pw_rpm_header_new();
    TAP_INT_EQ(pw_rpm_header_put_string(h, PW_RPMTAG_NAME, "demo", &err), 0, "put NAME");
    TAP_INT_EQ(pw_rpm_header_put_i18n(h, PW_RPMTAG_SUMMARY, "A demo", &err), 0, "put SUMMARY");
    uint16_t modes[2] = {0100644, 040755};
    TAP_INT_EQ(pw_rpm_header_put_u16(h, PW_RPMTAG_FILEMODES, modes, 2, &err), 0,
               "FILEMODES as INT16");

    /* Pitfall 5: a tag must carry its registered type, and arrays may not be empty. */
    uint32_t wrong[2] = {0100644, 040755};
    TAP_OK(pw_rpm_header_put_u32(h, PW_RPMTAG_FILEMODES, wrong, 2, &err) < 0,
           "FILEMODES as INT32 is refused");
    TAP_OK(strstr(err.msg, "1030") != NULL, "the error names the tag: %s", err.msg);
    const char *none[1] = {NULL};
    TAP_OK(pw_rpm_header_put_strings(h, PW_RPMTAG_BASENAMES, none, 0, &err) < 0,
           "an empty array is refused");
    TAP_OK(pw_rpm_header_put_u32(h, PW_RPMTAG_NAME, wrong, 1, &err) < 0,
           "NAME (1000) as INT32 is refused by the typed put");

    struct pw_buf a = PW_BUF_INIT, b = PW_BUF_INIT;
    TAP_INT_EQ(pw_rpm_header_export(h, PW_RPM_HEADER_MAIN, &a, &err), 0, "export");
    TAP_INT_EQ(pw_rpm_header_export(h, PW_RPM_HEADER_MAIN, &b, &err), 0, "export again");
    TAP_OK(a.len == b.len && !memcmp(a.buf, b.buf, a.len), "exports are identical");
    TAP_OK(a.len > 16 && !memcmp(a.buf, magic, 8), "starts with the header magic");
    uint32_t il = be32(a.buf + 8), dl = be32(a.buf + 12);
    TAP_INT_EQ(a.len, 16 + 16 * il + dl, "no padding after the main header");
    TAP_INT_EQ(be32(a.buf + 16), 63, "first index entry is the immutable region (63)");
    /* The region trailer (last 16 data bytes) holds tag 63 and -(il * 16). */
    const char *trailer = a.buf + 16 + 16 * il + be32(a.buf + 16 + 8);
    TAP_INT_EQ(be32(trailer), 63, "region trailer tag");
    TAP_INT_EQ((int32_t)be32(trailer + 8), -(int32_t)(il * 16), "region trailer offset");
    pw_buf_release(&a);
    pw_buf_release(&b);
    pw_rpm_header_free(h);
}

static void test_signature_header(void)
{
    struct pw_err err;
    pw_err_init(&err);
    struct pw_rpm_header *s = pw_rpm_header_new();
    unsigned char md5[16] = {1, 2, 3};
    /* Pitfall 6: SIZE, MD5 and PAYLOADSIZE share numbers with NAME, SUMMARY and BUILDHOST. */
    TAP_INT_EQ(pw_rpm_header_put_sig_u32(s, PW_RPMSIGTAG_SIZE, 1234, &err), 0, "SIZE (1000)");
    TAP_INT_EQ(pw_rpm_header_put_sig_bin(s, PW_RPMSIGTAG_MD5, md5, 16, &err), 0, "MD5 (1004)");
    TAP_INT_EQ(pw_rpm_header_put_sig_u32(s, PW_RPMSIGTAG_PAYLOADSIZE, 99, &err), 0,
               "PAYLOADSIZE (1007)");
    TAP_INT_EQ(pw_rpm_header_put_sig_string(s, PW_RPMSIGTAG_SHA1,
                                            "0123456789012345678901234567890123456789", &err),
               0, "SHA1 (269)");
    unsigned char one = 0;
    TAP_INT_EQ(pw_rpm_header_put_sig_bin(s, PW_RPMSIGTAG_RESERVEDSPACE, &one, 1, &err), 0,
               "RESERVEDSPACE of 1 byte");
    struct pw_buf a = PW_BUF_INIT;
    TAP_INT_EQ(pw_rpm_header_export(s, PW_RPM_HEADER_SIGNATURE, &a, &err), 0, "export signature");
    TAP_INT_EQ(a.len % 8, 0, "signature header padded to 8 (%zu bytes)", a.len);
    TAP_INT_EQ(be32(a.buf + 16), 62, "first index entry is the signature region (62)");
    uint32_t il = be32(a.buf + 8);
    int found = 0;
    for (uint32_t i = 0; i < il; i++) {
        const char *e = a.buf + 16 + 16 * i;
        if (be32(e) == PW_RPMSIGTAG_SIZE && be32(e + 4) == 4 /* INT32 */)
            found |= 1;
        if (be32(e) == PW_RPMSIGTAG_MD5 && be32(e + 4) == 7 /* BIN */ && be32(e + 12) == 16)
            found |= 2;
        if (be32(e) == PW_RPMSIGTAG_PAYLOADSIZE && be32(e + 4) == 4)
            found |= 4;
    }
    TAP_INT_EQ(found, 7, "SIZE, MD5 and PAYLOADSIZE keep their signature types");
    pw_buf_release(&a);
    pw_rpm_header_free(s);
}

int main(void)
{
    test_main_header();
    test_signature_header();
    return tap_done();
}
