/* Placeholder until sources.c, fetch.c and cache.c land (issue 5); delete with them. */
#include <string.h>
#include "sources.h"

void pw_sources_init(struct pw_sources *s) { memset(s, 0, sizeof(*s)); }
void pw_sources_release(struct pw_sources *s) { (void)s; }
int pw_sources_fetch(const struct pw_package *pkg, const struct pw_ctx *ctx,
                     struct pw_sources *out, struct pw_err *err)
{
    (void)ctx; (void)out;
    if (!pkg->nsources)
        return 0;
    return pw_err_set(err, PW_E_UNSUPPORTED, "sources: fetching is not implemented yet");
}
const char *pw_sources_path(const struct pw_sources *s, const char *ref, struct pw_buf *out,
                            struct pw_err *err)
{
    (void)s; (void)out;
    pw_err_set(err, PW_E_UNSUPPORTED, "source:%s: sources are not implemented yet", ref);
    return NULL;
}
