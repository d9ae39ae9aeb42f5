/* Deterministic gzip of an in-memory buffer through zlib (the only zlib user): no file name,
 * mtime 0, so identical input gives identical bytes (changelog.Debian.gz and the like). */
#ifndef PW_CORE_GZIP_H
#define PW_CORE_GZIP_H

#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"

/* Appends the gzip member of data to out; level 1..9 (9 is what lintian expects). */
int pw_gzip_buffer(const void *data, size_t len, int level, struct pw_buf *out, struct pw_err *err);

#endif
