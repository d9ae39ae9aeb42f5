#include "out.h"

#include <stdarg.h>
#include <stdio.h>

static void vprint(const char *level, const char *fmt, va_list ap) PW_PRINTF(2, 0);
static void vprint(const char *level, const char *fmt, va_list ap)
{
    fprintf(stderr, "packwright: %s: ", level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void pw_out_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint("error", fmt, ap);
    va_end(ap);
}

void pw_out_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint("warning", fmt, ap);
    va_end(ap);
}

void pw_out_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint("note", fmt, ap);
    va_end(ap);
}

int pw_out_fail(const struct pw_err *err)
{
    pw_out_error("%s", err->msg[0] ? err->msg : pw_err_text(err->code));
    return pw_err_exit_status(err->code ? err->code : PW_E_FAIL);
}

void pw_out_warn_hook(void *data, const char *msg)
{
    (void)data;
    pw_out_warn("%s", msg);
}
