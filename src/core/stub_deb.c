/* Placeholder until format_deb.c lands (issue 2); delete with it. */
#include "format.h"

static void no_name(const struct pw_package *pkg, struct pw_buf *out) { (void)pkg; pw_buf_adds(out, "x.deb"); }
static int no_write(const struct pw_package *pkg, const struct pw_contents *c, const struct pw_ctx *ctx, int fd, struct pw_err *err)
{ (void)pkg; (void)c; (void)ctx; (void)fd; return pw_err_set(err, PW_E_UNSUPPORTED, "deb writer not implemented"); }
const struct pw_format pw_format_deb = {"deb", no_name, NULL, no_write, NULL, NULL};
