/* Everything a core operation needs to know about its invocation, passed explicitly
 * (no process-wide state). Owned by the command that runs the operation. */
#ifndef PW_CORE_CTX_H
#define PW_CORE_CTX_H

#include <stdint.h>

#include "compress.h"

struct pw_ctx {
    int64_t source_date_epoch; /* every invented timestamp; file mtimes are clamped to it */
    const char *cache_dir;     /* downloads cache; NULL: no caching allowed */
    int offline;               /* only the cache may be used */
    struct pw_compression deb_compression;
    struct pw_compression rpm_compression;
    int threads;               /* compressor threads; 0 = decide (at most 2) */
    const char *sign_key;      /* gpg key id for package signatures, or NULL */
    /* Warnings go through this hook; core never prints. data is passed back as is. */
    void (*warn)(void *data, const char *msg);
    void *warn_data;
    /* Progress of long operations (downloads); may be NULL. */
    void (*progress)(void *data, const char *what, uint64_t done, uint64_t total);
    void *progress_data;
};

void pw_ctx_init(struct pw_ctx *ctx);
void pw_ctx_warn(const struct pw_ctx *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Default SOURCE_DATE_EPOCH when neither --source-date-epoch nor the environment gives one:
 * 2024-01-01T00:00:00Z, so that two builds of the same inputs are identical without any
 * setting (documented in doc/manifest.md). */
#define PW_DEFAULT_SOURCE_DATE_EPOCH INT64_C(1704067200)

#endif
