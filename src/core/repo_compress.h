/* Whole-buffer compression for repository indices: gzip (zlib), xz (liblzma) and zstd, written
 * deterministically (no names, no timestamps in the gzip header, single-threaded), and a
 * decoder that recognises all three by their magic (for checking what clients will read). */
#ifndef PW_CORE_REPO_COMPRESS_H
#define PW_CORE_REPO_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "compress.h"

/* Appends data compressed with method (PW_COMPRESS_NONE copies). */
int pw_repo_compress(enum pw_compress_method method, const void *data, size_t len,
                     struct pw_buf *out, struct pw_err *err);
/* Appends the decompressed content of data; the format comes from its magic bytes, and data
 * without a known magic is copied as is. what names the input in messages. */
int pw_repo_decompress(const void *data, size_t len, const char *what, struct pw_buf *out,
                       struct pw_err *err);
/* Chunked indices (repo_chunk.c): a gzip member or zstd frame is what pw_repo_compress
 * writes; xz chunks are blocks of one stream, framed by the two functions below. */
/* One xz block (preset 2, CRC-64 check) of data; unpadded receives its Unpadded Size. */
int pw_repo_xz_block(const void *data, size_t len, struct pw_buf *out, uint64_t *unpadded,
                     struct pw_err *err);
void pw_repo_xz_stream_head(struct pw_buf *out);
/* The index and footer of a stream of n blocks (their Unpadded and uncompressed sizes). */
int pw_repo_xz_stream_tail(const uint64_t *unpadded, const uint64_t *plen, size_t n,
                           struct pw_buf *out, struct pw_err *err);
/* Whether z, one chunk compressed alone with m, decompresses to exactly plain. */
int pw_repo_chunk_holds(enum pw_compress_method m, const void *z, size_t zlen,
                        const void *plain, size_t plen);
/* The checks a chunk carries of its own text, for bytes that were checked in full when they
 * were written: a gzip member's trailer (CRC-32 and size), an xz block's CRC-64. */
int pw_repo_gzip_member_is(const void *z, size_t zlen, uint32_t crc32, uint64_t plen);
int pw_repo_xz_block_is(const void *z, size_t zlen, uint64_t crc64);
/* Running CRCs (start with 0). */
uint32_t pw_repo_crc32(uint32_t crc, const void *data, size_t len);
uint64_t pw_repo_crc64(uint64_t crc, const void *data, size_t len);
/* ".gz", ".xz", ".zst" or "" */
const char *pw_repo_compress_suffix(enum pw_compress_method method);

#endif
