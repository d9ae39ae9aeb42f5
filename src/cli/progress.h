/* Download progress bars on stderr, only when stderr is a terminal (pw_cli_ctx_init attaches
 * them). One line per download, redrawn in place, ended by a newline when it completes and
 * erased when it fails (the error message follows). */
#ifndef PW_CLI_PROGRESS_H
#define PW_CLI_PROGRESS_H

#include <stdint.h>

#include "../core/ctx.h"

/* Sets ctx->progress when stderr is a terminal (and TERM is not "dumb"). */
void pw_cli_progress_attach(struct pw_ctx *ctx);
/* The struct pw_ctx.progress hook; data is unused. */
void pw_cli_progress_draw(void *data, const char *what, uint64_t done, uint64_t total);

#endif
