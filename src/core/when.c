/* `when` conditions: a recursive-descent parser that evaluates as it parses. */
#include "when.h"

#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"

enum tok {
    T_END,
    T_LPAREN,
    T_RPAREN,
    T_NOT,
    T_AND,
    T_OR,
    T_EQ,
    T_NE,
    T_OPERAND, /* text is its value */
};

struct when {
    const struct pw_vars *vars;
    const char *expr;
    const char *p; /* next unread byte */
    enum tok tok;  /* the current token ... */
    size_t at;     /* ... its column (0-based) */
    struct pw_buf text;
    struct pw_err *err;
};

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

static int fail(struct when *w, const char *what)
{
    return pw_err_set(w->err, PW_E_MANIFEST, "'%s': %s at column %zu", w->expr, what, w->at + 1);
}

static const char *tok_name(enum tok t)
{
    static const char *const names[] = {"the end", "'('",  "')'",  "'!'",    "'&&'",
                                        "'||'",    "'=='", "'!='", "a value"};
    return names[t];
}

/* A quoted literal: everything up to the same quote. */
static int lex_literal(struct when *w)
{
    char q = *w->p++;
    const char *close = strchr(w->p, q);
    if (!close)
        return fail(w, "unterminated quoted text");
    pw_buf_add(&w->text, w->p, (size_t)(close - w->p));
    w->p = close + 1;
    w->tok = T_OPERAND;
    return 0;
}

/* A run of name characters and ${...} references: a variable's name when it holds no
 * reference, otherwise a template whose expansion is the value. */
static int lex_operand(struct when *w)
{
    const char *start = w->p;
    int templated = 0;
    while (*w->p) {
        if (w->p[0] == '$' && w->p[1] == '{') {
            const char *close = strchr(w->p, '}');
            if (!close)
                return fail(w, "unterminated '${'");
            templated = 1;
            w->p = close + 1;
        } else if (name_char(*w->p)) {
            w->p++;
        } else {
            break;
        }
    }
    if (w->p == start)
        return fail(w, *w->p == '$' ? "a '$' that does not start '${'" : "unexpected character");
    size_t len = (size_t)(w->p - start);
    char *raw = pw_xstrndup(start, len);
    int rc = 0;
    if (templated) {
        rc = pw_vars_expand(w->vars, raw, &w->text, w->err);
    } else {
        const char *why = pw_vars_check_name(raw, len);
        const char *value = why ? NULL : pw_vars_get(w->vars, raw);
        if (why)
            rc = pw_err_set(w->err, PW_E_MANIFEST, "variable name '%s' %s", raw, why);
        else if (!value)
            rc = pw_err_set(w->err, PW_E_MANIFEST, "undefined variable '%s'", raw);
        else
            pw_buf_adds(&w->text, value);
    }
    free(raw);
    w->tok = T_OPERAND;
    return rc;
}

static int next(struct when *w)
{
    while (*w->p == ' ' || *w->p == '\t')
        w->p++;
    w->at = (size_t)(w->p - w->expr);
    pw_buf_reset(&w->text);
    static const struct {
        const char *s;
        enum tok t;
    } ops[] = {{"&&", T_AND},   {"||", T_OR},    {"==", T_EQ}, {"!=", T_NE},
               {"(", T_LPAREN}, {")", T_RPAREN}, {"!", T_NOT}};
    if (!*w->p) {
        w->tok = T_END;
        return 0;
    }
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        size_t n = strlen(ops[i].s);
        if (!strncmp(w->p, ops[i].s, n)) {
            w->p += n;
            w->tok = ops[i].t;
            return 0;
        }
    }
    if (*w->p == '\'' || *w->p == '"')
        return lex_literal(w);
    return lex_operand(w);
}

static int parse_or(struct when *w, int *out);

static int truth(struct when *w, const char *value, int *out)
{
    int t = pw_vars_truthy(value);
    if (t < 0)
        return pw_err_set(w->err, PW_E_MANIFEST,
                          "'%s' is neither true nor false (true/false, yes/no, on/off, 1/0)",
                          value);
    *out = t;
    return 0;
}

/* operand [("==" | "!=") operand] */
static int parse_comparison(struct when *w, int *out)
{
    char *left = pw_buf_detach(&w->text, NULL);
    int rc = next(w);
    if (rc == 0 && (w->tok == T_EQ || w->tok == T_NE)) {
        int equal = w->tok == T_EQ;
        rc = next(w);
        if (rc == 0 && w->tok != T_OPERAND)
            rc = fail(w, "expected a value to compare with");
        if (rc == 0) {
            *out = (strcmp(left, w->text.buf) == 0) == equal;
            rc = next(w);
        }
    } else if (rc == 0) {
        rc = truth(w, left, out);
    }
    free(left);
    return rc;
}

static int parse_primary(struct when *w, int *out)
{
    if (w->tok == T_LPAREN) {
        int rc = next(w);
        if (rc == 0)
            rc = parse_or(w, out);
        if (rc == 0 && w->tok != T_RPAREN)
            rc = fail(w, "expected ')'");
        return rc < 0 ? rc : next(w);
    }
    if (w->tok == T_OPERAND)
        return parse_comparison(w, out);
    struct pw_buf what = PW_BUF_INIT;
    pw_buf_addf(&what, "expected a variable, a ${...} or a quoted text, not %s", tok_name(w->tok));
    int rc = fail(w, what.buf);
    pw_buf_release(&what);
    return rc;
}

static int parse_unary(struct when *w, int *out)
{
    if (w->tok != T_NOT)
        return parse_primary(w, out);
    int rc = next(w);
    if (rc == 0)
        rc = parse_unary(w, out);
    *out = !*out;
    return rc;
}

static int parse_and(struct when *w, int *out)
{
    int rc = parse_unary(w, out);
    while (rc == 0 && w->tok == T_AND) {
        int right = 0;
        rc = next(w);
        if (rc == 0)
            rc = parse_unary(w, &right);
        *out = *out && right;
    }
    return rc;
}

static int parse_or(struct when *w, int *out)
{
    int rc = parse_and(w, out);
    while (rc == 0 && w->tok == T_OR) {
        int right = 0;
        rc = next(w);
        if (rc == 0)
            rc = parse_and(w, &right);
        *out = *out || right;
    }
    return rc;
}

int pw_when_eval(const struct pw_vars *vars, const char *expr, int *result, struct pw_err *err)
{
    struct when w = {vars, expr, expr, T_END, 0, PW_BUF_INIT, err};
    int value = 0;
    int rc = next(&w);
    if (rc == 0)
        rc = parse_or(&w, &value);
    if (rc == 0 && w.tok != T_END) {
        struct pw_buf what = PW_BUF_INIT;
        pw_buf_addf(&what, "unexpected '%.*s'", (int)(w.p - (w.expr + w.at)), w.expr + w.at);
        rc = fail(&w, what.buf);
        pw_buf_release(&what);
    }
    pw_buf_release(&w.text);
    *result = rc == 0 ? value : 0;
    return rc;
}
