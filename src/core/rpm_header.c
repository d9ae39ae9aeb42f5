#include "rpm_header.h"

#include <rpm/header.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>
#include <stdlib.h>
#include <string.h>

struct pw_rpm_header {
    Header h;
};

static const unsigned char header_magic[8] = {0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0};

struct pw_rpm_header *pw_rpm_header_new(void)
{
    struct pw_rpm_header *h = pw_xcalloc(1, sizeof(*h));
    h->h = headerNew();
    return h;
}

void pw_rpm_header_free(struct pw_rpm_header *h)
{
    if (!h)
        return;
    headerFree(h->h);
    free(h);
}

/* librpm's puts return 1 on success and 0 when the tag's registered type, the count or the
 * data do not fit; a silently missing tag would only show up when rpm reads the package. */
static int put_result(int ok, int tag, struct pw_err *err)
{
    if (ok)
        return 0;
    return pw_err_set(err, PW_E_FAIL, "rpm header: tag %d (%s) rejected by librpm", tag,
                      rpmTagGetName((rpmTagVal)tag));
}

static int check_count(size_t n, int tag, struct pw_err *err)
{
    if (n >= 1 && n <= UINT32_MAX / 16)
        return 0;
    return pw_err_set(err, PW_E_FAIL, "rpm header: tag %d (%s) with %zu elements", tag,
                      rpmTagGetName((rpmTagVal)tag), n);
}

int pw_rpm_header_put_string(struct pw_rpm_header *h, int tag, const char *s, struct pw_err *err)
{
    return put_result(headerPutString(h->h, (rpmTagVal)tag, s), tag, err);
}

int pw_rpm_header_put_i18n(struct pw_rpm_header *h, int tag, const char *s, struct pw_err *err)
{
    return put_result(headerAddI18NString(h->h, (rpmTagVal)tag, s, "C"), tag, err);
}

int pw_rpm_header_put_strings(struct pw_rpm_header *h, int tag, const char *const *v, size_t n,
                              struct pw_err *err)
{
    int rc = check_count(n, tag, err);
    if (rc < 0)
        return rc;
    return put_result(headerPutStringArray(h->h, (rpmTagVal)tag, (const char **)v, (rpm_count_t)n),
                      tag, err);
}

int pw_rpm_header_put_u16(struct pw_rpm_header *h, int tag, const uint16_t *v, size_t n,
                          struct pw_err *err)
{
    int rc = check_count(n, tag, err);
    if (rc < 0)
        return rc;
    return put_result(headerPutUint16(h->h, (rpmTagVal)tag, v, (rpm_count_t)n), tag, err);
}

int pw_rpm_header_put_u32(struct pw_rpm_header *h, int tag, const uint32_t *v, size_t n,
                          struct pw_err *err)
{
    int rc = check_count(n, tag, err);
    if (rc < 0)
        return rc;
    return put_result(headerPutUint32(h->h, (rpmTagVal)tag, v, (rpm_count_t)n), tag, err);
}

int pw_rpm_header_put_u64(struct pw_rpm_header *h, int tag, const uint64_t *v, size_t n,
                          struct pw_err *err)
{
    int rc = check_count(n, tag, err);
    if (rc < 0)
        return rc;
    return put_result(headerPutUint64(h->h, (rpmTagVal)tag, v, (rpm_count_t)n), tag, err);
}

/* The typed helpers refuse signature tags whose numbers belong to main-header tags of another
 * type (package-formats.md §0.6); headerPut with an explicit container does not look. */
static int put_sig(struct pw_rpm_header *h, int tag, rpmTagType type, const void *data,
                   size_t count, struct pw_err *err)
{
    struct rpmtd_s td;
    memset(&td, 0, sizeof(td));
    td.tag = (rpmTagVal)tag;
    td.type = type;
    td.count = (rpm_count_t)count;
    td.data = (void *)data;
    return put_result(headerPut(h->h, &td, HEADERPUT_DEFAULT), tag, err);
}

int pw_rpm_header_put_sig_string(struct pw_rpm_header *h, int tag, const char *s,
                                 struct pw_err *err)
{
    return put_sig(h, tag, RPM_STRING_TYPE, s, 1, err);
}

int pw_rpm_header_put_sig_bin(struct pw_rpm_header *h, int tag, const void *data, size_t len,
                              struct pw_err *err)
{
    int rc = check_count(len, tag, err);
    return rc < 0 ? rc : put_sig(h, tag, RPM_BIN_TYPE, data, len, err);
}

int pw_rpm_header_put_sig_u32(struct pw_rpm_header *h, int tag, uint32_t v, struct pw_err *err)
{
    return put_sig(h, tag, RPM_INT32_TYPE, &v, 1, err);
}

int pw_rpm_header_put_sig_u64(struct pw_rpm_header *h, int tag, uint64_t v, struct pw_err *err)
{
    return put_sig(h, tag, RPM_INT64_TYPE, &v, 1, err);
}

int pw_rpm_header_export(const struct pw_rpm_header *h, enum pw_rpm_header_kind kind,
                         struct pw_buf *out, struct pw_err *err)
{
    /* headerReload consumes its argument; it turns the legacy region of a fresh header into
     * the immutable region rpm expects (tag 63, or 62 for the signature header). */
    rpmTagVal region =
        kind == PW_RPM_HEADER_MAIN ? RPMTAG_HEADERIMMUTABLE : RPMTAG_HEADERSIGNATURES;
    Header copy = headerReload(headerCopy(h->h), region);
    if (!copy)
        return pw_err_set(err, PW_E_FAIL, "rpm header: cannot build the %s header region",
                          kind == PW_RPM_HEADER_MAIN ? "main" : "signature");
    unsigned int len = 0;
    void *blob = headerExport(copy, &len);
    headerFree(copy);
    if (!blob)
        return pw_err_set(err, PW_E_FAIL, "rpm header: cannot export the %s header",
                          kind == PW_RPM_HEADER_MAIN ? "main" : "signature");
    size_t start = out->len;
    pw_buf_add(out, header_magic, sizeof(header_magic));
    pw_buf_add(out, blob, len);
    free(blob);
    if (kind == PW_RPM_HEADER_SIGNATURE)
        while ((out->len - start) % 8)
            pw_buf_addc(out, '\0');
    return 0;
}
