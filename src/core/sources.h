/* Upstream artifacts named by a manifest's `sources`: fetched (libcurl, in fetch.c) into the
 * content-addressed cache (cache.c), verified, extracted; contents refer to them as
 * "source:NAME/path". */
#ifndef PW_CORE_SOURCES_H
#define PW_CORE_SOURCES_H

#include "../base/buf.h"
#include "../base/err.h"
#include "ctx.h"
#include "manifest.h"

struct pw_resolved_source {
    char *name;
    char *file; /* the verified download in the cache */
    char *dir;  /* extracted members (archives), or NULL for a plain file */
};

struct pw_sources {
    struct pw_resolved_source *v;
    size_t n;
};

void pw_sources_init(struct pw_sources *s);
void pw_sources_release(struct pw_sources *s);
/* Fetches (or finds in the cache) and verifies every source of pkg. */
int pw_sources_fetch(const struct pw_package *pkg, const struct pw_ctx *ctx,
                     struct pw_sources *out, struct pw_err *err);
/* Maps "NAME/path" (after "source:") to a file on disk; NULL with err set when unknown. */
const char *pw_sources_path(const struct pw_sources *s, const char *ref, struct pw_buf *out,
                            struct pw_err *err);

#endif
