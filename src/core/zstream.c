#include "zstream.h"

#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define OUT_CHUNK (256 * 1024)

static int emit(struct pw_zstream *z, size_t len, struct pw_err *err)
{
    return len ? z->sink(z->sink_data, z->out, len, err) : 0;
}

/* ---- gzip ------------------------------------------------------------------------------ */

/* zlib's gzip wrapper: no name, mtime 0, OS byte 3, like `gzip -n`. */
static int gz_init(struct pw_zstream *z, int level, struct pw_err *err)
{
    z_stream *s = pw_xcalloc(1, sizeof(*s));
    z->impl = s;
    if (deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return pw_err_set(err, PW_E_FAIL, "cannot start gzip level %d", level);
    return 0;
}

static int gz_run(struct pw_zstream *z, const void *buf, size_t len, int flush, struct pw_err *err)
{
    z_stream *s = z->impl;
    s->next_in = (Bytef *)buf;
    s->avail_in = (uInt)len;
    for (;;) {
        s->next_out = z->out;
        s->avail_out = (uInt)z->out_cap;
        int st = deflate(s, flush);
        if (st == Z_STREAM_ERROR)
            return pw_err_set(err, PW_E_FAIL, "gzip: %s", s->msg ? s->msg : "stream error");
        int rc = emit(z, z->out_cap - s->avail_out, err);
        if (rc < 0)
            return rc;
        if (flush == Z_FINISH ? st == Z_STREAM_END : s->avail_in == 0 && s->avail_out != 0)
            return 0;
    }
}

/* ---- xz -------------------------------------------------------------------------------- */

uint64_t pw_zstream_xz_block_size(int level)
{
    lzma_options_lzma opt;
    if (lzma_lzma_preset(&opt, (uint32_t)level))
        return 1u << 20;
    uint64_t b = 3 * (uint64_t)opt.dict_size;
    return b < (1u << 20) ? 1u << 20 : b;
}

static int xz_init(struct pw_zstream *z, int level, int threads, struct pw_err *err)
{
    lzma_stream *s = pw_xcalloc(1, sizeof(*s));
    *s = (lzma_stream)LZMA_STREAM_INIT;
    z->impl = s;
    lzma_mt mt;
    memset(&mt, 0, sizeof(mt));
    mt.threads = (uint32_t)threads;
    mt.block_size = pw_zstream_xz_block_size(level);
    mt.preset = (uint32_t)level;
    mt.check = LZMA_CHECK_CRC64;
    lzma_ret st = lzma_stream_encoder_mt(s, &mt);
    if (st != LZMA_OK)
        return pw_err_set(err, PW_E_FAIL, "cannot start xz level %d with %d threads (error %d)",
                          level, threads, (int)st);
    return 0;
}

static int xz_run(struct pw_zstream *z, const void *buf, size_t len, lzma_action act,
                  struct pw_err *err)
{
    lzma_stream *s = z->impl;
    s->next_in = buf;
    s->avail_in = len;
    for (;;) {
        s->next_out = z->out;
        s->avail_out = z->out_cap;
        lzma_ret st = lzma_code(s, act);
        if (st != LZMA_OK && st != LZMA_STREAM_END)
            return pw_err_set(err, PW_E_FAIL, "xz: compression failed (error %d)", (int)st);
        int rc = emit(z, z->out_cap - s->avail_out, err);
        if (rc < 0)
            return rc;
        if (act == LZMA_FINISH ? st == LZMA_STREAM_END : s->avail_in == 0)
            return 0;
    }
}

/* ---- zstd ------------------------------------------------------------------------------ */

static int zs_init(struct pw_zstream *z, int level, int threads, struct pw_err *err)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    z->impl = c;
    if (!c || ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, threads)))
        return pw_err_set(err, PW_E_FAIL,
                          "cannot start zstd level %d with %d workers (libzstd without "
                          "multi-threading?)",
                          level, threads);
    return 0;
}

