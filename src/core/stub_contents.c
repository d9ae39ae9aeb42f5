/* Placeholder until contents.c lands (issue 2, deb work); delete with it. */
#include <string.h>
#include "contents.h"

void pw_contents_init(struct pw_contents *c) { memset(c, 0, sizeof(*c)); }
void pw_contents_release(struct pw_contents *c) { (void)c; }
int pw_contents_build(struct pw_contents *c, const struct pw_package *pkg,
                      const struct pw_sources *sources, const struct pw_ctx *ctx,
                      struct pw_err *err)
{
    (void)c; (void)pkg; (void)sources; (void)ctx;
    return pw_err_set(err, PW_E_UNSUPPORTED, "contents: not implemented");
}
