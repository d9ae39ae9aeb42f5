/* Whole-buffer compression for repository indices: gzip (zlib), xz (liblzma) and zstd, written
 * deterministically (no names, no timestamps in the gzip header, single-threaded), and a
 * decoder that recognises all three by their magic (for checking what clients will read). */
#ifndef PW_CORE_REPO_COMPRESS_H
#define PW_CORE_REPO_COMPRESS_H

#include <stddef.h>

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
/* ".gz", ".xz", ".zst" or "" */
const char *pw_repo_compress_suffix(enum pw_compress_method method);

#endif
