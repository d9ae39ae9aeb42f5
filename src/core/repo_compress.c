#include "repo_compress.h"

#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

/* xz preset 2: indices are small and rewritten on every publish; presets above 2 cost three
 * times the time for a few percent of size (benchmarked on 1,000-stanza Packages files). */
#define PW_REPO_XZ_PRESET 2

const char *pw_repo_compress_suffix(enum pw_compress_method method)
{
    switch (method) {
    case PW_COMPRESS_GZIP: return ".gz";
    case PW_COMPRESS_XZ: return ".xz";
    case PW_COMPRESS_ZSTD: return ".zst";
    case PW_COMPRESS_NONE: break;
    }
    return "";
}

static int gzip_encode(const void *data, size_t len, struct pw_buf *out, struct pw_err *err)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    /* windowBits 15 + 16: a gzip wrapper with mtime 0 and no file name */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return pw_err_set(err, PW_E_FAIL, "cannot start gzip compression");
    uLong bound = deflateBound(&z, (uLong)len);
    pw_buf_grow(out, bound);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out->buf + out->len;
    z.avail_out = (uInt)bound;
    int rc = deflate(&z, Z_FINISH);
    size_t produced = bound - z.avail_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END)
        return pw_err_set(err, PW_E_FAIL, "gzip compression failed");
    pw_buf_setlen(out, out->len + produced);
    return 0;
}

static int xz_encode(const void *data, size_t len, struct pw_buf *out, struct pw_err *err)
{
    size_t bound = lzma_stream_buffer_bound(len);
    pw_buf_grow(out, bound);
    size_t pos = 0;
    lzma_ret rc = lzma_easy_buffer_encode(PW_REPO_XZ_PRESET, LZMA_CHECK_CRC64, NULL, data, len,
                                          (uint8_t *)out->buf + out->len, &pos, bound);
    if (rc != LZMA_OK)
        return pw_err_set(err, PW_E_FAIL, "xz compression failed (liblzma error %d)", (int)rc);
    pw_buf_setlen(out, out->len + pos);
    return 0;
}

static int zstd_encode(const void *data, size_t len, struct pw_buf *out, struct pw_err *err)
{
    size_t bound = ZSTD_compressBound(len);
    pw_buf_grow(out, bound);
    size_t n = ZSTD_compress(out->buf + out->len, bound, data, len, 19);
    if (ZSTD_isError(n))
        return pw_err_set(err, PW_E_FAIL, "zstd compression failed: %s", ZSTD_getErrorName(n));
    pw_buf_setlen(out, out->len + n);
    return 0;
}

int pw_repo_compress(enum pw_compress_method method, const void *data, size_t len,
                     struct pw_buf *out, struct pw_err *err)
{
    switch (method) {
    case PW_COMPRESS_GZIP: return gzip_encode(data, len, out, err);
    case PW_COMPRESS_XZ: return xz_encode(data, len, out, err);
    case PW_COMPRESS_ZSTD: return zstd_encode(data, len, out, err);
    case PW_COMPRESS_NONE: break;
    }
    pw_buf_add(out, data, len);
    return 0;
}

static int gzip_decode(const void *data, size_t len, const char *what, struct pw_buf *out,
                       struct pw_err *err)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return pw_err_set(err, PW_E_FAIL, "cannot start gzip decompression");
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    int rc;
    do {
        pw_buf_grow(out, 65536);
        z.next_out = (Bytef *)out->buf + out->len;
        z.avail_out = (uInt)(out->cap - out->len - 1);
        size_t before = z.avail_out;
        rc = inflate(&z, Z_NO_FLUSH);
        pw_buf_setlen(out, out->len + (before - z.avail_out));
        /* concatenated gzip members are one stream for gzip(1) and for apt */
        if (rc == Z_STREAM_END && z.avail_in > 0)
            rc = inflateReset(&z) == Z_OK ? Z_OK : Z_DATA_ERROR;
    } while (rc == Z_OK);
    inflateEnd(&z);
    if (rc != Z_STREAM_END)
        return pw_err_set(err, PW_E_FORMAT, "'%s': corrupt gzip data", what);
    return 0;
}

