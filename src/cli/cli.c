#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../base/buf.h"
#include "../core/vars.h"
#include "out.h"
#include "progress.h"

int pw_cli_parse(const struct pw_cmd_spec *spec, void *opts, int argc, char **argv,
                 struct pw_strvec *args)
{
    struct pw_err err;
    pw_err_init(&err);
    int rc = pw_opt_parse(spec, opts, argc, argv, args, &err);
    if (rc == PW_OPT_HELP) {
        struct pw_buf help = PW_BUF_INIT;
        pw_opt_help(spec, "packwright", &help);
        fputs(help.buf, stdout);
        pw_buf_release(&help);
        return 0;
    }
    if (rc < 0)
        return pw_out_fail(&err);
    return -1;
}

static int parse_epoch(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > 0xffffffffLL)
        return -1;
    *out = v;
    return 0;
}

int pw_cli_ctx_init(struct pw_ctx *ctx, const char *sde_option, const char *cache_option)
{
    pw_ctx_init(ctx);
    ctx->warn = pw_out_warn_hook;
    const char *sde = sde_option ? sde_option : getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde && parse_epoch(sde, &ctx->source_date_epoch) < 0) {
        pw_out_error("invalid SOURCE_DATE_EPOCH '%s': must be whole seconds since 1970", sde);
        return 2;
    }
    static char cache_default[4096];
    const char *cache = cache_option ? cache_option : getenv("PACKWRIGHT_CACHE");
    if (!cache || !*cache) {
        const char *xdg = getenv("XDG_CACHE_HOME");
        const char *home = getenv("HOME");
        if (xdg && *xdg)
            snprintf(cache_default, sizeof(cache_default), "%s/packwright", xdg);
        else
            snprintf(cache_default, sizeof(cache_default), "%s/.cache/packwright",
                     home && *home ? home : "/tmp");
        cache = cache_default;
    }
    ctx->cache_dir = cache;
    pw_cli_progress_attach(ctx);
    return -1;
}

int pw_cli_vars_collect(struct pw_vars *vars, const struct pw_strvec *files,
                        const struct pw_strvec *assignments)
{
    struct pw_err err;
    pw_err_init(&err);
    for (size_t i = 0; i < files->n; i++)
        if (pw_vars_load_file(vars, files->v[i], &err) < 0)
            return pw_out_fail(&err);
    for (size_t i = 0; i < assignments->n; i++)
        if (pw_vars_parse_assignment(vars, assignments->v[i], &err) < 0)
            return pw_out_fail(&err);
    return -1;
}

void pw_cli_print(const char *s, size_t len)
{
    fwrite(s, 1, len, stdout);
}

char *pw_cli_build_tree(void)
{
    char *exe = realpath("/proc/self/exe", NULL);
    char *slash = exe ? strrchr(exe, '/') : NULL;
    if (!slash) {
        free(exe);
        return NULL;
    }
    *slash = '\0';
    struct pw_buf cache = PW_BUF_INIT;
    pw_buf_addf(&cache, "%s/CMakeCache.txt", exe[0] ? exe : "/");
    struct stat st;
    int is_tree = exe[0] && stat(cache.buf, &st) == 0 && S_ISREG(st.st_mode);
    pw_buf_release(&cache);
    if (!is_tree) {
        free(exe);
        return NULL;
    }
    return exe;
}
