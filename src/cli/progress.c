#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/fetch.h"

#define BAR_WIDTH 30

void pw_cli_progress_attach(struct pw_ctx *ctx)
{
    const char *term = getenv("TERM");
    if (!isatty(STDERR_FILENO) || (term && !strcmp(term, "dumb")))
        return;
    ctx->progress = pw_cli_progress_draw;
    ctx->progress_data = NULL;
}

static void human_size(uint64_t n, char *out, size_t len)
{
    if (n >= 1024 * 1024)
        snprintf(out, len, "%.1f MiB", (double)n / (1024.0 * 1024.0));
    else
        snprintf(out, len, "%.1f KiB", (double)n / 1024.0);
}

void pw_cli_progress_draw(void *data, const char *what, uint64_t done, uint64_t total)
{
    (void)data;
    if (total == PW_FETCH_PROGRESS_FAILED) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        return;
    }
    char have[32], all[32];
    human_size(done, have, sizeof(have));
    if (total) {
        unsigned pct = (unsigned)(done >= total ? 100 : done * 100 / total);
        char bar[BAR_WIDTH + 1];
        size_t filled = (size_t)pct * BAR_WIDTH / 100;
        memset(bar, '#', filled);
        memset(bar + filled, ' ', BAR_WIDTH - filled);
        bar[BAR_WIDTH] = '\0';
        human_size(total, all, sizeof(all));
        fprintf(stderr, "\r%-24.24s %3u%% [%s] %s / %s\033[K", what, pct, bar, have, all);
    } else {
        fprintf(stderr, "\r%-24.24s %s\033[K", what, have);
    }
    if (total && done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}
