/* The TOML 1.0 parser: one pass over the text, building the value tree and the spans of
 * every key/value line, header and comment. TOML's definition rules are checked as tables
 * are built (see enum pw_toml_origin). */
#include "toml.h"
#include "../base/hex.h"
#include "toml_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_RUN ((size_t)-1)
#define MAX_NESTING 200

struct parser {
    struct pw_toml_doc *doc;
    const char *s;
    size_t len, pos;
    struct pw_err *err;
    struct pw_toml_node *cur;     /* table the next key/value line goes into */
    struct pw_toml_section *sect; /* section being read */
    size_t comment_run;           /* start of the current run of comment-only lines */
    int nesting;
};

/* One part of a key as read: decoded name and source span. */
struct key_part {
    char *name;
    size_t len;
    size_t start, end;
};

struct key {
    struct key_part *parts;
    size_t n, cap;
};

static int fail(struct parser *p, size_t off, const char *fmt, ...) PW_PRINTF(3, 4);

static int fail(struct parser *p, size_t off, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t line, col;
    pw_toml_position(p->s, p->len, off, &line, &col);
    return pw_err_set(p->err, PW_E_TOML, "%s:%zu:%zu: %s", p->doc->name, line, col, msg);
}

static void key_release(struct key *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->parts[i].name);
    free(k->parts);
    k->parts = NULL;
    k->n = k->cap = 0;
}

static int peek(const struct parser *p, size_t ahead)
{
    size_t i = p->pos + ahead;
    return i < p->len ? (unsigned char)p->s[i] : -1;
}

static void skip_ws(struct parser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
        p->pos++;
}

static int at_newline(const struct parser *p)
{
    int c = peek(p, 0);
    return c == '\n' || (c == '\r' && peek(p, 1) == '\n');
}

static int at_line_end(const struct parser *p)
{
    return p->pos >= p->len || at_newline(p) || p->s[p->pos] == '\r';
}

/* Consumes a newline (LF or CRLF) or accepts the end of the text. */
static int eat_newline(struct parser *p)
{
    if (p->pos >= p->len)
        return 0;
    if (p->s[p->pos] == '\n') {
        p->pos++;
        return 0;
    }
    if (p->s[p->pos] == '\r' && peek(p, 1) == '\n') {
        p->pos += 2;
        return 0;
    }
    if (p->s[p->pos] == '\r')
        return fail(p, p->pos, "carriage return not followed by a newline");
    return fail(p, p->pos, "expected the end of the line");
}

static int is_control(int c)
{
    return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

static int parse_comment(struct parser *p)
{
    size_t start = p->pos;
    while (p->pos < p->len && p->s[p->pos] != '\n') {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '\r' && peek(p, 1) == '\n')
            break;
        if (is_control(c))
            return fail(p, p->pos, "control character 0x%02x in a comment", c);
        p->pos++;
    }
    struct pw_toml_doc *d = p->doc;
    if (d->n_comments == d->cap_comments) {
        d->cap_comments = d->cap_comments ? 2 * d->cap_comments : 16;
        d->comments = pw_xrealloc(d->comments, d->cap_comments * sizeof(*d->comments));
    }
    d->comments[d->n_comments].start = start;
    d->comments[d->n_comments].end = p->pos;
    d->n_comments++;
    return 0;
}

/* After a header or key/value: optional whitespace and comment, then the line's end. */
static int finish_line(struct parser *p)
{
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '#') {
        int rc = parse_comment(p);
        if (rc)
            return rc;
    }
    if (p->pos < p->len && !at_newline(p)) {
        if (p->s[p->pos] == '\r')
            return fail(p, p->pos, "carriage return not followed by a newline");
        return fail(p, p->pos, "expected a newline or a comment, found '%c'", p->s[p->pos]);
    }
    return eat_newline(p);
}

/* ---- strings ---- */


