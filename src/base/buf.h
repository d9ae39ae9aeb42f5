/* The one growable byte buffer (after git's strbuf): buf is never NULL and always
 * NUL-terminated; pw_buf_detach() is the only way to take the memory. */
#ifndef PW_BASE_BUF_H
#define PW_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

struct pw_buf {
    char *buf;
    size_t len;
    size_t cap; /* 0 while buf points at the shared empty string */
};

extern char pw_buf_empty[];
#define PW_BUF_INIT {pw_buf_empty, 0, 0}

void pw_buf_init(struct pw_buf *b);
void pw_buf_release(struct pw_buf *b);
char *pw_buf_detach(struct pw_buf *b, size_t *len);
void pw_buf_grow(struct pw_buf *b, size_t extra);
void pw_buf_reset(struct pw_buf *b);
void pw_buf_setlen(struct pw_buf *b, size_t len);
void pw_buf_add(struct pw_buf *b, const void *data, size_t len);
void pw_buf_adds(struct pw_buf *b, const char *s);
void pw_buf_addc(struct pw_buf *b, char c);
void pw_buf_addf(struct pw_buf *b, const char *fmt, ...) PW_PRINTF(2, 3);
void pw_buf_vaddf(struct pw_buf *b, const char *fmt, va_list ap) PW_PRINTF(2, 0);
/* Appends s with JSON string escaping, without the surrounding quotes. */
void pw_buf_add_json_escaped(struct pw_buf *b, const char *s, size_t len);

/* A borrowed slice, not NUL-terminated; print with "%.*s", PW_STR_ARG(s). */
struct pw_str {
    const char *ptr;
    size_t len;
};
#define PW_STR_ARG(s) (int)(s).len, (s).ptr

#endif
