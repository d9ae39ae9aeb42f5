#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char pw_buf_empty[1];

void pw_buf_init(struct pw_buf *b)
{
    b->buf = pw_buf_empty;
    b->len = 0;
    b->cap = 0;
}

void pw_buf_release(struct pw_buf *b)
{
    if (b->cap)
        free(b->buf);
    pw_buf_init(b);
}

char *pw_buf_detach(struct pw_buf *b, size_t *len)
{
    if (!b->cap)
        pw_buf_grow(b, 0);
    char *p = b->buf;
    if (len)
        *len = b->len;
    pw_buf_init(b);
    return p;
}

void pw_buf_grow(struct pw_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap * 2;
    if (!b->cap) {
        b->buf = pw_xmalloc(cap);
        b->buf[0] = '\0';
    } else {
        b->buf = pw_xrealloc(b->buf, cap);
    }
    b->cap = cap;
}

void pw_buf_reset(struct pw_buf *b)
{
    pw_buf_setlen(b, 0);
}

void pw_buf_setlen(struct pw_buf *b, size_t len)
{
    if (!b->cap) {
        if (len == 0)
            return;
        pw_buf_grow(b, len);
    }
    b->len = len;
    b->buf[len] = '\0';
}

void pw_buf_add(struct pw_buf *b, const void *data, size_t len)
{
    if (!len)
        return;
    pw_buf_grow(b, len);
    memcpy(b->buf + b->len, data, len);
    b->len += len;
    b->buf[b->len] = '\0';
}

void pw_buf_adds(struct pw_buf *b, const char *s)
{
    pw_buf_add(b, s, strlen(s));
}

void pw_buf_addc(struct pw_buf *b, char c)
{
    pw_buf_add(b, &c, 1);
}

void pw_buf_vaddf(struct pw_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n <= 0)
        return;
    pw_buf_grow(b, (size_t)n);
    vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void pw_buf_addf(struct pw_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pw_buf_vaddf(b, fmt, ap);
    va_end(ap);
}

void pw_buf_add_json_escaped(struct pw_buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': pw_buf_adds(b, "\\\""); break;
        case '\\': pw_buf_adds(b, "\\\\"); break;
        case '\n': pw_buf_adds(b, "\\n"); break;
        case '\r': pw_buf_adds(b, "\\r"); break;
        case '\t': pw_buf_adds(b, "\\t"); break;
        case '\b': pw_buf_adds(b, "\\b"); break;
        case '\f': pw_buf_adds(b, "\\f"); break;
        default:
            if (c < 0x20 || c == 0x7f)
                pw_buf_addf(b, "\\u%04x", c);
            else
                pw_buf_addc(b, (char)c);
        }
    }
}