static void add_utf8(struct pw_buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        pw_buf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        pw_buf_addc(b, (char)(0xc0 | (cp >> 6)));
        pw_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        pw_buf_addc(b, (char)(0xe0 | (cp >> 12)));
        pw_buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        pw_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        pw_buf_addc(b, (char)(0xf0 | (cp >> 18)));
        pw_buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
        pw_buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        pw_buf_addc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

/* At a backslash inside a basic string: decodes one escape into out. */
static int parse_escape(struct parser *p, struct pw_buf *out)
{
    size_t at = p->pos;
    int c = peek(p, 1);
    p->pos += 2;
    switch (c) {
    case 'b':
        pw_buf_addc(out, '\b');
        return 0;
    case 't':
        pw_buf_addc(out, '\t');
        return 0;
    case 'n':
        pw_buf_addc(out, '\n');
        return 0;
    case 'f':
        pw_buf_addc(out, '\f');
        return 0;
    case 'r':
        pw_buf_addc(out, '\r');
        return 0;
    case '"':
        pw_buf_addc(out, '"');
        return 0;
    case '\\':
        pw_buf_addc(out, '\\');
        return 0;
    case 'u':
    case 'U': {
        int digits = c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (int i = 0; i < digits; i++) {
            int h = pw_hex_digit(peek(p, 0));
            if (h < 0)
                return fail(p, at, "escape '\\%c' needs %d hexadecimal digits", c, digits);
            cp = cp * 16 + (uint32_t)h;
            p->pos++;
        }
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return fail(p, at, "escape '\\%c' is not a Unicode scalar value", c);
        add_utf8(out, cp);
        return 0;
    }
    default:
        if (c < 0x20 || c >= 0x7f)
            return fail(p, at, "invalid escape sequence");
        return fail(p, at, "invalid escape sequence '\\%c'", c);
    }
}

static int parse_basic_string(struct parser *p, struct pw_buf *out)
{
    size_t open = p->pos++;
    for (;;) {
        int c = peek(p, 0);
        if (c < 0 || c == '\n' || c == '\r')
            return fail(p, open, "unterminated string");
        if (c == '"') {
            p->pos++;
            return 0;
        }
        if (c == '\\') {
            int rc = parse_escape(p, out);
            if (rc)
                return rc;
            continue;
        }
        if (is_control(c))
            return fail(p, p->pos, "control character 0x%02x in a string", c);
        pw_buf_addc(out, (char)c);
        p->pos++;
    }
}

static int parse_literal_string(struct parser *p, struct pw_buf *out)
{
    size_t open = p->pos++;
    for (;;) {
        int c = peek(p, 0);
        if (c < 0 || c == '\n' || c == '\r')
            return fail(p, open, "unterminated string");
        if (c == '\'') {
            p->pos++;
            return 0;
        }
        if (is_control(c))
            return fail(p, p->pos, "control character 0x%02x in a string", c);
        pw_buf_addc(out, (char)c);
        p->pos++;
    }
}

/* Multi-line strings: a newline right after the opening quotes is dropped; up to two quotes
 * may precede the closing three. */
static int ml_closing(struct parser *p, char q, struct pw_buf *out, int *done)
{
    size_t run = 0;
    while (peek(p, run) == q)
        run++;
    if (run < 3) {
        pw_buf_add(out, p->s + p->pos, run);
        p->pos += run;
        return 0;
    }
    if (run > 5)
        return fail(p, p->pos, "too many quotes at the end of a multi-line string");
    pw_buf_add(out, p->s + p->pos, run - 3);
    p->pos += run;
    *done = 1;
    return 0;
}

/* A backslash at the end of a line in a multi-line basic string eats the line break and
 * all whitespace and newlines after it. Returns 1 when it was one. */
static int ml_line_continuation(struct parser *p)
{
    size_t i = p->pos + 1;
    while (i < p->len && (p->s[i] == ' ' || p->s[i] == '\t'))
        i++;
    if (i < p->len &&
        !(p->s[i] == '\n' || (p->s[i] == '\r' && i + 1 < p->len && p->s[i + 1] == '\n')))
        return 0;
    if (i >= p->len)
        return 0;
    p->pos = i;
    for (;;) {
        int c = peek(p, 0);
        if (c == ' ' || c == '\t' || c == '\n')
            p->pos++;
        else if (c == '\r' && peek(p, 1) == '\n')
            p->pos += 2;
        else
            return 1;
    }
}

static int parse_ml_string(struct parser *p, char q, struct pw_buf *out)
{
    size_t open = p->pos;
    p->pos += 3;
    if (at_newline(p))
        p->pos += p->s[p->pos] == '\r' ? 2 : 1;
    for (;;) {
        int c = peek(p, 0), rc = 0, done = 0;
        if (c < 0)
            return fail(p, open, "unterminated multi-line string");
        if (c == q) {
            rc = ml_closing(p, q, out, &done);
            if (rc || done)
                return rc;
            continue;
        }
        if (c == '\\' && q == '"') {
            if (ml_line_continuation(p))
                continue;
            rc = parse_escape(p, out);
            if (rc)
                return rc;
            continue;
        }
        if (c == '\r' && peek(p, 1) == '\n') {
            pw_buf_add(out, "\r\n", 2);
            p->pos += 2;
            continue;
        }
        if (c != '\n' && is_control(c))
            return fail(p, p->pos, "control character 0x%02x in a string", c);
        pw_buf_addc(out, (char)c);
        p->pos++;
    }
}

/* Reads any of the four string forms into out. */
static int parse_string(struct parser *p, struct pw_buf *out)
{
    char q = p->s[p->pos];
    if (peek(p, 1) == q && peek(p, 2) == q)
        return parse_ml_string(p, q, out);
    return q == '"' ? parse_basic_string(p, out) : parse_literal_string(p, out);
}

/* ---- keys ---- */

static int is_bare(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static int parse_key_part(struct parser *p, struct key *k)
{
    struct pw_buf name = PW_BUF_INIT;
    size_t start = p->pos;
    int c = peek(p, 0);
    if (c == '"' || c == '\'') {
        if (peek(p, 1) == c && peek(p, 2) == c)
            return fail(p, start, "a key cannot be a multi-line string");
        int rc = c == '"' ? parse_basic_string(p, &name) : parse_literal_string(p, &name);
        if (rc) {
            pw_buf_release(&name);
            return rc;
        }
    } else {
        while (is_bare(peek(p, 0)))
            p->pos++;
        if (p->pos == start) {
            if (c < 0 || c == '\n' || c == '\r')
                return fail(p, start, "expected a key");
            return fail(p, start, "invalid character '%c' in a key", c);
        }
        pw_buf_add(&name, p->s + start, p->pos - start);
    }
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 4;
        k->parts = pw_xrealloc(k->parts, k->cap * sizeof(*k->parts));
    }
    struct key_part *kp = &k->parts[k->n++];
    kp->len = name.len;
    kp->name = pw_buf_detach(&name, NULL);
    kp->start = start;
    kp->end = p->pos;
    return 0;
}

/* A dotted key: parts separated by dots with optional whitespace around them. */
static int parse_key(struct parser *p, struct key *k)
{
    for (;;) {
        int rc = parse_key_part(p, k);
        if (rc)
            return rc;
        size_t save = p->pos;
        skip_ws(p);
        if (peek(p, 0) != '.') {
            p->pos = save;
            return 0;
        }
        p->pos++;
        skip_ws(p);
    }
}

/* "a.b.c" as text, for messages. */
static void key_text(const struct key *k, size_t upto, struct pw_buf *out)
{
    for (size_t i = 0; i < upto; i++) {
        if (i)
            pw_buf_addc(out, '.');
        pw_toml_key_format(k->parts[i].name, k->parts[i].len, '"', out);
    }
}

/* ---- scalars ---- */

static int digits_ok(const char *t, size_t n, int (*isdig)(int))
{
    /* one or more digits; underscores only between digits */
    if (n == 0 || !isdig((unsigned char)t[0]) || !isdig((unsigned char)t[n - 1]))
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (t[i] == '_') {
            if (!isdig((unsigned char)t[i + 1]))
                return 0;
        } else if (!isdig((unsigned char)t[i])) {
            return 0;
        }
    }
    return 1;
}

