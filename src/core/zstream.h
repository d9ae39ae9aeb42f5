/* Streaming compression (gzip through zlib, xz through liblzma, zstd through libzstd) with
 * output that depends only on the method and level, never on the thread count: xz always uses
 * liblzma's multi-threaded encoder with a pinned block size, and zstd always its worker mode
 * (nbWorkers >= 1), so one worker and many workers give the same bytes (package-formats.md
 * §E: single- and multi-threaded streams differ, so one mode is chosen and kept). */
#ifndef PW_CORE_ZSTREAM_H
#define PW_CORE_ZSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "compress.h"

/* Receives compressed bytes; returns 0 or a negative PW_E_* with err filled. */
typedef int (*pw_zstream_sink)(void *data, const void *buf, size_t len, struct pw_err *err);

struct pw_zstream {
    enum pw_compress_method method;
    void *impl; /* the library's stream */
    unsigned char *out;
    size_t out_cap;
    pw_zstream_sink sink;
    void *sink_data;
    uint64_t bytes_in;
};

/* threads: compressor workers (< 1 means 1); it changes speed and memory, never the bytes.
 * gzip is always single-threaded. PW_COMPRESS_NONE passes bytes through. */
int pw_zstream_init(struct pw_zstream *z, const struct pw_compression *c, int threads,
                    pw_zstream_sink sink, void *sink_data, struct pw_err *err);
int pw_zstream_write(struct pw_zstream *z, const void *buf, size_t len, struct pw_err *err);
/* Flushes everything to the sink; the stream is released on success or not. */
int pw_zstream_finish(struct pw_zstream *z, struct pw_err *err);
void pw_zstream_release(struct pw_zstream *z);
/* The xz block size used for a level: three times the preset's dictionary, at least 1 MiB
 * (what xz -T picks today, pinned here so a liblzma default change cannot change output). */
uint64_t pw_zstream_xz_block_size(int level);

#endif
