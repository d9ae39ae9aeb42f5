#include "repo_deb822.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

void pw_deb822_init(struct pw_deb822 *st)
{
    memset(st, 0, sizeof(*st));
}

static void clear_fields(struct pw_deb822 *st)
{
    for (size_t i = 0; i < st->n; i++) {
        free(st->fields[i].key);
        free(st->fields[i].value);
    }
    st->n = 0;
}

void pw_deb822_release(struct pw_deb822 *st)
{
    clear_fields(st);
    free(st->fields);
    pw_deb822_init(st);
}

static void push_field(struct pw_deb822 *st, char *key, char *value)
{
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 16;
        st->fields = pw_xrealloc(st->fields, st->cap * sizeof(*st->fields));
    }
    st->fields[st->n].key = key;
    st->fields[st->n].value = value;
    st->n++;
}

static size_t line_end(const char *text, size_t len, size_t pos)
{
    const char *nl = memchr(text + pos, '\n', len - pos);
    return nl ? (size_t)(nl - text) : len;
}

static int blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

static size_t line_number(const char *text, size_t pos)
{
    size_t line = 1;
    for (size_t i = 0; i < pos; i++)
        line += text[i] == '\n';
    return line;
}

int pw_deb822_next(const char *text, size_t len, size_t *pos, const char *what,
                   struct pw_deb822 *st, struct pw_err *err)
{
    clear_fields(st);
    size_t p = *pos;
    while (p < len) {
        size_t e = line_end(text, len, p);
        if (!blank_line(text + p, e - p))
            break;
        p = e < len ? e + 1 : len;
    }
    if (p >= len) {
        *pos = len;
        return 0;
    }
    struct pw_buf value = PW_BUF_INIT;
    char *key = NULL;
    while (p < len) {
        size_t e = line_end(text, len, p);
        size_t n = e - p;
        if (n && text[e - 1] == '\r')
            n--;
        if (blank_line(text + p, n))
            break;
        if (text[p] == ' ' || text[p] == '\t') {
            if (!key) {
                pw_buf_release(&value);
                return pw_err_set(err, PW_E_FORMAT, "%s:%zu: continuation line without a field",
                                  what, line_number(text, p));
            }
            pw_buf_addc(&value, '\n');
            pw_buf_add(&value, text + p, n);
        } else {
            const char *colon = memchr(text + p, ':', n);
            if (!colon || colon == text + p) {
                free(key);
                pw_buf_release(&value);
                return pw_err_set(err, PW_E_FORMAT, "%s:%zu: expected 'Field: value'", what,
                                  line_number(text, p));
            }
            if (key)
                push_field(st, key, pw_buf_detach(&value, NULL));
            key = pw_xstrndup(text + p, (size_t)(colon - (text + p)));
            const char *v = colon + 1;
            const char *ve = text + p + n;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            pw_buf_add(&value, v, (size_t)(ve - v));
        }
        p = e < len ? e + 1 : len;
    }
    if (key)
        push_field(st, key, pw_buf_detach(&value, NULL));
    pw_buf_release(&value);
    *pos = p;
    return 1;
}

static ssize_t find(const struct pw_deb822 *st, const char *key)
{
    for (size_t i = 0; i < st->n; i++)
        if (!strcasecmp(st->fields[i].key, key))
            return (ssize_t)i;
    return -1;
}

const char *pw_deb822_get(const struct pw_deb822 *st, const char *key)
{
    ssize_t i = find(st, key);
    return i < 0 ? NULL : st->fields[i].value;
}

void pw_deb822_set(struct pw_deb822 *st, const char *key, const char *value)
{
    ssize_t i = find(st, key);
    if (i >= 0) {
        free(st->fields[i].value);
        st->fields[i].value = pw_xstrdup(value);
        return;
    }
    push_field(st, pw_xstrdup(key), pw_xstrdup(value));
}

void pw_deb822_remove(struct pw_deb822 *st, const char *key)
{
    ssize_t i = find(st, key);
    if (i < 0)
        return;
    free(st->fields[i].key);
    free(st->fields[i].value);
    memmove(&st->fields[i], &st->fields[i + 1], (st->n - (size_t)i - 1) * sizeof(*st->fields));
    st->n--;
}

void pw_deb822_write_field(struct pw_buf *out, const char *key, const char *value)
{
    pw_buf_adds(out, key);
    pw_buf_addc(out, ':');
    if (value[0] && value[0] != '\n')
        pw_buf_addc(out, ' ');
    pw_buf_adds(out, value);
    pw_buf_addc(out, '\n');
}

void pw_deb822_write(const struct pw_deb822 *st, struct pw_buf *out)
{
    for (size_t i = 0; i < st->n; i++)
        pw_deb822_write_field(out, st->fields[i].key, st->fields[i].value);
}
