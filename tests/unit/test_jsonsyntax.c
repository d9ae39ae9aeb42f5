/* The strict JSON syntax check that locates errors for manifest messages. */
#include "core/jsonsyntax.h"
#include "tap.h"

/* Case descriptions: the text with control characters shown as '?', one TAP line each. */
static const char *shown(const char *text)
{
    static char buf[128];
    size_t i = 0;
    for (; text[i] && i < sizeof(buf) - 1; i++)
        buf[i] = (unsigned char)text[i] < 0x20 ? '?' : text[i];
    buf[i] = '\0';
    return buf;
}

static void valid(const char *text)
{
    size_t off = 0;
    const char *why = pw_json_syntax_check(text, strlen(text), 10, &off);
    TAP_OK(why == NULL, "valid: %s%s%s", shown(text), why ? " -> " : "", why ? why : "");
}

static void invalid(const char *text, size_t len, size_t want_off, const char *want_why)
{
    size_t off = 12345;
    const char *why = pw_json_syntax_check(text, len, 10, &off);
    TAP_STR_EQ(why, want_why, "invalid: %s", shown(text));
    TAP_INT_EQ(off, want_off, "error offset in: %s", shown(text));
}

#define INVALID(text, off, why) invalid(text, sizeof(text) - 1, off, why)

int main(void)
{
    valid("{}");
    valid(" \t\r\n[ ] \n");
    valid("\xef\xbb\xbf{\"a\": 1}");
    valid("{\"a\": [1, -2.5e+3, 0, 0.0, 1E2, true, false, null, \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\"]}");
    valid("\"\\u00e9\\uD83D\\uDE00\"");
    valid("-0");
    valid("[[[[[[[[[]]]]]]]]]");

    INVALID("", 0, "unexpected end of input");
    INVALID("{", 1, "unexpected end of input");
    INVALID("{\"a\" 1}", 5, "expected ':'");
    INVALID("{\"a\": 1 \"b\": 2}", 8, "expected ',' or '}'");
    INVALID("[1 2]", 3, "expected ',' or ']'");
    INVALID("{\"a\": 1,}", 8, "trailing comma");
    INVALID("[1,]", 3, "trailing comma");
    INVALID("{a: 1}", 1, "expected a string key in double quotes");
    INVALID("{'a': 1}", 1, "expected a string key in double quotes");
    INVALID("[01]", 1, "invalid number (leading zero)");
    INVALID("[+1]", 1, "unexpected character");
    INVALID("[1.]", 3, "invalid number");
    INVALID("[.5]", 1, "unexpected character");
    INVALID("[1e]", 3, "invalid number");
    INVALID("[tru]", 1, "unexpected character");
    INVALID("[True]", 1, "unexpected character");
    INVALID("\"abc", 4, "unexpected end of input (unterminated string)");
    INVALID("\"a\nb\"", 2, "unterminated string (a raw line break)");
    INVALID("\"a\tb\"", 2, "control character in a string");
    INVALID("\"\\x\"", 1, "invalid escape sequence in a string");
    INVALID("\"\\u12G4\"", 1, "invalid \\u escape in a string");
    INVALID("\"\\u0000\"", 1, "\\u0000 (a NUL character) in a string");
    INVALID("{} {}", 3, "unexpected character after the JSON value");
    INVALID("{}\0", 2, "unexpected character after the JSON value");
    INVALID("[[[[[[[[[[[]]]]]]]]]]]", 10, "nested too deeply");
    return tap_done();
}
