/* The portable dependency syntax: one relation per string, alternatives separated by '|',
 * an optional "(OP VERSION)" after each name. Parsing is strict so that a typo is an error at
 * manifest load time instead of a package that apt or dnf refuses later. */
#include "deps.h"

#include <stdlib.h>
#include <string.h>

#include "version.h"

static int is_space(int c)
{
    return c == ' ' || c == '\t';
}

static int is_name_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr(".+-_:/", c));
}

static int is_version_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr(".+~-_:^", c));
}

static const char *skip_space(const char *p)
{
    while (is_space(*p))
        p++;
    return p;
}

static const struct {
    const char *text;
    enum pw_dep_op op;
} op_table[] = {
    /* Longest first so that "<<" is not read as "<". */
    {"<<", PW_DEP_LT}, {"<=", PW_DEP_LE}, {">=", PW_DEP_GE}, {">>", PW_DEP_GT},
    {"=", PW_DEP_EQ},  {"<", PW_DEP_LT},  {">", PW_DEP_GT},
};

static const char *parse_op(const char *p, enum pw_dep_op *op)
{
    for (size_t i = 0; i < sizeof(op_table) / sizeof(op_table[0]); i++) {
        size_t n = strlen(op_table[i].text);
        if (!strncmp(p, op_table[i].text, n)) {
            *op = op_table[i].op;
            return p + n;
        }
    }
    return NULL;
}

/* "(>= 1.2)" after a name; p points at '('. */
static int parse_constraint(const char **pp, struct pw_dep_alt *alt, struct pw_err *err)
{
    const char *p = skip_space(*pp + 1);
    const char *q = parse_op(p, &alt->op);
    if (!q)
        return pw_err_set(err, PW_E_MANIFEST,
                          "'%s' needs an operator (<<, <=, =, >=, >>) before the version",
                          alt->name);
    p = skip_space(q);
    const char *v = p;
    while (is_version_char(*p))
        p++;
    if (p == v)
        return pw_err_set(err, PW_E_MANIFEST, "'%s' needs a version after the operator", alt->name);
    if (v[0] < '0' || v[0] > '9')
        return pw_err_set(err, PW_E_MANIFEST, "version '%.*s' of '%s' must start with a digit",
                          (int)(p - v), v, alt->name);
    alt->version = pw_xstrndup(v, (size_t)(p - v));
    p = skip_space(p);
    if (*p != ')')
        return pw_err_set(err, PW_E_MANIFEST, "expected ')' after the version of '%s'", alt->name);
    *pp = p + 1;
    return 0;
}

static int parse_alt(const char **pp, struct pw_dep_alt *alt, struct pw_err *err)
{
    const char *p = skip_space(*pp);
    const char *start = p;
    while (is_name_char(*p))
        p++;
    if (p == start) {
        if (!*p || *p == '|')
            return pw_err_set(err, PW_E_MANIFEST, "missing a package name");
        return pw_err_set(err, PW_E_MANIFEST, "unexpected '%c' where a package name belongs", *p);
    }
    alt->name = pw_xstrndup(start, (size_t)(p - start));
    alt->op = PW_DEP_ANY;
    p = skip_space(p);
    if (*p == '(') {
        int rc = parse_constraint(&p, alt, err);
        if (rc < 0)
            return rc;
        p = skip_space(p);
    }
    *pp = p;
    return 0;
}

int pw_dep_parse(const char *s, struct pw_dep *out, struct pw_err *err)
{
    memset(out, 0, sizeof(*out));
    const char *p = s;
    for (;;) {
        out->alts = pw_xrealloc(out->alts, (out->nalts + 1) * sizeof(*out->alts));
        struct pw_dep_alt *alt = &out->alts[out->nalts++];
        memset(alt, 0, sizeof(*alt));
        int rc = parse_alt(&p, alt, err);
        if (rc < 0) {
            pw_dep_release(out);
            return rc;
        }
        if (*p == '|') {
            p++;
            continue;
        }
        if (!*p)
            return 0;
        if (*p == ',')
            rc = pw_err_set(err, PW_E_MANIFEST,
                            "one relation per string: write each of '%s' as its own entry", s);
        else
            rc = pw_err_set(err, PW_E_MANIFEST, "unexpected '%c' after '%s'", *p, alt->name);
        pw_dep_release(out);
        return rc;
    }
}

