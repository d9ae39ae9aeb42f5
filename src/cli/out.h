/* The only place that prints diagnostics: "packwright: error: ...", honouring NO_COLOR. */
#ifndef PW_CLI_OUT_H
#define PW_CLI_OUT_H

#include "../base/err.h"

void pw_out_error(const char *fmt, ...) PW_PRINTF(1, 2);
void pw_out_warn(const char *fmt, ...) PW_PRINTF(1, 2);
void pw_out_note(const char *fmt, ...) PW_PRINTF(1, 2);
/* Prints err and returns its exit status. */
int pw_out_fail(const struct pw_err *err);
/* Hook for struct pw_ctx.warn. */
void pw_out_warn_hook(void *data, const char *msg);

#endif