static int xz_decode(const void *data, size_t len, const char *what, struct pw_buf *out,
                     struct pw_err *err)
{
    lzma_stream z = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&z, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
        return pw_err_set(err, PW_E_FAIL, "cannot start xz decompression");
    z.next_in = data;
    z.avail_in = len;
    lzma_ret rc;
    do {
        pw_buf_grow(out, 65536);
        z.next_out = (uint8_t *)out->buf + out->len;
        z.avail_out = out->cap - out->len - 1;
        size_t before = z.avail_out;
        rc = lzma_code(&z, LZMA_FINISH);
        pw_buf_setlen(out, out->len + (before - z.avail_out));
    } while (rc == LZMA_OK);
    lzma_end(&z);
    if (rc != LZMA_STREAM_END)
        return pw_err_set(err, PW_E_FORMAT, "'%s': corrupt xz data", what);
    return 0;
}

static int zstd_decode(const void *data, size_t len, const char *what, struct pw_buf *out,
                       struct pw_err *err)
{
    ZSTD_DStream *z = ZSTD_createDStream();
    if (!z)
        return pw_err_set(err, PW_E_FAIL, "cannot start zstd decompression");
    ZSTD_inBuffer in = {data, len, 0};
    size_t rc;
    for (;;) {
        pw_buf_grow(out, 65536);
        ZSTD_outBuffer o = {out->buf + out->len, out->cap - out->len - 1, 0};
        rc = ZSTD_decompressStream(z, &o, &in);
        if (ZSTD_isError(rc))
            break;
        pw_buf_setlen(out, out->len + o.pos);
        if (in.pos == in.size && (rc == 0 || o.pos < o.size))
            break; /* done, or truncated input (rc != 0) */
    }
    ZSTD_freeDStream(z);
    if (ZSTD_isError(rc) || rc != 0)
        return pw_err_set(err, PW_E_FORMAT, "'%s': corrupt zstd data", what);
    return 0;
}