static int zs_run(struct pw_zstream *z, const void *buf, size_t len, ZSTD_EndDirective end,
                  struct pw_err *err)
{
    ZSTD_inBuffer in = {buf, len, 0};
    for (;;) {
        ZSTD_outBuffer out = {z->out, z->out_cap, 0};
        size_t left = ZSTD_compressStream2(z->impl, &out, &in, end);
        if (ZSTD_isError(left))
            return pw_err_set(err, PW_E_FAIL, "zstd: %s", ZSTD_getErrorName(left));
        int rc = emit(z, out.pos, err);
        if (rc < 0)
            return rc;
        if (end == ZSTD_e_end ? left == 0 : in.pos == in.size)
            return 0;
    }
}

/* ---- the stream ------------------------------------------------------------------------ */

int pw_zstream_init(struct pw_zstream *z, const struct pw_compression *c, int threads,
                    pw_zstream_sink sink, void *sink_data, struct pw_err *err)
{
    memset(z, 0, sizeof(*z));
    z->method = c->method;
    z->sink = sink;
    z->sink_data = sink_data;
    if (threads < 1)
        threads = 1;
    int level = pw_compression_level(c);
    int rc = 0;
    switch (c->method) {
    case PW_COMPRESS_NONE:
        return 0;
    case PW_COMPRESS_GZIP:
        rc = gz_init(z, level, err);
        break;
    case PW_COMPRESS_XZ:
        rc = xz_init(z, level, threads, err);
        break;
    case PW_COMPRESS_ZSTD:
        rc = zs_init(z, level, threads, err);
        break;
    }
    z->out_cap = OUT_CHUNK;
    z->out = pw_xmalloc(z->out_cap);
    if (rc < 0)
        pw_zstream_release(z);
    return rc;
}

int pw_zstream_write(struct pw_zstream *z, const void *buf, size_t len, struct pw_err *err)
{
    z->bytes_in += len;
    switch (z->method) {
    case PW_COMPRESS_NONE:
        return len ? z->sink(z->sink_data, buf, len, err) : 0;
    case PW_COMPRESS_GZIP: {
        /* zlib counts in uInt: feed large buffers in pieces */
        const char *p = buf;
        while (len) {
            size_t n = len > (1u << 30) ? (1u << 30) : len;
            int rc = gz_run(z, p, n, Z_NO_FLUSH, err);
            if (rc < 0)
                return rc;
            p += n;
            len -= n;
        }
        return 0;
    }
    case PW_COMPRESS_XZ:
        return xz_run(z, buf, len, LZMA_RUN, err);
    case PW_COMPRESS_ZSTD:
        return zs_run(z, buf, len, ZSTD_e_continue, err);
    }
    return pw_err_set(err, PW_E_FAIL, "unknown compression method");
}

int pw_zstream_finish(struct pw_zstream *z, struct pw_err *err)
{
    int rc = 0;
    switch (z->method) {
    case PW_COMPRESS_NONE:
        break;
    case PW_COMPRESS_GZIP:
        rc = gz_run(z, NULL, 0, Z_FINISH, err);
        break;
    case PW_COMPRESS_XZ:
        rc = xz_run(z, NULL, 0, LZMA_FINISH, err);
        break;
    case PW_COMPRESS_ZSTD:
        rc = zs_run(z, NULL, 0, ZSTD_e_end, err);
        break;
    }
    pw_zstream_release(z);
    return rc;
}

void pw_zstream_release(struct pw_zstream *z)
{
    if (z->impl) {
        switch (z->method) {
        case PW_COMPRESS_GZIP:
            deflateEnd(z->impl);
            break;
        case PW_COMPRESS_XZ:
            lzma_end(z->impl);
            break;
        case PW_COMPRESS_ZSTD:
            ZSTD_freeCCtx(z->impl);
            z->impl = NULL;
            break;
        case PW_COMPRESS_NONE:
            break;
        }
        if (z->method != PW_COMPRESS_ZSTD)
            free(z->impl);
    }
    z->impl = NULL;
    free(z->out);
    z->out = NULL;
}