void pw_dep_release(struct pw_dep *d)
{
    for (size_t i = 0; i < d->nalts; i++) {
        free(d->alts[i].name);
        free(d->alts[i].version);
    }
    free(d->alts);
    d->alts = NULL;
    d->nalts = 0;
}

const char *pw_dep_op_deb(enum pw_dep_op op)
{
    static const char *const names[] = {"", "<<", "<=", "=", ">=", ">>"};
    return (unsigned)op < sizeof(names) / sizeof(names[0]) ? names[op] : "";
}

const char *pw_dep_op_rpm(enum pw_dep_op op)
{
    static const char *const names[] = {"", "<", "<=", "=", ">=", ">"};
    return (unsigned)op < sizeof(names) / sizeof(names[0]) ? names[op] : "";
}

void pw_dep_render_deb(const struct pw_dep *d, struct pw_buf *out)
{
    for (size_t i = 0; i < d->nalts; i++) {
        const struct pw_dep_alt *a = &d->alts[i];
        if (i)
            pw_buf_adds(out, " | ");
        pw_buf_adds(out, a->name);
        if (a->op != PW_DEP_ANY)
            pw_buf_addf(out, " (%s %s)", pw_dep_op_deb(a->op), a->version);
    }
}

void pw_dep_render_rpm(const struct pw_dep *d, struct pw_buf *out)
{
    if (d->nalts > 1)
        pw_buf_addc(out, '(');
    for (size_t i = 0; i < d->nalts; i++) {
        const struct pw_dep_alt *a = &d->alts[i];
        if (i)
            pw_buf_adds(out, " or ");
        pw_buf_adds(out, a->name);
        if (a->op != PW_DEP_ANY)
            pw_buf_addf(out, " %s %s", pw_dep_op_rpm(a->op), a->version);
    }
    if (d->nalts > 1)
        pw_buf_addc(out, ')');
}

void pw_deps_render_deb(const struct pw_strvec *deps, struct pw_buf *out)
{
    for (size_t i = 0; i < deps->n; i++) {
        if (i)
            pw_buf_adds(out, ", ");
        struct pw_dep d;
        struct pw_err err;
        pw_err_init(&err);
        if (pw_dep_parse(deps->v[i], &d, &err) < 0) {
            pw_buf_adds(out, deps->v[i]); /* validated at load time; keep it visible */
            continue;
        }
        pw_dep_render_deb(&d, out);
        pw_dep_release(&d);
    }
}

/* Relation kinds with restrictions: Provides names one package with at most "= VERSION";
 * Conflicts, Breaks and Replaces take no alternatives (dpkg refuses '|' there). */
static int check_kind(const struct pw_dep *d, const char *field, struct pw_err *err)
{
    int negative =
        !strcmp(field, "conflicts") || !strcmp(field, "breaks") || !strcmp(field, "replaces");
    int provides = !strcmp(field, "provides");
    if ((negative || provides) && d->nalts > 1)
        return pw_err_set(err, PW_E_MANIFEST, "%s takes no alternatives ('|')", field);
    if (provides && d->alts[0].op != PW_DEP_ANY && d->alts[0].op != PW_DEP_EQ)
        return pw_err_set(err, PW_E_MANIFEST, "provides allows only '=' as operator");
    return 0;
}

/* Per-format name rules: deb names are Debian package names with an optional ":ARCH"
 * qualifier; rpm names may also be absolute file paths (file dependencies). */
static int check_name(const char *name, const char *format, struct pw_err *err)
{
    const char *why = NULL;
    if (!strcmp(format, "deb")) {
        const char *colon = strchr(name, ':');
        char *bare = pw_xstrndup(name, colon ? (size_t)(colon - name) : strlen(name));
        why = pw_name_check_deb(bare);
        free(bare);
        if (!why && colon && (!colon[1] || strchr(colon + 1, ':') || strchr(colon + 1, '/')))
            why = "has a malformed architecture qualifier";
        if (!why && strchr(name, '/'))
            why = "must not be a file path in a .deb";
    } else if (name[0] != '/') {
        why = pw_name_check_rpm(name);
    }
    if (why)
        return pw_err_set(err, PW_E_MANIFEST, "'%s' is not a valid %s package name: %s", name,
                          format, why);
    return 0;
}

int pw_dep_validate(const struct pw_dep *d, const char *field, const char *format,
                    struct pw_err *err)
{
    int rc = check_kind(d, field, err);
    for (size_t i = 0; rc == 0 && format && i < d->nalts; i++)
        rc = check_name(d->alts[i].name, format, err);
    return rc;
}