int pw_repo_decompress(const void *data, size_t len, const char *what, struct pw_buf *out,
                       struct pw_err *err)
{
    const unsigned char *p = data;
    if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return gzip_decode(data, len, what, out, err);
    if (len >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
        return xz_decode(data, len, what, out, err);
    if (len >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
        return zstd_decode(data, len, what, out, err);
    pw_buf_add(out, data, len);
    return 0;
}

/* ---- chunks ----------------------------------------------------------------------------- */

static void xz_filters(lzma_options_lzma *opt, lzma_filter *f)
{
    lzma_lzma_preset(opt, PW_REPO_XZ_PRESET);
    f[0].id = LZMA_FILTER_LZMA2;
    f[0].options = opt;
    f[1].id = LZMA_VLI_UNKNOWN;
    f[1].options = NULL;
}

int pw_repo_xz_block(const void *data, size_t len, struct pw_buf *out, uint64_t *unpadded,
                     struct pw_err *err)
{
    lzma_options_lzma opt;
    lzma_filter filters[2];
    xz_filters(&opt, filters);
    /* a dictionary no larger than the chunk compresses it the same, and the encoder's match
     * finder, cleared for every block, shrinks with it (1 MiB costs ~0.5 ms per chunk) */
    uint32_t dict = LZMA_DICT_SIZE_MIN;
    while (dict < len && dict < opt.dict_size)
        dict *= 2;
    opt.dict_size = dict;
    lzma_block block;
    memset(&block, 0, sizeof(block));
    block.version = 0;
    block.check = LZMA_CHECK_CRC64;
    block.filters = filters;
    size_t bound = lzma_block_buffer_bound(len), pos = 0;
    pw_buf_grow(out, bound);
    lzma_ret rc = lzma_block_buffer_encode(&block, NULL, data, len, (uint8_t *)out->buf + out->len,
                                           &pos, bound);
    if (rc != LZMA_OK)
        return pw_err_set(err, PW_E_FAIL, "xz compression failed (liblzma error %d)", (int)rc);
    pw_buf_setlen(out, out->len + pos);
    *unpadded = lzma_block_unpadded_size(&block);
    return 0;
}

static void xz_flags(lzma_stream_flags *f, lzma_vli backward)
{
    memset(f, 0, sizeof(*f));
    f->version = 0;
    f->check = LZMA_CHECK_CRC64;
    f->backward_size = backward;
}

void pw_repo_xz_stream_head(struct pw_buf *out)
{
    lzma_stream_flags f;
    xz_flags(&f, LZMA_VLI_UNKNOWN);
    pw_buf_grow(out, LZMA_STREAM_HEADER_SIZE);
    lzma_ret rc = lzma_stream_header_encode(&f, (uint8_t *)out->buf + out->len);
    (void)rc; /* fails only for flags other than these */
    pw_buf_setlen(out, out->len + LZMA_STREAM_HEADER_SIZE);
}

int pw_repo_xz_stream_tail(const uint64_t *unpadded, const uint64_t *plen, size_t n,
                           struct pw_buf *out, struct pw_err *err)
{
    lzma_index *idx = lzma_index_init(NULL);
    lzma_ret rc = idx ? LZMA_OK : LZMA_MEM_ERROR;
    for (size_t i = 0; i < n && rc == LZMA_OK; i++)
        rc = lzma_index_append(idx, NULL, unpadded[i], plen[i]);
    if (rc == LZMA_OK) {
        size_t size = (size_t)lzma_index_size(idx), pos = 0;
        pw_buf_grow(out, size + LZMA_STREAM_HEADER_SIZE);
        rc = lzma_index_buffer_encode(idx, (uint8_t *)out->buf + out->len, &pos, size);
        pw_buf_setlen(out, out->len + pos);
    }
    if (rc == LZMA_OK) {
        lzma_stream_flags f;
        xz_flags(&f, lzma_index_size(idx));
        rc = lzma_stream_footer_encode(&f, (uint8_t *)out->buf + out->len);
        pw_buf_setlen(out, out->len + LZMA_STREAM_HEADER_SIZE);
    }
    lzma_index_end(idx, NULL);
    if (rc != LZMA_OK)
        return pw_err_set(err, PW_E_FAIL, "cannot write the xz index (liblzma error %d)", (int)rc);
    return 0;
}

static uint64_t le_bytes(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int xz_block_holds(const unsigned char *z, size_t zlen, const void *plain, size_t plen)
{
    lzma_filter filters[LZMA_FILTERS_MAX + 1];
    lzma_block block;
    memset(&block, 0, sizeof(block));
    block.version = 0;
    block.check = LZMA_CHECK_CRC64;
    block.filters = filters;
    block.header_size = lzma_block_header_size_decode(z[0]);
    if (zlen < block.header_size || lzma_block_header_decode(&block, NULL, z) != LZMA_OK)
        return 0;
    unsigned char *out = pw_xmalloc(plen + 1);
    size_t in_pos = block.header_size, out_pos = 0;
    lzma_ret rc = lzma_block_buffer_decode(&block, NULL, z, &in_pos, zlen, out, &out_pos, plen + 1);
    for (size_t i = 0; filters[i].id != LZMA_VLI_UNKNOWN; i++)
        free(filters[i].options);
    int ok = rc == LZMA_OK && in_pos == zlen && out_pos == plen && !memcmp(out, plain, plen);
    free(out);
    return ok;
}

int pw_repo_gzip_member_is(const void *z, size_t zlen, uint32_t crc32, uint64_t plen)
{
    const unsigned char *b = z;
    return zlen >= 18 && b[0] == 0x1f && b[1] == 0x8b && le_bytes(b + zlen - 8, 4) == crc32 &&
           le_bytes(b + zlen - 4, 4) == (plen & 0xffffffffu);
}

int pw_repo_xz_block_is(const void *z, size_t zlen, uint64_t crc64)
{
    return zlen >= 8 && le_bytes((const unsigned char *)z + zlen - 8, 8) == crc64;
}

uint32_t pw_repo_crc32(uint32_t crc, const void *data, size_t len)
{
    while (len) { /* zlib takes unsigned int lengths */
        uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
        crc = (uint32_t)crc32(crc, data, n);
        data = (const char *)data + n;
        len -= n;
    }
    return crc;
}

uint64_t pw_repo_crc64(uint64_t crc, const void *data, size_t len)
{
    return lzma_crc64(data, len, crc);
}

int pw_repo_chunk_holds(enum pw_compress_method m, const void *z, size_t zlen,
                        const void *plain, size_t plen)
{
    if (m == PW_COMPRESS_XZ)
        return xz_block_holds(z, zlen, plain, plen);
    struct pw_buf out = PW_BUF_INIT;
    struct pw_err ignored;
    int ok = pw_repo_decompress(z, zlen, "chunk", &out, &ignored) == 0 && out.len == plen &&
             !memcmp(out.buf, plain, plen);
    pw_buf_release(&out);
    return ok;
}
