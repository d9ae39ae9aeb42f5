/* Placeholder until contents.c, format_deb.c, format_rpm.c, sources.c land. */
#include <string.h>
#include "contents.h"
#include "format.h"
#include "sources.h"

void pw_contents_init(struct pw_contents *c) { memset(c, 0, sizeof(*c)); }
void pw_contents_release(struct pw_contents *c) { (void)c; }
int pw_contents_build(struct pw_contents *c, const struct pw_package *pkg,
                      const struct pw_sources *sources, const struct pw_ctx *ctx,
                      struct pw_err *err)
{ (void)c; (void)pkg; (void)sources; (void)ctx; return pw_err_set(err, PW_E_UNSUPPORTED, "contents: not implemented"); }
static void no_name(const struct pw_package *pkg, struct pw_buf *out) { (void)pkg; pw_buf_adds(out, "x"); }
static int no_write(const struct pw_package *pkg, const struct pw_contents *c, const struct pw_ctx *ctx, int fd, struct pw_err *err)
{ (void)pkg; (void)c; (void)ctx; (void)fd; return pw_err_set(err, PW_E_UNSUPPORTED, "writer not implemented"); }
const struct pw_format pw_format_deb = {"deb", no_name, NULL, no_write, NULL, NULL};
const struct pw_format pw_format_rpm = {"rpm", no_name, NULL, no_write, NULL, NULL};
void pw_sources_init(struct pw_sources *s) { memset(s, 0, sizeof(*s)); }
void pw_sources_release(struct pw_sources *s) { (void)s; }
