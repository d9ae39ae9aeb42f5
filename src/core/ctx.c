#include "ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void pw_ctx_init(struct pw_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->source_date_epoch = PW_DEFAULT_SOURCE_DATE_EPOCH;
    ctx->deb_compression.method = PW_COMPRESS_XZ;
    ctx->deb_compression.level = 6;
    ctx->rpm_compression.method = PW_COMPRESS_GZIP;
    ctx->rpm_compression.level = 9;
}

void pw_ctx_warn(const struct pw_ctx *ctx, const char *fmt, ...)
{
    if (!ctx->warn)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ctx->warn(ctx->warn_data, msg);
}
