#include "jsonsyntax.h"

#include <string.h>

struct scan {
    const char *p, *end;
    int depth, max_depth;
    const char *why;
    const char *at;
};

static int error(struct scan *s, const char *at, const char *why)
{
    s->at = at;
    s->why = why;
    return -1;
}

static int unexpected(struct scan *s, const char *at)
{
    return error(s, at, at >= s->end ? "unexpected end of input" : "unexpected character");
}

static void skip_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int scan_escape(struct scan *s)
{
    const char *start = s->p - 1; /* the backslash */
    if (s->p >= s->end)
        return unexpected(s, s->p);
    char c = *s->p++;
    if (c && strchr("\"\\/bfnrt", c))
        return 0;
    if (c != 'u')
        return error(s, start, "invalid escape sequence in a string");
    for (int i = 0; i < 4; i++, s->p++)
        if (s->p >= s->end || !is_hex(*s->p))
            return s->p >= s->end ? unexpected(s, s->p)
                                  : error(s, start, "invalid \\u escape in a string");
    /* cJSON would end the C string there and silently drop the rest of the value. */
    if (!memcmp(s->p - 4, "0000", 4))
        return error(s, start, "\\u0000 (a NUL character) in a string");
    return 0;
}

static int scan_string(struct scan *s)
{
    const char *open = s->p++;
    while (s->p < s->end) {
        unsigned char c = (unsigned char)*s->p++;
        if (c == '"')
            return 0;
        if (c == '\\') {
            if (scan_escape(s) < 0)
                return -1;
        } else if (c < 0x20) {
            return error(s, s->p - 1,
                         c == '\n' ? "unterminated string (a raw line break)"
                                   : "control character in a string");
        }
    }
    (void)open;
    return error(s, s->end, "unexpected end of input (unterminated string)");
}

static int scan_digits(struct scan *s)
{
    if (s->p >= s->end || !is_digit(*s->p))
        return error(s, s->p, s->p >= s->end ? "unexpected end of input" : "invalid number");
    while (s->p < s->end && is_digit(*s->p))
        s->p++;
    return 0;
}

static int scan_number(struct scan *s)
{
    const char *start = s->p;
    if (*s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0') {
        s->p++;
        if (s->p < s->end && is_digit(*s->p))
            return error(s, start, "invalid number (leading zero)");
    } else if (scan_digits(s) < 0) {
        return -1;
    }
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (scan_digits(s) < 0)
            return -1;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (scan_digits(s) < 0)
            return -1;
    }
    return 0;
}

static int scan_word(struct scan *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
        return unexpected(s, s->p);
    s->p += n;
    return 0;
}

static int scan_value(struct scan *s);

/* After a value inside a container: ',' (then more) or the closer. 1: more, 0: closed. */
static int scan_separator(struct scan *s, char closer)
{
    skip_ws(s);
    if (s->p >= s->end)
        return unexpected(s, s->p);
    if (*s->p == closer) {
        s->p++;
        return 0;
    }
    if (*s->p != ',')
        return error(s, s->p, closer == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    s->p++;
    skip_ws(s);
    if (s->p < s->end && *s->p == closer)
        return error(s, s->p, "trailing comma");
    return 1;
}

static int scan_member(struct scan *s)
{
    skip_ws(s);
    if (s->p >= s->end)
        return unexpected(s, s->p);
    if (*s->p != '"')
        return error(s, s->p, "expected a string key in double quotes");
    if (scan_string(s) < 0)
        return -1;
    skip_ws(s);
    if (s->p >= s->end || *s->p != ':')
        return s->p >= s->end ? unexpected(s, s->p) : error(s, s->p, "expected ':'");
    s->p++;
    return scan_value(s);
}

static int scan_container(struct scan *s, char closer)
{
    if (++s->depth > s->max_depth)
        return error(s, s->p, "nested too deeply");
    s->p++;
    skip_ws(s);
    if (s->p < s->end && *s->p == closer) {
        s->p++;
        s->depth--;
        return 0;
    }
    for (;;) {
        int rc = closer == '}' ? scan_member(s) : scan_value(s);
        if (rc == 0)
            rc = scan_separator(s, closer);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
    }
    s->depth--;
    return 0;
}

static int scan_value(struct scan *s)
{
    skip_ws(s);
    if (s->p >= s->end)
        return unexpected(s, s->p);
    switch (*s->p) {
    case '{':
        return scan_container(s, '}');
    case '[':
        return scan_container(s, ']');
    case '"':
        return scan_string(s);
    case 't':
        return scan_word(s, "true");
    case 'f':
        return scan_word(s, "false");
    case 'n':
        return scan_word(s, "null");
    default:
        if (*s->p == '-' || is_digit(*s->p))
            return scan_number(s);
        return unexpected(s, s->p);
    }
}

const char *pw_json_syntax_check(const char *data, size_t len, int max_depth, size_t *off)
{
    struct scan s = {data, data + len, 0, max_depth, NULL, NULL};
    const char *bom = "\xef\xbb\xbf";
    if (len >= 3 && !memcmp(data, bom, 3))
        s.p += 3;
    if (scan_value(&s) == 0) {
        skip_ws(&s);
        if (s.p == s.end)
            return NULL;
        error(&s, s.p, "unexpected character after the JSON value");
    }
    *off = (size_t)(s.at - data);
    return s.why;
}