static int is_dec(int c)
{
    return c >= '0' && c <= '9';
}
static int is_hex(int c)
{
    return pw_hex_digit(c) >= 0;
}
static int is_oct(int c)
{
    return c >= '0' && c <= '7';
}
static int is_bin(int c)
{
    return c == '0' || c == '1';
}

static int parse_radix_int(const char *t, size_t n, int64_t *out)
{
    int base = t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2;
    int (*isdig)(int) = base == 16 ? is_hex : base == 8 ? is_oct : is_bin;
    if (!digits_ok(t + 2, n - 2, isdig))
        return -1;
    uint64_t v = 0;
    for (size_t i = 2; i < n; i++) {
        if (t[i] == '_')
            continue;
        uint64_t d = (uint64_t)pw_hex_digit((unsigned char)t[i]);
        if (v > ((uint64_t)INT64_MAX - d) / (uint64_t)base)
            return -2;
        v = v * (uint64_t)base + d;
    }
    *out = (int64_t)v;
    return 0;
}

/* Length of a decimal integer part with underscores ("1_000"), 0 when malformed. */
static size_t dec_part(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n && (is_dec((unsigned char)t[i]) || t[i] == '_'))
        i++;
    return digits_ok(t, i, is_dec) ? i : 0;
}

static int parse_dec_int(const char *t, size_t n, int64_t *out)
{
    size_t i = (t[0] == '+' || t[0] == '-') ? 1 : 0;
    int neg = t[0] == '-';
    if (n - i > 1 && t[i] == '0')
        return -1;
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (t[i] == '_')
            continue;
        uint64_t d = (uint64_t)(t[i] - '0');
        if (v > (limit - d) / 10)
            return -2;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* Numbers: decimal, hexadecimal, octal and binary integers; floats; inf and nan. */
static int parse_number(struct parser *p, size_t at, const char *t, size_t n,
                        struct pw_toml_node *v)
{
    size_t i = (t[0] == '+' || t[0] == '-') ? 1 : 0;
    if (n - i == 3 && (!memcmp(t + i, "inf", 3) || !memcmp(t + i, "nan", 3))) {
        v->type = PW_TOML_FLOAT;
        v->f = t[i] == 'i' ? INFINITY : NAN;
        if (t[0] == '-')
            v->f = -v->f;
        return 0;
    }
    if (n > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b')) {
        v->type = PW_TOML_INTEGER;
        int rc = parse_radix_int(t, n, &v->i);
        if (rc == -2)
            return fail(p, at, "integer '%.*s' is out of range", (int)n, t);
        return rc ? fail(p, at, "invalid integer '%.*s'", (int)n, t) : 0;
    }
    size_t ip = dec_part(t + i, n - i);
    if (!ip)
        return fail(p, at, "invalid value '%.*s'", (int)n, t);
    if (ip > 1 && t[i] == '0')
        return fail(p, at, "leading zeros are not allowed in '%.*s'", (int)n, t);
    size_t j = i + ip;
    if (j == n) {
        v->type = PW_TOML_INTEGER;
        int rc = parse_dec_int(t, n, &v->i);
        if (rc == -2)
            return fail(p, at, "integer '%.*s' is out of range", (int)n, t);
        return rc ? fail(p, at, "invalid integer '%.*s'", (int)n, t) : 0;
    }
    if (t[j] == '.') {
        size_t fp = dec_part(t + j + 1, n - j - 1);
        if (!fp)
            return fail(p, at, "invalid float '%.*s'", (int)n, t);
        j += 1 + fp;
    }
    if (j < n && (t[j] == 'e' || t[j] == 'E')) {
        j++;
        if (j < n && (t[j] == '+' || t[j] == '-'))
            j++;
        size_t ep = dec_part(t + j, n - j);
        if (!ep)
            return fail(p, at, "invalid float '%.*s'", (int)n, t);
        j += ep;
    }
    if (j != n)
        return fail(p, at, "invalid value '%.*s'", (int)n, t);
    char buf[128];
    size_t k = 0;
    for (size_t x = 0; x < n && k < sizeof(buf) - 1; x++)
        if (t[x] != '_')
            buf[k++] = t[x];
    buf[k] = '\0';
    v->type = PW_TOML_FLOAT;
    v->f = strtod(buf, NULL);
    return 0;
}

static int two_digits(const char *t, int *out)
{
    if (!is_dec((unsigned char)t[0]) || !is_dec((unsigned char)t[1]))
        return 0;
    *out = (t[0] - '0') * 10 + (t[1] - '0');
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static int looks_like_date(const char *t, size_t n)
{
    return n >= 10 && is_dec((unsigned char)t[0]) && is_dec((unsigned char)t[1]) &&
           is_dec((unsigned char)t[2]) && is_dec((unsigned char)t[3]) && t[4] == '-';
}

static int looks_like_time(const char *t, size_t n)
{
    return n >= 3 && is_dec((unsigned char)t[0]) && is_dec((unsigned char)t[1]) && t[2] == ':';
}

static int scan_date(const char *t, size_t n)
{
    int c1, c2, mo, d;
    if (n < 10 || !two_digits(t, &c1) || !two_digits(t + 2, &c2) || t[4] != '-' ||
        !two_digits(t + 5, &mo) || t[7] != '-' || !two_digits(t + 8, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(c1 * 100 + c2, mo))
        return -2;
    return 10;
}

/* HH:MM:SS[.frac]; returns the length read, -1 malformed, -2 out of range. */
static int scan_time(const char *t, size_t n)
{
    int h, m, s;
    if (n < 8 || !two_digits(t, &h) || t[2] != ':' || !two_digits(t + 3, &m) || t[5] != ':' ||
        !two_digits(t + 6, &s))
        return -1;
    if (h > 23 || m > 59 || s > 60)
        return -2;
    size_t i = 8;
    if (i < n && t[i] == '.') {
        i++;
        size_t start = i;
        while (i < n && is_dec((unsigned char)t[i]))
            i++;
        if (i == start)
            return -1;
    }
    return (int)i;
}

static int scan_offset(const char *t, size_t n)
{
    if (n >= 1 && (t[0] == 'Z' || t[0] == 'z'))
        return 1;
    int h, m;
    if (n < 6 || (t[0] != '+' && t[0] != '-') || !two_digits(t + 1, &h) || t[3] != ':' ||
        !two_digits(t + 4, &m))
        return -1;
    return h > 23 || m > 59 ? -2 : 6;
}

static int parse_datetime(struct parser *p, size_t at, const char *t, size_t n,
                          struct pw_toml_node *v)
{
    int r;
    size_t i = 0;
    if (looks_like_time(t, n)) {
        r = scan_time(t, n);
        v->type = PW_TOML_TIME_LOCAL;
    } else {
        r = scan_date(t, n);
        v->type = PW_TOML_DATE_LOCAL;
        if (r > 0 && (size_t)r < n) {
            i = (size_t)r + 1;
            if (t[r] != 'T' && t[r] != 't' && t[r] != ' ')
                return fail(p, at, "invalid date-time '%.*s'", (int)n, t);
            r = scan_time(t + i, n - i);
            v->type = PW_TOML_DATETIME_LOCAL;
            if (r > 0 && i + (size_t)r < n) {
                i += (size_t)r;
                r = scan_offset(t + i, n - i);
                v->type = PW_TOML_DATETIME;
            }
        }
    }
    if (r == -2)
        return fail(p, at, "date-time '%.*s' is out of range", (int)n, t);
    if (r < 0 || i + (size_t)r != n)
        return fail(p, at, "invalid date-time '%.*s'", (int)n, t);
    return 0;
}

static int is_token_char(int c)
{
    return is_bare(c) || c == '+' || c == '.' || c == ':';
}

/* Numbers, booleans and date-times: read a token, then classify it. */
static int parse_scalar(struct parser *p, struct pw_toml_node *v)
{
    size_t start = p->pos;
    while (is_token_char(peek(p, 0)))
        p->pos++;
    /* "1979-05-27 07:32:00": a space may separate a date from a time */
    if (p->pos - start == 10 && looks_like_date(p->s + start, 10) && peek(p, 0) == ' ' &&
        is_dec(peek(p, 1)) && is_dec(peek(p, 2)) && peek(p, 3) == ':') {
        p->pos++;
        while (is_token_char(peek(p, 0)))
            p->pos++;
    }
    const char *t = p->s + start;
    size_t n = p->pos - start;
    if (n == 0) {
        int c = peek(p, 0);
        if (c < 0 || c == '\n' || c == '\r')
            return fail(p, start, "expected a value");
        return fail(p, start, "expected a value, found '%c'", c);
    }
    if ((n == 4 && !memcmp(t, "true", 4)) || (n == 5 && !memcmp(t, "false", 5))) {
        v->type = PW_TOML_BOOL;
        v->i = n == 4;
        return 0;
    }
    if (looks_like_date(t, n) || looks_like_time(t, n))
        return parse_datetime(p, start, t, n, v);
    if (!is_dec((unsigned char)t[0]) && t[0] != '+' && t[0] != '-' && t[0] != 'i' && t[0] != 'n')
        return fail(p, start, "invalid value '%.*s'", (int)n, t);
    return parse_number(p, start, t, n, v);
}

/* ---- tree building ---- */

static int parse_value(struct parser *p, struct pw_toml_node *parent, struct pw_toml_node **out);

static void close_literal(struct pw_toml_node *t)
{
    t->closed = 1;
    for (size_t i = 0; i < t->n; i++)
        if (t->entries[i].val->type == PW_TOML_TABLE)
            close_literal(t->entries[i].val);
}

static struct pw_toml_kv *new_kv(struct parser *p)
{
    struct pw_toml_doc *d = p->doc;
    if (d->n_kvs == d->cap_kvs) {
        d->cap_kvs = d->cap_kvs ? 2 * d->cap_kvs : 32;
        d->kvs = pw_xrealloc(d->kvs, d->cap_kvs * sizeof(*d->kvs));
    }
    struct pw_toml_kv *kv = pw_xcalloc(1, sizeof(*kv));
    d->kvs[d->n_kvs++] = kv;
    return kv;
}

static struct pw_str part_raw(const struct parser *p, const struct key_part *kp)
{
    struct pw_str s = {p->s + kp->start, kp->end - kp->start};
    return s;
}

/* Places value at key (relative to table t): intermediate parts become dotted tables. */
static int install_kv(struct parser *p, struct pw_toml_node *t, const struct key *k,
                      struct pw_toml_node *value, struct pw_toml_kv *kv)
{
    for (size_t i = 0; i + 1 < k->n; i++) {
        const struct key_part *kp = &k->parts[i];
        struct pw_toml_entry *e = pw_toml_table_find(t, kp->name, kp->len);
        if (!e) {
            struct pw_toml_node *child = pw_toml_node_new(p->doc, PW_TOML_TABLE, t);
            child->origin = PW_TOML_DOTTED;
            child->section = kv->section;
            child->literal = kv->literal;
            pw_toml_table_add(t, kp->name, kp->len, part_raw(p, kp), child, NULL);
            t = child;
        } else if (e->val->type != PW_TOML_TABLE || e->val->closed ||
                   (e->val->origin != PW_TOML_DOTTED && e->val->origin != PW_TOML_IMPLICIT)) {
            struct pw_buf b = PW_BUF_INIT;
            key_text(k, i + 1, &b);
            int rc = e->val->type != PW_TOML_TABLE
                         ? fail(p, kp->start, "key '%s' is already defined as a %s", b.buf,
                                pw_toml_type_name(e->val->type))
                     : e->val->closed
                         ? fail(p, kp->start, "inline table '%s' cannot be extended", b.buf)
                         : fail(p, kp->start, "table '%s' is already defined", b.buf);
            pw_buf_release(&b);
            return rc;
        } else {
            /* a table only implied by a [header] below it may still be defined by dotted
             * keys; from then on it counts as defined */
            t = e->val;
            if (t->origin == PW_TOML_IMPLICIT) {
                t->origin = PW_TOML_DOTTED;
                t->section = kv->section;
            }
        }
        t->last_kv = kv;
    }
    const struct key_part *last = &k->parts[k->n - 1];
    if (pw_toml_table_find(t, last->name, last->len)) {
        struct pw_buf b = PW_BUF_INIT;
        key_text(k, k->n, &b);
        int rc = fail(p, last->start, "key '%s' is already defined", b.buf);
        pw_buf_release(&b);
        return rc;
    }
    value->parent = t;
    kv->value = value;
    pw_toml_table_add(t, last->name, last->len, part_raw(p, last), value, kv);
    return 0;
}

/* key = value, at top level (literal NULL) or inside { ... } (literal set). */
static int parse_keyval(struct parser *p, struct pw_toml_node *t, size_t line_start,
                        struct pw_toml_node *literal, struct pw_toml_kv **out)
{
    struct key k = {NULL, 0, 0};
    struct pw_toml_kv *kv = new_kv(p);
    kv->line_start = line_start;
    kv->key_start = p->pos;
    kv->literal = literal;
    kv->section = literal ? NULL : p->sect;
    kv->table = t;
    int rc = parse_key(p, &k);
    if (rc)
        goto out;
    kv->key_end = k.parts[k.n - 1].end;
    kv->dotted = k.n > 1;
    skip_ws(p);
    if (peek(p, 0) != '=') {
        rc = fail(p, p->pos, "expected '=' after the key");
        goto out;
    }
    p->pos++;
    skip_ws(p);
    kv->val_start = p->pos;
    struct pw_toml_node *value = NULL;
    rc = parse_value(p, t, &value);
    if (rc)
        goto out;
    kv->val_end = p->pos;
    kv->line_end = p->pos;
    rc = install_kv(p, t, &k, value, kv);
    *out = kv;
out:
    key_release(&k);
    return rc;
}

static int parse_inline_table(struct parser *p, struct pw_toml_node *v)
{
    v->type = PW_TOML_TABLE;
    v->origin = PW_TOML_INLINE;
    v->literal = v;
    p->pos++;
    skip_ws(p);
    if (peek(p, 0) == '}') {
        p->pos++;
        close_literal(v);
        return 0;
    }
    for (;;) {
        struct pw_toml_kv *kv = NULL;
        int rc = parse_keyval(p, v, p->pos, v, &kv);
        if (rc)
            return rc;
        v->last_kv = kv;
        skip_ws(p);
        int c = peek(p, 0);
        if (c == '}') {
            p->pos++;
            close_literal(v);
            return 0;
        }
        if (c != ',') {
            if (c < 0 || c == '\n' || c == '\r')
                return fail(p, p->pos, "inline table not closed on its line (expected '}')");
            return fail(p, p->pos, "expected ',' or '}' in an inline table");
        }
        p->pos++;
        skip_ws(p);
        if (peek(p, 0) == '}')
            return fail(p, p->pos, "trailing comma in an inline table");
    }
}

/* Inside arrays: whitespace, newlines and comments. */
static int skip_array_space(struct parser *p)
{
    for (;;) {
        skip_ws(p);
        int c = peek(p, 0);
        if (c == '#') {
            int rc = parse_comment(p);
            if (rc)
                return rc;
        } else if (c == '\n' || c == '\r') {
            int rc = eat_newline(p);
            if (rc)
                return rc;
        } else {
            return 0;
        }
    }
}

static int parse_array(struct parser *p, struct pw_toml_node *v)
{
    v->type = PW_TOML_ARRAY;
    size_t open = p->pos++;
    for (;;) {
        int rc = skip_array_space(p);
        if (rc)
            return rc;
        int c = peek(p, 0);
        if (c == ']') {
            p->pos++;
            return 0;
        }
        if (c < 0)
            return fail(p, open, "unterminated array");
        struct pw_toml_node *item = NULL;
        rc = parse_value(p, v, &item);
        if (rc)
            return rc;
        pw_toml_array_push(v, item);
        rc = skip_array_space(p);
        if (rc)
            return rc;
        c = peek(p, 0);
        if (c == ',') {
            p->pos++;
            continue;
        }
        if (c == ']') {
            p->pos++;
            return 0;
        }
        if (c < 0)
            return fail(p, open, "unterminated array");
        return fail(p, p->pos, "expected ',' or ']' in an array");
    }
}

static int value_end_ok(const struct parser *p)
{
    int c = peek(p, 0);
    return c < 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ']' ||
           c == '}' || c == '#';
}

static int parse_value(struct parser *p, struct pw_toml_node *parent, struct pw_toml_node **out)
{
    if (++p->nesting > MAX_NESTING)
        return fail(p, p->pos, "values nested too deeply");
    struct pw_toml_node *v = pw_toml_node_new(p->doc, PW_TOML_STRING, parent);
    v->start = p->pos;
    int c = peek(p, 0), rc;
    if (c == '"' || c == '\'') {
        struct pw_buf s = PW_BUF_INIT;
        rc = parse_string(p, &s);
        v->len = s.len;
        v->str = pw_buf_detach(&s, NULL);
    } else if (c == '[') {
        rc = parse_array(p, v);
    } else if (c == '{') {
        rc = parse_inline_table(p, v);
    } else {
        rc = parse_scalar(p, v);
        if (!rc) {
            v->len = p->pos - v->start;
            v->str = pw_xstrndup(p->s + v->start, v->len);
        }
    }
    p->nesting--;
    v->end = p->pos;
    if (!rc && !value_end_ok(p))
        rc = fail(p, p->pos, "unexpected character '%c' after a value", p->s[p->pos]);
    *out = v;
    return rc;
}

/* ---- sections ---- */

static struct pw_toml_section *new_section(struct parser *p, size_t lead, size_t hdr_start)
{
    struct pw_toml_doc *d = p->doc;
    if (d->n_sections == d->cap_sections) {
        d->cap_sections = d->cap_sections ? 2 * d->cap_sections : 16;
        d->sections = pw_xrealloc(d->sections, d->cap_sections * sizeof(*d->sections));
    }
    struct pw_toml_section *s = pw_xcalloc(1, sizeof(*s));
    s->lead_start = lead;
    s->hdr_start = hdr_start;
    if (p->sect)
        p->sect->end = lead;
    d->sections[d->n_sections++] = s;
    p->sect = s;
    return s;
}

/* Walks the header's parent parts, creating implicit tables; arrays of tables lead to their
 * last element. */
static int header_parent(struct parser *p, const struct key *k, struct pw_toml_node **out)
{
    struct pw_toml_node *t = p->doc->root;
    for (size_t i = 0; i + 1 < k->n; i++) {
        const struct key_part *kp = &k->parts[i];
        struct pw_toml_entry *e = pw_toml_table_find(t, kp->name, kp->len);
        if (!e) {
            struct pw_toml_node *child = pw_toml_node_new(p->doc, PW_TOML_TABLE, t);
            child->origin = PW_TOML_IMPLICIT;
            pw_toml_table_add(t, kp->name, kp->len, part_raw(p, kp), child, NULL);
            t = child;
            continue;
        }
        struct pw_toml_node *v = e->val;
        if (v->type == PW_TOML_ARRAY && v->aot && v->n) {
            t = v->items[v->n - 1];
        } else if (v->type == PW_TOML_TABLE && !v->closed) {
            t = v;
        } else {
            struct pw_buf b = PW_BUF_INIT;
            key_text(k, i + 1, &b);
            int rc =
                fail(p, kp->start, "'%s' is already defined as %s", b.buf,
                     v->type == PW_TOML_TABLE ? "an inline table" : pw_toml_type_name(v->type));
            pw_buf_release(&b);
            return rc;
        }
    }
    *out = t;
    return 0;
}

static int define_header_table(struct parser *p, const struct key *k, int aot,
                               struct pw_toml_node **out)
{
    struct pw_toml_node *t = NULL;
    int rc = header_parent(p, k, &t);
    if (rc)
        return rc;
    const struct key_part *last = &k->parts[k->n - 1];
    struct pw_toml_entry *e = pw_toml_table_find(t, last->name, last->len);
    struct pw_toml_node *table = NULL;
    if (aot && (!e || (e->val->type == PW_TOML_ARRAY && e->val->aot))) {
        struct pw_toml_node *arr = e ? e->val : NULL;
        if (!arr) {
            arr = pw_toml_node_new(p->doc, PW_TOML_ARRAY, t);
            arr->aot = 1;
            pw_toml_table_add(t, last->name, last->len, part_raw(p, last), arr, NULL);
        }
        table = pw_toml_node_new(p->doc, PW_TOML_TABLE, arr);
        pw_toml_array_push(arr, table);
    } else if (!aot && !e) {
        table = pw_toml_node_new(p->doc, PW_TOML_TABLE, t);
        pw_toml_table_add(t, last->name, last->len, part_raw(p, last), table, NULL);
    } else if (!aot && e->val->type == PW_TOML_TABLE && e->val->origin == PW_TOML_IMPLICIT) {
        table = e->val;
    } else {
        struct pw_buf b = PW_BUF_INIT;
        key_text(k, k->n, &b);
        const char *what = e->val->type == PW_TOML_TABLE ? "table"
                           : e->val->aot                 ? "array of tables"
                                                         : pw_toml_type_name(e->val->type);
        rc = fail(p, last->start, "'%s' is already defined (as %s %s)", b.buf,
                  *what == 'a' || *what == 'i' ? "an" : "a", what);
        pw_buf_release(&b);
        return rc;
    }
    table->origin = PW_TOML_HEADER;
    *out = table;
    return 0;
}

static int parse_header(struct parser *p, size_t line_start)
{
    int aot = peek(p, 1) == '[';
    size_t lead = p->comment_run != NO_RUN ? p->comment_run : line_start;
    struct pw_toml_section *s = new_section(p, lead, line_start);
    s->aot = aot;
    p->pos += aot ? 2 : 1;
    skip_ws(p);
    struct key k = {NULL, 0, 0};
    int rc = parse_key(p, &k);
    if (rc)
        goto out;
    skip_ws(p);
    if (peek(p, 0) != ']' || (aot && peek(p, 1) != ']')) {
        rc = fail(p, p->pos,
                  aot ? "expected ']]' to close the header" : "expected ']' to close the header");
        goto out;
    }
    p->pos += aot ? 2 : 1;
    s->depth = k.n;
    rc = finish_line(p);
    if (rc)
        goto out;
    s->hdr_end = s->body_end = p->pos;
    struct pw_toml_node *table = NULL;
    rc = define_header_table(p, &k, aot, &table);
    if (rc)
        goto out;
    table->section = s;
    s->table = table;
    p->cur = table;
out:
    key_release(&k);
    return rc;
}

static int parse_line(struct parser *p)
{
    size_t line_start = p->pos;
    skip_ws(p);
    if (at_line_end(p)) {
        p->comment_run = NO_RUN;
        return eat_newline(p);
    }
    if (p->s[p->pos] == '#') {
        if (p->comment_run == NO_RUN)
            p->comment_run = line_start;
        int rc = parse_comment(p);
        return rc ? rc : eat_newline(p);
    }
    if (p->s[p->pos] == '[') {
        int rc = parse_header(p, line_start);
        p->comment_run = NO_RUN;
        return rc;
    }
    p->comment_run = NO_RUN;
    struct pw_toml_kv *kv = NULL;
    int rc = parse_keyval(p, p->cur, line_start, NULL, &kv);
    if (rc)
        return rc;
    rc = finish_line(p);
    if (rc)
        return rc;
    kv->line_end = p->pos;
    struct pw_toml_section *s = p->sect;
    s->n_kv++;
    s->n_dotted += kv->dotted;
    s->body_end = p->pos;
    s->last_kv = kv;
    return 0;
}

/* The whole text must be UTF-8: checked once, so the rest may work on bytes. */
static int check_utf8(struct parser *p)
{
    const unsigned char *s = (const unsigned char *)p->s;
    size_t i = 0, n = p->len;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
        uint32_t cp = c & (need == 3 ? 0x07 : need == 2 ? 0x0f : 0x1f);
        int bad = c < 0xc2 || c > 0xf4 || i + need >= n;
        for (size_t j = 1; !bad && j <= need; j++) {
            if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
                bad = 1;
            else
                cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if (!bad && ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
                     (cp >= 0xd800 && cp <= 0xdfff)))
            bad = 1;
        if (bad)
            return fail(p, i, "invalid UTF-8");
        i += need + 1;
    }
    return 0;
}

int pw_toml_parse(const char *name, const char *text, size_t len, struct pw_toml_doc **out,
                  struct pw_err *err)
{
    struct pw_toml_doc *d = pw_toml_doc_new(name, text, len);
    struct parser p = {d, d->src, len, 0, err, d->root, NULL, NO_RUN, 0};
    struct pw_toml_section *root = new_section(&p, 0, 0);
    root->table = d->root;
    d->root->section = root;
    int rc = check_utf8(&p);
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        p.pos = 3; /* a byte order mark */
    while (!rc && p.pos < p.len)
        rc = parse_line(&p);
    if (rc) {
        pw_toml_doc_free(d);
        *out = NULL;
        return rc;
    }
    p.sect->end = len;
    pw_toml_doc_finish(d);
    *out = d;
    return 0;
}
