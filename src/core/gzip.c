#include "gzip.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

int pw_gzip_buffer(const void *data, size_t len, int level, struct pw_buf *out, struct pw_err *err)
{
    if (len > UINT_MAX / 2)
        return pw_err_set(err, PW_E_FAIL, "gzip: buffer too large");
    z_stream z;
    memset(&z, 0, sizeof(z));
    /* windowBits 15 + 16: a gzip wrapper whose header zlib writes with mtime 0, no name,
     * and the OS byte of the build platform (3, Unix). */
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return pw_err_set(err, PW_E_FAIL, "cannot initialise zlib");
    uLong bound = deflateBound(&z, (uLong)len);
    pw_buf_grow(out, bound);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out->buf + out->len;
    z.avail_out = (uInt)bound;
    int st = deflate(&z, Z_FINISH);
    size_t produced = bound - z.avail_out;
    deflateEnd(&z);
    if (st != Z_STREAM_END)
        return pw_err_set(err, PW_E_FAIL, "gzip compression failed");
    pw_buf_setlen(out, out->len + produced);
    return 0;
}
