#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int status;
    const char *text;
} error_table[PW_E_COUNT] = {
    [PW_E_OK] = {"OK", 0, "success"},
#define PW_ERR_ROW(n, s, t) [PW_E_##n] = {#n, s, t},
    PW_ERROR_LIST(PW_ERR_ROW)
#undef PW_ERR_ROW
};

void pw_err_init(struct pw_err *err)
{
    err->code = 0;
    err->msg[0] = '\0';
}

static int err_vset(struct pw_err *err, int code, const char *fmt, va_list ap) PW_PRINTF(3, 0);
static int err_vset(struct pw_err *err, int code, const char *fmt, va_list ap)
{
    if (code <= 0 || code >= PW_E_COUNT)
        code = PW_E_FAIL;
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    }
    return -code;
}

int pw_err_set(struct pw_err *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = err_vset(err, code, fmt, ap);
    va_end(ap);
    return rc;
}

int pw_err_errno(struct pw_err *err, int code, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = err_vset(err, code, fmt, ap);
    va_end(ap);
    if (err) {
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
    }
    return rc;
}

int pw_err_prefix(struct pw_err *err, const char *fmt, ...)
{
    if (!err)
        return -PW_E_FAIL;
    if (!err->code)
        err->code = PW_E_FAIL;
    char old[PW_ERR_MSG_MAX];
    memcpy(old, err->msg, sizeof(old));
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof(err->msg)) {
        size_t room = sizeof(err->msg) - (size_t)n;
        size_t len = strnlen(old, room - 1);
        memcpy(err->msg + n, old, len);
        err->msg[(size_t)n + len] = '\0';
    }
    return -err->code;
}

const char *pw_err_name(int code)
{
    if (code < 0)
        code = -code;
    return code < PW_E_COUNT ? error_table[code].name : "UNKNOWN";
}

const char *pw_err_text(int code)
{
    if (code < 0)
        code = -code;
    return code < PW_E_COUNT ? error_table[code].text : "unknown error";
}

int pw_err_exit_status(int code)
{
    if (code < 0)
        code = -code;
    return code < PW_E_COUNT ? error_table[code].status : 1;
}

static void out_of_memory(size_t n)
{
    fprintf(stderr, "fatal: out of memory (allocating %zu bytes)\n", n);
    abort();
}

void *pw_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *pw_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *pw_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *pw_xstrdup(const char *s)
{
    return pw_xstrndup(s, strlen(s));
}

char *pw_xstrndup(const char *s, size_t n)
{
    char *p = pw_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
