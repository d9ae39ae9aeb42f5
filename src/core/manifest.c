/* package.json: one field table per JSON object drives parsing, validation, the rejection of
 * unknown keys and doc/manifest.md. The only cJSON user: cJSON types never leave this file.
 *
 * Loading resolves everything a writer needs: ${vars} are expanded, overrides.deb and
 * overrides.rpm are applied (each yields a complete struct pw_package), files named by `src`,
 * `scripts` and `copyright` are resolved inside the manifest's directory (symlinks followed),
 * scripts are read, and every value is checked against both formats' rules. */
#include "manifest.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../base/fs.h"
#include "../base/path.h"
#include "arch.h"
#include "deps.h"
#include "jsonsyntax.h"
#include "vars.h"
#include "version.h"
#include "when.h"

/* ------------------------------------------------------------------------------------------ */
/* Loader state and messages                                                                   */

struct loader {
    const char *file;   /* manifest path as given, for messages */
    char *dir;          /* realpath of the manifest's directory */
    const char *format; /* "deb" or "rpm" while resolving one package */
    const cJSON *root;
    const cJSON *override;        /* overrides.<format>, or NULL */
    const struct pw_package *pkg; /* the package being resolved (sources for contents) */
    struct pw_vars vars;
    const struct pw_arch *target; /* --arch, or the build host */
    const char *force_arch;       /* --arch, or NULL */
    const char *build_tree;       /* another directory src may name, or NULL */
    const struct pw_vars *given;  /* --vars/--var: the user's own values, or NULL */
    struct pw_buf path;           /* JSON path of the value being read */
    struct pw_err *err;
};

/* "FILE: json.path: message" (without the path part at the root). */
static int fail(struct loader *ld, const char *fmt, ...) PW_PRINTF(2, 3);
static int fail(struct loader *ld, const char *fmt, ...)
{
    char msg[PW_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (ld->path.len)
        return pw_err_set(ld->err, PW_E_MANIFEST, "%s: %s: %s", ld->file, ld->path.buf, msg);
    return pw_err_set(ld->err, PW_E_MANIFEST, "%s: %s", ld->file, msg);
}

/* Re-labels an error from a helper that does not know file or path (vars, deps). */
static int fail_from(struct loader *ld, const struct pw_err *inner)
{
    return fail(ld, "%s", inner->msg);
}

/* Appends s for a message, with control bytes escaped so a hostile key stays one line. */
static void add_printable(struct pw_buf *b, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c < 0x20 || *c == 0x7f)
            pw_buf_addf(b, "\\x%02x", *c);
        else
            pw_buf_addc(b, (char)*c);
    }
}

static size_t path_push_key(struct loader *ld, const char *key)
{
    size_t mark = ld->path.len;
    if (ld->path.len)
        pw_buf_addc(&ld->path, '.');
    add_printable(&ld->path, key);
    return mark;
}

static size_t path_push_index(struct loader *ld, size_t i)
{
    size_t mark = ld->path.len;
    pw_buf_addf(&ld->path, "[%zu]", i);
    return mark;
}

static void path_pop(struct loader *ld, size_t mark)
{
    pw_buf_setlen(&ld->path, mark);
}

static const char *json_kind(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsObject(v))
        return "an object";
    return "null";
}

static int fail_type(struct loader *ld, const cJSON *v, const char *want)
{
    return fail(ld, "must be %s, not %s", want, json_kind(v));
}

/* ------------------------------------------------------------------------------------------ */
/* Field tables                                                                                */

struct field;
typedef int (*parse_fn)(struct loader *ld, const struct field *f, const cJSON *v, void *obj);
typedef const char *(*check_fn)(struct loader *ld, const char *value);

enum {
    F_REQUIRED = 1 << 0,
    F_PER_FORMAT = 1 << 1, /* the check depends on the format: messages name it */
};

struct field {
    const char *key;
    const char *type; /* for the doc */
    unsigned flags;
    parse_fn parse;   /* NULL: handled by the loader itself (vars, when, overrides) */
    size_t offset;    /* into the object parse fills */
    check_fn check;   /* extra rule for string values, or NULL */
    const char *noun; /* "is not a valid NOUN" */
    const char *def;  /* default for the doc, or NULL */
    const char *doc;
};

#define FIELD_END                                                                                  \
    {                                                                                              \
        NULL, NULL, 0, NULL, 0, NULL, NULL, NULL, NULL                                             \
    }

static const struct field *field_find(const struct field *table, const char *key)
{
    for (const struct field *f = table; f->key; f++)
        if (!strcmp(f->key, key))
            return f;
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Strings                                                                                     */

/* Valid UTF-8 without overlong forms or surrogates (control files and rpm headers are UTF-8). */
static int utf8_valid(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s;
        int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
        if (n < 0)
            return 0;
        unsigned cp = n == 0 ? c : n == 1 ? c & 0x1f : n == 2 ? c & 0x0f : c & 0x07;
        for (int i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        static const unsigned min[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        s += n + 1;
    }
    return 1;
}

static const char *control_char_reason(const char *s, int multiline)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '\n' && multiline)
            continue;
        if (*c == '\t' && multiline)
            continue;
        if (*c == '\n')
            return "must be a single line";
        if (*c < 0x20 || *c == 0x7f)
            return "must not contain control characters";
    }
    return NULL;
}

/* Reads a JSON string, expands ${vars} and checks encoding. out is the caller's. */
static int get_string(struct loader *ld, const cJSON *v, int multiline, struct pw_buf *out)
{
    if (!cJSON_IsString(v))
        return fail_type(ld, v, "a string");
    struct pw_err inner;
    pw_err_init(&inner);
    if (pw_vars_expand(&ld->vars, v->valuestring, out, &inner) < 0)
        return fail_from(ld, &inner);
    if (!utf8_valid((const unsigned char *)out->buf))
        return fail(ld, "must be valid UTF-8");
    const char *why = control_char_reason(out->buf, multiline);
    if (why)
        return fail(ld, "%s", why);
    return 0;
}

static int run_check(struct loader *ld, const struct field *f, const char *value)
{
    const char *why = f->check ? f->check(ld, value) : NULL;
    if (!why)
        return 0;
    struct pw_buf shown = PW_BUF_INIT;
    add_printable(&shown, value);
    int rc = fail(ld, "'%s' is not a valid %s%s%s: %s", shown.buf,
                  (f->flags & F_PER_FORMAT) ? ld->format : "", (f->flags & F_PER_FORMAT) ? " " : "",
                  f->noun, why);
    pw_buf_release(&shown);
    return rc;
}

static int store_string(struct loader *ld, const struct field *f, const cJSON *v, void *obj,
                        int multiline)
{
    struct pw_buf s = PW_BUF_INIT;
    int rc = get_string(ld, v, multiline, &s);
    if (rc == 0 && !s.len)
        rc = fail(ld, "must not be empty");
    if (rc == 0)
        rc = run_check(ld, f, s.buf);
    if (rc < 0) {
        pw_buf_release(&s);
        return rc;
    }
    char **dest = (char **)((char *)obj + f->offset);
    free(*dest);
    *dest = pw_buf_detach(&s, NULL);
    return 0;
}

static int parse_line(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    return store_string(ld, f, v, obj, 0);
}

static int parse_text(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    return store_string(ld, f, v, obj, 1);
}

/* Non-negative whole numbers up to max (epoch, mtime). */
static int get_uint(struct loader *ld, const cJSON *v, double max, int64_t *out)
{
    if (!cJSON_IsNumber(v))
        return fail_type(ld, v, "an integer");
    double d = v->valuedouble;
    if (!(d >= 0 && d <= max))
        return fail(ld, "must be between 0 and %.0f", max);
    if ((double)(int64_t)d != d)
        return fail(ld, "must be a whole number");
    *out = (int64_t)d;
    return 0;
}

static int parse_epoch(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    return get_uint(ld, v, 2147483647.0, (int64_t *)((char *)obj + f->offset));
}

static int parse_mtime(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    return get_uint(ld, v, 4294967295.0, (int64_t *)((char *)obj + f->offset));
}

/* ------------------------------------------------------------------------------------------ */
/* Checks for string fields                                                                    */

static const char *check_pkg_name(struct loader *ld, const char *s)
{
    return !strcmp(ld->format, "deb") ? pw_name_check_deb(s) : pw_name_check_rpm(s);
}

static const char *check_version(struct loader *ld, const char *s)
{
    return !strcmp(ld->format, "deb") ? pw_version_check_deb(s) : pw_version_check_rpm(s);
}

static const char *check_release(struct loader *ld, const char *s)
{
    (void)ld;
    return pw_release_check(s);
}

/* "Name <user@host>": what lintian and rpmlint expect of maintainers and changelog authors. */
static const char *check_person(struct loader *ld, const char *s)
{
    (void)ld;
    const char *lt = strchr(s, '<');
    size_t len = strlen(s);
    if (!lt || lt == s || s[len - 1] != '>' || lt[-1] != ' ')
        return "must look like 'Name <email>'";
    const char *at = strchr(lt, '@');
    if (!at || at == lt + 1 || at + 2 >= s + len || strchr(lt + 1, '<') ||
        strchr(lt, '>') != s + len - 1)
        return "must look like 'Name <email>'";
    for (const char *c = lt; *c; c++)
        if (*c == ' ')
            return "the email address must not contain spaces";
    return NULL;
}

static const char *check_url(struct loader *ld, const char *s)
{
    (void)ld;
    if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7))
        return "must start with 'https://' or 'http://'";
    if (strchr(s, ' '))
        return "must not contain spaces";
    return NULL;
}

static const char *check_source_url(struct loader *ld, const char *s)
{
    if (!strncmp(s, "file://", 7))
        return s[7] == '/' ? NULL : "a file:// URL must name an absolute path";
    return check_url(ld, s);
}

static const char *check_summary(struct loader *ld, const char *s)
{
    (void)ld;
    size_t chars = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        chars += (*c & 0xc0) != 0x80;
    return chars > 80 ? "must be at most 80 characters (lintian and rpmlint warn beyond)" : NULL;
}

static const char *check_priority(struct loader *ld, const char *s)
{
    (void)ld;
    static const char *const ok[] = {"required", "important", "standard", "optional", "extra"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (!strcmp(s, ok[i]))
            return NULL;
    return "must be one of required, important, standard, optional, extra";
}

static const char *check_section(struct loader *ld, const char *s)
{
    (void)ld;
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || strchr("-/_+.", *c)))
            return "must contain only lowercase letters, digits and '-/_+.'";
    return NULL;
}

/* User and group names as useradd accepts them by default. */
static const char *check_account(struct loader *ld, const char *s)
{
    (void)ld;
    if (strlen(s) > 32)
        return "must be at most 32 characters";
    if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return "must start with a lowercase letter or '_'";
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' ||
              (*c == '$' && !c[1])))
            return "must contain only lowercase letters, digits, '_' and '-'";
    return NULL;
}

static const char *check_source_name(struct loader *ld, const char *s)
{
    (void)ld;
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr("._+-", *c)))
            return "must contain only letters, digits, '.', '_', '+' and '-'";
    return NULL;
}

static const char *check_hex(const char *s, size_t len)
{
    if (strlen(s) != len)
        return len == 64 ? "must be 64 hexadecimal digits" : "must be 128 hexadecimal digits";
    for (const char *c = s; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') || (*c >= 'A' && *c <= 'F')))
            return len == 64 ? "must be 64 hexadecimal digits" : "must be 128 hexadecimal digits";
    return NULL;
}

static const char *check_sha256(struct loader *ld, const char *s)
{
    (void)ld;
    return check_hex(s, 64);
}

static const char *check_sha512(struct loader *ld, const char *s)
{
    (void)ld;
    return check_hex(s, 128);
}

/* A relative path inside an archive or a source: no '..', not absolute. */
static const char *check_member(struct loader *ld, const char *s)
{
    (void)ld;
    if (s[0] == '/')
        return "must be relative";
    for (const char *c = s; (c = strstr(c, "..")); c += 2)
        if ((c == s || c[-1] == '/') && (c[2] == '\0' || c[2] == '/'))
            return "must not contain '..'";
    return NULL;
}

static const char *check_changelog_version(struct loader *ld, const char *s)
{
    (void)ld;
    if (s[0] < '0' || s[0] > '9')
        return "must start with a digit";
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr(".+~:-", *c)))
            return "must contain only letters, digits, '.', '+', '~', ':' and '-'";
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Objects and keys                                                                            */

static unsigned edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    unsigned row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *suggest(const struct field *const *tables, const char *key)
{
    const char *best = NULL;
    unsigned best_d = 3;
    for (; *tables; tables++)
        for (const struct field *f = *tables; f->key; f++) {
            size_t kl = strlen(key), fl = strlen(f->key);
            unsigned d = edit_distance(key, f->key);
            /* "postinstall" for "postinst": a longer spelling of a known key */
            if (d > 2 && fl >= 4 && kl > fl && !strncmp(key, f->key, fl))
                d = 2;
            if (d < best_d) {
                best_d = d;
                best = f->key;
            }
        }
    return best;
}

/* Rejects keys no table knows and keys given twice (cJSON keeps both; the second would be
 * silently ignored otherwise). tables is NULL-terminated; keys of elsewhere are known but not
 * allowed here (top-level-only fields inside overrides). */
/* Is c's key also the key of an earlier member of obj? */
static int is_duplicate(const cJSON *obj, const cJSON *c)
{
    for (const cJSON *p = obj->child; p != c; p = p->next)
        if (!strcmp(p->string, c->string))
            return 1;
    return 0;
}

static int check_key(struct loader *ld, const cJSON *obj, const cJSON *c,
                     const struct field *const *tables, const struct field *elsewhere)
{
    if (is_duplicate(obj, c))
        return fail(ld, "duplicate key");
    for (const struct field *const *t = tables; *t; t++)
        if (field_find(*t, c->string))
            return 0;
    if (elsewhere && field_find(elsewhere, c->string))
        return fail(ld, "cannot be overridden per format");
    const char *hint = suggest(tables, c->string);
    return hint ? fail(ld, "unknown key (did you mean '%s'?)", hint) : fail(ld, "unknown key");
}

static int check_keys(struct loader *ld, const cJSON *obj, const struct field *const *tables,
                      const struct field *elsewhere)
{
    for (const cJSON *c = obj->child; c; c = c->next) {
        size_t mark = path_push_key(ld, c->string);
        int rc = check_key(ld, obj, c, tables, elsewhere);
        path_pop(ld, mark);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int parse_fields(struct loader *ld, const struct field *table, const cJSON *obj, void *dest)
{
    for (const struct field *f = table; f->key; f++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f->key);
        size_t mark = path_push_key(ld, f->key);
        int rc = 0;
        if (!v && (f->flags & F_REQUIRED))
            rc = fail(ld, "is required");
        else if (v)
            rc = f->parse(ld, f, v, dest);
        path_pop(ld, mark);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A JSON object checked against table and parsed into dest. */
static int parse_object(struct loader *ld, const struct field *table, const cJSON *obj, void *dest)
{
    if (!cJSON_IsObject(obj))
        return fail_type(ld, obj, "an object");
    const struct field *tables[] = {table, NULL};
    int rc = check_keys(ld, obj, tables, NULL);
    return rc < 0 ? rc : parse_fields(ld, table, obj, dest);
}

/* Calls each(ld, item, i, data) for every element of a JSON array, with the path set. */
/* Room for the entries of array v (one zeroed element of size each; at least one, so the
 * pointer is never NULL), or NULL with *rc set when v is no array, or empty and nonempty. */
static void *array_items(struct loader *ld, const cJSON *v, size_t size, int nonempty, int *rc)
{
    *rc = 0;
    if (!cJSON_IsArray(v)) {
        *rc = fail_type(ld, v, "an array");
        return NULL;
    }
    size_t n = (size_t)cJSON_GetArraySize(v);
    if (!n && nonempty) {
        *rc = fail(ld, "must not be empty");
        return NULL;
    }
    return pw_xcalloc(n ? n : 1, size);
}

static int for_each(struct loader *ld, const cJSON *arr,
                    int (*each)(struct loader *, const cJSON *, size_t, void *), void *data)
{
    if (!cJSON_IsArray(arr))
        return fail_type(ld, arr, "an array");
    size_t i = 0;
    for (const cJSON *c = arr->child; c; c = c->next, i++) {
        size_t mark = path_push_index(ld, i);
        int rc = each(ld, c, i, data);
        path_pop(ld, mark);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Files inside the manifest's directory                                                       */

enum want_kind { WANT_FILE, WANT_DIR };

/* real (a realpath) is dir itself (allowed for a directory) or below it. */
static int is_within(const char *real, const char *dir, enum want_kind want)
{
    size_t dl = strlen(dir);
    if (!strcmp(dir, "/"))
        return 1;
    return !strncmp(real, dir, dl) && (real[dl] == '/' || (real[dl] == '\0' && want == WANT_DIR));
}

/* Resolves rel (relative to the manifest's directory) with realpath and insists the result
 * stays inside that directory, so a symlink cannot smuggle /etc/shadow into a package. */
static int resolve_in_dir(struct loader *ld, const char *rel, enum want_kind want, char **out)
{
    /* An absolute path is only ever right for a file of packwright's build tree. */
    int absolute = rel[0] == '/';
    if (absolute && !ld->build_tree)
        return fail(ld, "'%s' must be relative to the manifest's directory", rel);
    struct pw_buf joined = PW_BUF_INIT;
    pw_buf_addf(&joined, "%s/%s", absolute ? "" : ld->dir, rel);
    char *real = realpath(joined.buf, NULL);
    int e = errno;
    pw_buf_release(&joined);
    if (!real)
        return fail(ld, "cannot find '%s': %s", rel, strerror(e));
    int in_tree = ld->build_tree && is_within(real, ld->build_tree, want);
    if (absolute && !in_tree) {
        free(real);
        return fail(ld, "'%s' must be relative to the manifest's directory", rel);
    }
    int inside = in_tree || is_within(real, ld->dir, want);
    struct stat st;
    int rc = 0;
    if (!inside)
        rc = fail(ld, "'%s' leaves the manifest's directory", rel);
    else if (stat(real, &st) < 0)
        rc = fail(ld, "cannot find '%s': %s", rel, strerror(errno));
    else if (want == WANT_DIR && !S_ISDIR(st.st_mode))
        rc = fail(ld, "'%s' is not a directory", rel);
    else if (want == WANT_FILE && S_ISDIR(st.st_mode))
        rc = fail(ld, "'%s' is a directory (use type 'tree' to copy a directory)", rel);
    else if (want == WANT_FILE && !S_ISREG(st.st_mode))
        rc = fail(ld, "'%s' is not a regular file", rel);
    if (rc < 0) {
        free(real);
        return rc;
    }
    *out = real;
    return 0;
}

static int parse_copyright(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    struct pw_buf s = PW_BUF_INIT;
    char *real = NULL;
    int rc = get_string(ld, v, 0, &s);
    if (rc == 0 && !s.len)
        rc = fail(ld, "must not be empty");
    if (rc == 0)
        rc = resolve_in_dir(ld, s.buf, WANT_FILE, &real);
    pw_buf_release(&s);
    if (rc < 0)
        return rc;
    char **dest = (char **)((char *)obj + f->offset);
    free(*dest);
    *dest = real;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Dependencies                                                                                */

struct deps_ctx {
    const char *field;
    struct pw_strvec *out;
};

static int parse_one_dep(struct loader *ld, const cJSON *v, size_t i, void *data)
{
    (void)i;
    struct deps_ctx *dc = data;
    struct pw_buf s = PW_BUF_INIT;
    int rc = get_string(ld, v, 0, &s);
    struct pw_dep dep;
    struct pw_err inner;
    pw_err_init(&inner);
    if (rc == 0 && pw_dep_parse(s.buf, &dep, &inner) < 0)
        rc = fail_from(ld, &inner);
    else if (rc == 0) {
        if (pw_dep_validate(&dep, dc->field, ld->format, &inner) < 0)
            rc = fail_from(ld, &inner);
        struct pw_buf norm = PW_BUF_INIT;
        pw_dep_render_deb(&dep, &norm);
        if (rc == 0)
            pw_strvec_push_owned(dc->out, pw_buf_detach(&norm, NULL));
        pw_buf_release(&norm);
        pw_dep_release(&dep);
    }
    pw_buf_release(&s);
    return rc;
}

static int parse_deps(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    struct pw_strvec *out = (struct pw_strvec *)((char *)obj + f->offset);
    pw_strvec_release(out);
    struct deps_ctx dc = {f->key, out};
    return for_each(ld, v, parse_one_dep, &dc);
}

/* ------------------------------------------------------------------------------------------ */
/* sources                                                                                     */

static int parse_member(struct loader *ld, const cJSON *v, size_t i, void *data)
{
    (void)i;
    struct pw_buf s = PW_BUF_INIT;
    int rc = get_string(ld, v, 0, &s);
    const char *why = rc == 0 ? (s.len ? check_member(ld, s.buf) : "must not be empty") : NULL;
    if (why)
        rc = fail(ld, "'%s' %s", s.buf, why);
    if (rc == 0)
        pw_strvec_push(data, s.buf);
    pw_buf_release(&s);
    return rc;
}

static int parse_extract(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    struct pw_strvec *out = (struct pw_strvec *)((char *)obj + f->offset);
    pw_strvec_release(out);
    return for_each(ld, v, parse_member, out);
}

static int parse_files(struct loader *ld, const struct field *f, const cJSON *v, void *obj);
static int parse_layouts(struct loader *ld, const struct field *f, const cJSON *v, void *obj);

#define SRC(member) offsetof(struct pw_source_spec, member)
#define SOURCE_DOWNLOAD_FIELDS(what)                                                               \
    {"url",      "string", 0,                                                                      \
     parse_line, SRC(url), check_source_url,                                                       \
     "URL",      NULL,     "Where to download " what ": `https://`, `http://` or `file://`."},     \
        {"sha256",         "string",    0,                                                         \
         parse_line,       SRC(sha256), check_sha256,                                              \
         "SHA-256 digest", NULL,        "Expected SHA-256 of the download (64 hex digits)."},      \
        {"sha512",         "string",    0,                                                         \
         parse_line,       SRC(sha512), check_sha512,                                              \
         "SHA-512 digest", NULL,        "Expected SHA-512 of the download (128 hex digits)."},     \
    {                                                                                              \
        "sha512_url", "string", 0, parse_line, SRC(sha512_url), check_source_url, "URL", NULL,     \
            "A `sha512sum`-format file naming the download's SHA-512 (fetched and read first)."    \
    }
#define SOURCE_ARCHIVE_FIELDS                                                                      \
    {"extract",                                                                                    \
     "array of strings",                                                                           \
     0,                                                                                            \
     parse_extract,                                                                                \
     SRC(extract),                                                                                 \
     NULL,                                                                                         \
     NULL,                                                                                         \
     "not an archive",                                                                             \
     "Members to take from a tar archive (relative paths); absent: the download is one file."},    \
        {"extract_optional",                                                                       \
         "array of strings",                                                                       \
         0,                                                                                        \
         parse_extract,                                                                            \
         SRC(extract_optional),                                                                    \
         NULL,                                                                                     \
         NULL,                                                                                     \
         "none",                                                                                   \
         "Members taken when the archive has them (e.g. a directory only newer releases "          \
         "ship); contents naming them should be `optional`."},                                     \
    {                                                                                              \
        "files", "array of objects", 0, parse_files, 0, NULL, NULL, "none",                        \
            "Loose downloads instead of `url`: objects with `url` and one digest (see "            \
            "[files](#files)); `source:NAME/FILE` names each by its URL's file name."              \
    }

static const struct field source_fields[] = {
    {"name", "string", F_REQUIRED, parse_line, SRC(name), check_source_name, "source name", NULL,
     "Name used by contents as `source:NAME/path`; unique within the manifest."},
    SOURCE_DOWNLOAD_FIELDS("it"),
    SOURCE_ARCHIVE_FIELDS,
    {"layouts", "array of objects", 0, parse_layouts, 0, NULL, NULL, "none",
     "Alternative ways the upstream publishes the same files (see [layouts](#layouts)), "
     "instead of `url` or `files`."},
    {"layout", "string", 0, parse_line, SRC(layout), NULL, NULL, "auto",
     "With `layouts`: the name of the one to use, or `auto`: each in order, moving on only "
     "when the first request of a layout answers 404 (not found). The choice is cached for "
     "`--offline`."},
    FIELD_END,
};

static const struct field layout_fields[] = {
    {"name", "string", F_REQUIRED, parse_line, SRC(name), check_source_name, "layout name", NULL,
     "The layout's name, for `layout`; unique within the source."},
    SOURCE_DOWNLOAD_FIELDS("it"),
    SOURCE_ARCHIVE_FIELDS,
    FIELD_END,
};

static const struct field file_fields[] = {
    SOURCE_DOWNLOAD_FIELDS("the file (its last path component names it)"),
    FIELD_END,
};

static void lower(char *s)
{
    for (; s && *s; s++)
        if (*s >= 'A' && *s <= 'F')
            *s = (char)(*s - 'A' + 'a');
}

static int fail_at_key(struct loader *ld, const char *key, const char *fmt, ...) PW_PRINTF(3, 4);
static int fail_at_key(struct loader *ld, const char *key, const char *fmt, ...)
{
    char msg[PW_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t mark = key ? path_push_key(ld, key) : ld->path.len;
    int rc = fail(ld, "%s", msg);
    path_pop(ld, mark);
    return rc;
}

/* One download: an url and exactly one digest. */
static int check_download(struct loader *ld, struct pw_source_spec *s)
{
    if (!s->url)
        return fail_at_key(ld, "url", "is required");
    int digests = !!s->sha256 + !!s->sha512 + !!s->sha512_url;
    if (digests != 1)
        return fail(ld, digests ? "give only one of sha256, sha512 and sha512_url"
                                : "needs one of sha256, sha512 or sha512_url");
    lower(s->sha256);
    lower(s->sha512);
    return 0;
}

/* The keys a source of files or of layouts must not have. */
static int check_no_download(struct loader *ld, const struct pw_source_spec *s, const char *form)
{
    const char *keys[] = {
        s->url ? "url" : NULL,           s->sha256 ? "sha256" : NULL,
        s->sha512 ? "sha512" : NULL,     s->sha512_url ? "sha512_url" : NULL,
        s->extract.n ? "extract" : NULL, s->extract_optional.n ? "extract_optional" : NULL,
        s->nfiles ? "files" : NULL};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (keys[i])
            return fail_at_key(ld, keys[i], "cannot be combined with '%s'", form);
    return 0;
}

static int check_files_or_download(struct loader *ld, struct pw_source_spec *s)
{
    if (!s->nfiles)
        return check_download(ld, s);
    struct pw_source_spec copy = *s;
    copy.nfiles = 0;
    return check_no_download(ld, &copy, "files");
}

static int check_layout_choice(struct loader *ld, struct pw_source_spec *s)
{
    if (!s->layout) {
        s->layout = pw_xstrdup("auto");
        return 0;
    }
    if (!strcmp(s->layout, "auto"))
        return 0;
    struct pw_buf names = PW_BUF_INIT;
    for (size_t i = 0; i < s->nlayouts; i++) {
        if (!strcmp(s->layouts[i].name, s->layout)) {
            pw_buf_release(&names);
            return 0;
        }
        pw_buf_addf(&names, ", %s", s->layouts[i].name);
    }
    int rc = fail_at_key(ld, "layout", "'%s' is not a layout of this source (auto%s)", s->layout,
                         names.buf);
    pw_buf_release(&names);
    return rc;
}

static int check_source(struct loader *ld, struct pw_source_spec *s,
                        const struct pw_source_spec *prev, size_t nprev)
{
    int rc;
    if (s->nlayouts) {
        rc = check_no_download(ld, s, "layouts");
        if (rc == 0)
            rc = check_layout_choice(ld, s);
    } else if (s->layout) {
        rc = fail_at_key(ld, "layout", "needs 'layouts'");
    } else {
        rc = check_files_or_download(ld, s);
    }
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < nprev; i++)
        if (!strcmp(prev[i].name, s->name))
            return fail_at_key(ld, "name", "'%s' is also the name of %s", s->name,
                               prev[i].json_path);
    return 0;
}

static int parse_one_source(struct loader *ld, const cJSON *v, size_t i, void *data)
{
    struct pw_package *p = data;
    struct pw_source_spec *s = &p->sources[i];
    s->json_path = pw_xstrdup(ld->path.buf);
    p->nsources = i + 1;
    int rc = parse_object(ld, source_fields, v, s);
    return rc < 0 ? rc : check_source(ld, s, p->sources, i);
}

static void source_spec_release(struct pw_source_spec *s)
{
    free(s->name);
    free(s->url);
    free(s->sha256);
    free(s->sha512);
    free(s->sha512_url);
    pw_strvec_release(&s->extract);
    pw_strvec_release(&s->extract_optional);
    for (size_t i = 0; i < s->nfiles; i++)
        source_spec_release(&s->files[i]);
    free(s->files);
    free(s->layout);
    for (size_t i = 0; i < s->nlayouts; i++)
        source_spec_release(&s->layouts[i]);
    free(s->layouts);
    free(s->json_path);
}

/* A files entry: named by its URL's last path component, unique within the list. */
static int parse_one_file(struct loader *ld, const cJSON *v, size_t i, void *data)
{
    struct pw_source_spec *owner = data;
    struct pw_source_spec *f = &owner->files[i];
    f->json_path = pw_xstrdup(ld->path.buf);
    owner->nfiles = i + 1;
    int rc = parse_object(ld, file_fields, v, f);
    if (rc == 0)
        rc = check_download(ld, f);
    if (rc < 0)
        return rc;
    const char *slash = strrchr(f->url, '/');
    f->name = pw_xstrdup(slash ? slash + 1 : f->url);
    if (!*f->name || strchr(f->name, '?') || strchr(f->name, '#'))
        return fail_at_key(ld, "url", "'%s' must end with a file name", f->url);
    for (size_t k = 0; k < i; k++)
        if (!strcmp(owner->files[k].name, f->name))
            return fail_at_key(ld, "url", "'%s' is also the file name of %s", f->name,
                               owner->files[k].json_path);
    return 0;
}

static int parse_files(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    (void)f;
    struct pw_source_spec *s = obj;
    int rc;
    s->files = array_items(ld, v, sizeof(*s->files), 1, &rc);
    return rc < 0 ? rc : for_each(ld, v, parse_one_file, s);
}

static int parse_one_layout(struct loader *ld, const cJSON *v, size_t i, void *data)
{
    struct pw_source_spec *owner = data;
    struct pw_source_spec *l = &owner->layouts[i];
    l->json_path = pw_xstrdup(ld->path.buf);
    owner->nlayouts = i + 1;
    int rc = parse_object(ld, layout_fields, v, l);
    if (rc == 0)
        rc = check_files_or_download(ld, l);
    if (rc == 0 && !strcmp(l->name, "auto"))
        rc = fail_at_key(ld, "name", "'auto' is reserved for trying every layout");
    for (size_t k = 0; rc == 0 && k < i; k++)
        if (!strcmp(owner->layouts[k].name, l->name))
            rc = fail_at_key(ld, "name", "'%s' is also the name of %s", l->name,
                             owner->layouts[k].json_path);
    return rc;
}

static int parse_layouts(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    (void)f;
    struct pw_source_spec *s = obj;
    int rc;
    s->layouts = array_items(ld, v, sizeof(*s->layouts), 1, &rc);
    return rc < 0 ? rc : for_each(ld, v, parse_one_layout, s);
}

static void sources_release(struct pw_package *p)
{
    for (size_t i = 0; i < p->nsources; i++)
        source_spec_release(&p->sources[i]);
    free(p->sources);
    p->sources = NULL;
    p->nsources = 0;
}

static int parse_sources(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    (void)f;
    struct pw_package *p = obj;
    sources_release(p);
    int rc;
    p->sources = array_items(ld, v, sizeof(*p->sources), 0, &rc);
    return rc < 0 ? rc : for_each(ld, v, parse_one_source, p);
}

/* ------------------------------------------------------------------------------------------ */
/* contents                                                                                    */

enum { NEEDS_SRC = 1, NEEDS_TARGET = 2, TAKES_MODE = 4 };

static const struct {
    const char *name;
    enum pw_entry_type type;
    unsigned needs;
    const char *doc;
} entry_types[] = {
    {"file", PW_ENTRY_FILE, NEEDS_SRC | TAKES_MODE,
     "A regular file copied from `src`. Mode defaults to 0755 when any execute bit is set on "
     "disk, else 0644."},
    {"config", PW_ENTRY_CONFIG, NEEDS_SRC | TAKES_MODE,
     "A configuration file: a deb conffile (the admin's changes survive upgrades); rpm "
     "`%config`."},
    {"config-noreplace", PW_ENTRY_CONFIG_NOREPLACE, NEEDS_SRC | TAKES_MODE,
     "Like `config`; rpm `%config(noreplace)` keeps a changed file in place and writes the new "
     "one as `.rpmnew`."},
    {"dir", PW_ENTRY_DIR, TAKES_MODE, "A directory the package owns (mode defaults to 0755)."},
    {"symlink", PW_ENTRY_SYMLINK, NEEDS_TARGET, "A symbolic link to `target`."},
    {"ghost", PW_ENTRY_GHOST, TAKES_MODE,
     "rpm only: a file the package owns but does not ship (`%ghost`); skipped for deb."},
    {"tree", PW_ENTRY_TREE, NEEDS_SRC | TAKES_MODE,
     "The directory `src` copied recursively to `dst`; `mode`, `owner` and `group` apply to "
     "every entry below it."},
};

#define N_ENTRY_TYPES (sizeof(entry_types) / sizeof(entry_types[0]))

const char *pw_entry_type_name(enum pw_entry_type t)
{
    for (size_t i = 0; i < N_ENTRY_TYPES; i++)
        if (entry_types[i].type == t)
            return entry_types[i].name;
    return "?";
}

static int parse_entry_type(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    struct pw_buf s = PW_BUF_INIT;
    int rc = get_string(ld, v, 0, &s);
    enum pw_entry_type *dest = (enum pw_entry_type *)((char *)obj + f->offset);
    size_t i = 0;
    while (rc == 0 && i < N_ENTRY_TYPES && strcmp(entry_types[i].name, s.buf))
        i++;
    if (rc == 0 && i == N_ENTRY_TYPES)
        rc = fail(ld,
                  "unknown type '%s' (file, config, config-noreplace, dir, symlink, ghost, "
                  "tree)",
                  s.buf);
    if (rc == 0)
        *dest = entry_types[i].type;
    pw_buf_release(&s);
    return rc;
}

/* "0644", "755", "4755": one to four octal digits. Numbers are refused: JSON has no octal,
 * and 644 (decimal) is not 0644, the classic trap. */
static int parse_mode(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    if (!cJSON_IsString(v))
        return fail(ld, "must be an octal string like \"0644\", not %s", json_kind(v));
    struct pw_buf s = PW_BUF_INIT;
    int rc = get_string(ld, v, 0, &s);
    int mode = 0;
    int ok = rc == 0 && s.len >= 1 && s.len <= 4;
    for (size_t i = 0; ok && i < s.len; i++) {
        ok = s.buf[i] >= '0' && s.buf[i] <= '7';
        mode = mode * 8 + (s.buf[i] - '0');
    }
    if (rc == 0 && !ok)
        rc = fail(ld, "'%s' is not an octal mode like \"0644\"", s.buf);
    if (rc == 0)
        *(int *)((char *)obj + f->offset) = mode;
    pw_buf_release(&s);
    return rc;
}

static int parse_dst(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    struct pw_buf s = PW_BUF_INIT;
    int rc = get_string(ld, v, 0, &s);
    const char *why = rc == 0 ? pw_path_check(s.buf) : NULL;
    if (why)
        rc = fail(ld, "'%s' %s", s.buf, why);
    if (rc == 0)
        *(char **)((char *)obj + f->offset) = pw_buf_detach(&s, NULL);
    pw_buf_release(&s);
    return rc;
}

/* Handled before the other fields (parse_one_entry). */
static int parse_skip(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    (void)ld, (void)f, (void)v, (void)obj;
    return 0;
}

static int parse_optional(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    if (!cJSON_IsBool(v))
        return fail_type(ld, v, "a boolean");
    *(int *)((char *)obj + f->offset) = cJSON_IsTrue(v);
    return 0;
}

/* The text as written (expanded); `encoding` decodes it afterwards (decode_content). */
static int parse_content(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    (void)f;
    struct pw_content_spec *c = obj;
    if (!cJSON_IsString(v))
        return fail_type(ld, v, "a string");
    struct pw_buf text = PW_BUF_INIT;
    struct pw_err inner;
    pw_err_init(&inner);
    if (pw_vars_expand(&ld->vars, v->valuestring, &text, &inner) < 0) {
        pw_buf_release(&text);
        return fail_from(ld, &inner);
    }
    free(c->content);
    c->content = (unsigned char *)pw_buf_detach(&text, &c->content_len);
    c->has_content = 1;
    return 0;
}

static int parse_encoding(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    struct pw_buf s = PW_BUF_INIT;
    int rc = get_string(ld, v, 0, &s);
    if (rc == 0 && strcmp(s.buf, "text") && strcmp(s.buf, "base64"))
        rc = fail(ld, "unknown encoding '%s' (text, base64)", s.buf);
    if (rc == 0)
        *(int *)((char *)obj + f->offset) = !strcmp(s.buf, "base64");
    pw_buf_release(&s);
    return rc;
}

static int base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* RFC 4648 base64 with whitespace ignored and the padding optional, as `base64 -d` and
 * Ansible's b64decode read image-builder's values. NULL on success, else why not. */
static const char *base64_decode(const unsigned char *in, size_t len, struct pw_buf *out,
                                 size_t *bad_at)
{
    unsigned acc = 0;
    int bits = 0, pad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = in[i];
        *bad_at = i;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = base64_value(c);
        if (v < 0)
            return "a character outside the base64 alphabet";
        if (pad)
            return "data after '=' padding";
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            pw_buf_addc(out, (char)((acc >> bits) & 0xff));
        }
    }
    *bad_at = len;
    if (bits >= 6 || pad > 2)
        return "a truncated value";
    return NULL;
}

static int decode_content(struct loader *ld, const cJSON *item, struct pw_content_spec *c)
{
    if (!c->has_content && cJSON_GetObjectItemCaseSensitive(item, "encoding"))
        return fail_at_key(ld, "encoding", "is only allowed with 'content'");
    if (!c->base64)
        return 0;
    struct pw_buf bytes = PW_BUF_INIT;
    size_t at = 0;
    const char *why = base64_decode(c->content, c->content_len, &bytes, &at);
    if (why) {
        pw_buf_release(&bytes);
        return fail_at_key(ld, "content", "is not valid base64: %s (at byte %zu)", why, at);
    }
    free(c->content);
    c->content = (unsigned char *)pw_buf_detach(&bytes, &c->content_len);
    return 0;
}

static const struct field content_fields[] = {
    {"type", "string", 0, parse_entry_type, offsetof(struct pw_content_spec, type), NULL, NULL,
     "file", "One of the entry types below."},
    {"src", "string", 0, parse_line, offsetof(struct pw_content_spec, src), NULL, NULL, NULL,
     "File or directory relative to the manifest's directory (it may not leave it, symlinks "
     "resolved, except into the CMake build tree of the running packwright), or "
     "`source:NAME/path` for a file of a fetched source."},
    {"target", "string", 0, parse_line, offsetof(struct pw_content_spec, target), NULL, NULL, NULL,
     "Target of a symlink (relative or absolute), as the link will hold it."},
    {"dst", "string", F_REQUIRED, parse_dst, offsetof(struct pw_content_spec, dst), NULL, NULL,
     NULL,
     "Absolute, normalised path in the package (no `..`, `.`, `//` or trailing `/`); "
     "unique."},
    {"mode", "octal string", 0, parse_mode, offsetof(struct pw_content_spec, mode), NULL, NULL,
     "from the file", "Permission bits such as `\"0644\"` or `\"4755\"`."},
    {"owner", "string", 0, parse_line, offsetof(struct pw_content_spec, owner), check_account,
     "user name", "root", "Owning user (a name, created by the package's scripts if needed)."},
    {"group", "string", 0, parse_line, offsetof(struct pw_content_spec, group), check_account,
     "group name", "root", "Owning group."},
    {"mtime", "integer", 0, parse_mtime, offsetof(struct pw_content_spec, mtime), NULL, NULL,
     "SOURCE_DATE_EPOCH",
     "Modification time in seconds since 1970; clamped to "
     "SOURCE_DATE_EPOCH."},
    {"content", "string", 0, parse_content, 0, NULL, NULL, NULL,
     "The file's bytes, instead of `src` (types `file`, `config`, `config-noreplace`); "
     "`${KEY}` is expanded, so a build variable can become a file. Mode defaults to 0644."},
    {"encoding", "string", 0, parse_encoding, offsetof(struct pw_content_spec, base64), NULL, NULL,
     "text",
     "How `content` is written: `text` (as is) or `base64` (decoded; whitespace is ignored), "
     "e.g. for a variable that carries a file base64-encoded."},
    {"when", "string", 0, parse_skip, 0, NULL, NULL, "always",
     "The entry exists only when this condition holds (the language of the top-level `when`, "
     "see [Variables](#variables)); otherwise it is not checked further."},
    {"optional", "boolean", 0, parse_optional, offsetof(struct pw_content_spec, optional), NULL,
     NULL, "false",
     "Only with a `source:` src: skip the entry when the fetched source lacks that path (an "
     "`extract_optional` member, or a file only another layout has)."},
    FIELD_END,
};

/* "source:NAME/path" must name a declared source and a relative path inside it. */
static int check_source_ref(struct loader *ld, const char *ref)
{
    const char *name = ref + 7;
    const char *slash = strchr(name, '/');
    if (!slash || slash == name || !slash[1])
        return fail(ld, "'%s' must look like 'source:NAME/path'", ref);
    const char *why = check_member(ld, slash + 1);
    if (why)
        return fail(ld, "'%s': the path %s", ref, why);
    for (size_t i = 0; i < ld->pkg->nsources; i++) {
        const char *s = ld->pkg->sources[i].name;
        if (strlen(s) == (size_t)(slash - name) && !strncmp(s, name, (size_t)(slash - name)))
            return 0;
    }
    return fail(ld, "'%s' names no source of this manifest (see 'sources')", ref);
}

static int check_entry_fields(struct loader *ld, struct pw_content_spec *c, unsigned needs)
{
    const char *tn = pw_entry_type_name(c->type);
    int takes_content = (needs & NEEDS_SRC) && c->type != PW_ENTRY_TREE;
    struct {
        const char *key;
        int present, needed, allowed;
    } rules[] = {
        {"src", c->src != NULL, (needs & NEEDS_SRC) && !c->has_content,
         (needs & NEEDS_SRC) && !c->has_content},
        {"content", c->has_content, 0, takes_content},
        {"target", c->target != NULL, !!(needs & NEEDS_TARGET), !!(needs & NEEDS_TARGET)},
        {"mode", c->mode >= 0, 0, !!(needs & TAKES_MODE)},
        {"optional", c->optional, 0, c->src && !strncmp(c->src, "source:", 7)},
    };
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        int missing = rules[i].needed && !rules[i].present;
        int extra = rules[i].present && !rules[i].allowed;
        if (!missing && !extra)
            continue;
        size_t mark = path_push_key(ld, rules[i].key);
        int rc;
        if (extra && !strcmp(rules[i].key, "src") && c->has_content)
            rc = fail(ld, "give either 'src' or 'content', not both");
        else if (extra && !strcmp(rules[i].key, "optional"))
            rc = fail(ld, "is only allowed with a 'source:' src");
        else
            rc = fail(ld, "is %s for type '%s'", missing ? "required" : "not allowed", tn);
        path_pop(ld, mark);
        return rc;
    }
    return 0;
}

/* A src written as exactly "${KEY}" where KEY came from --var or --vars names a file the user
 * chose on the command line, not the manifest: it may lie anywhere (absolute, or relative to
 * the current directory). */
static int is_user_path(const struct loader *ld, const cJSON *item)
{
    const cJSON *raw = cJSON_GetObjectItemCaseSensitive(item, "src");
    if (!cJSON_IsString(raw) || !ld->given || strncmp(raw->valuestring, "${", 2))
        return 0;
    const char *name = raw->valuestring + 2;
    size_t len = strlen(name);
    if (!len || name[len - 1] != '}' || strchr(name, '}') != name + len - 1)
        return 0;
    char *key = pw_xstrndup(name, len - 1);
    int given = pw_vars_get(ld->given, key) != NULL;
    free(key);
    return given;
}

static int resolve_user_path(struct loader *ld, struct pw_content_spec *c)
{
    char *real = realpath(c->src, NULL);
    struct stat st;
    int rc = 0;
    if (!real || stat(real, &st) < 0)
        rc = fail(ld, "cannot find '%s' (a file given on the command line): %s", c->src,
                  strerror(errno));
    else if (c->type == PW_ENTRY_TREE ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
        rc = fail(ld, "'%s' (a file given on the command line) is not a %s", c->src,
                  c->type == PW_ENTRY_TREE ? "directory" : "regular file");
    if (rc < 0) {
        free(real);
        return rc;
    }
    free(c->src);
    c->src = real;
    return 0;
}

static int resolve_entry_src(struct loader *ld, struct pw_content_spec *c, int user_path)
{
    if (!c->src)
        return 0;
    size_t mark = path_push_key(ld, "src");
    int rc;
    if (!strncmp(c->src, "source:", 7)) {
        rc = check_source_ref(ld, c->src);
    } else if (user_path) {
        rc = resolve_user_path(ld, c);
    } else {
        char *real = NULL;
        rc = resolve_in_dir(ld, c->src, c->type == PW_ENTRY_TREE ? WANT_DIR : WANT_FILE, &real);
        if (rc == 0) {
            free(c->src);
            c->src = real;
        }
    }
    path_pop(ld, mark);
    return rc;
}

static int check_entry(struct loader *ld, const cJSON *item, struct pw_content_spec *c,
                       const struct pw_content_spec *prev, size_t nprev)
{
    size_t t = 0;
    while (entry_types[t].type != c->type)
        t++;
    int rc = check_entry_fields(ld, c, entry_types[t].needs);
    if (rc == 0)
        rc = decode_content(ld, item, c);
    if (rc == 0)
        rc = resolve_entry_src(ld, c, is_user_path(ld, item));
    for (size_t i = 0; rc == 0 && i < nprev; i++)
        if (!strcmp(prev[i].dst, c->dst)) {
            size_t mark = path_push_key(ld, "dst");
            rc = fail(ld, "'%s' is also the dst of %s", c->dst, prev[i].json_path);
            path_pop(ld, mark);
        }
    return rc;
}

/* The `when` member of obj (the manifest, or a contents entry), evaluated before anything
 * else of obj is read: a disabled entry's other values may rely on variables left empty. */
static int eval_when(struct loader *ld, const cJSON *obj, int *enabled)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(obj, "when");
    *enabled = 1;
    if (!w)
        return 0;
    size_t mark = path_push_key(ld, "when");
    struct pw_err inner;
    pw_err_init(&inner);
    int rc = cJSON_IsString(w) ? 0 : fail_type(ld, w, "a string");
    if (rc == 0 && pw_when_eval(&ld->vars, w->valuestring, enabled, &inner) < 0)
        rc = fail_from(ld, &inner);
    path_pop(ld, mark);
    return rc;
}

static int parse_one_entry(struct loader *ld, const cJSON *v, size_t i, void *data)
{
    (void)i;
    struct pw_package *p = data;
    const struct field *tables[] = {content_fields, NULL};
    int enabled = 1;
    int rc = cJSON_IsObject(v) ? check_keys(ld, v, tables, NULL) : fail_type(ld, v, "an object");
    if (rc == 0)
        rc = eval_when(ld, v, &enabled);
    if (rc < 0 || !enabled)
        return rc;
    struct pw_content_spec *c = &p->contents[p->ncontents++];
    c->type = PW_ENTRY_FILE;
    c->mode = -1;
    c->mtime = -1;
    c->json_path = pw_xstrdup(ld->path.buf);
    rc = parse_fields(ld, content_fields, v, c);
    return rc < 0 ? rc : check_entry(ld, v, c, p->contents, p->ncontents - 1);
}

static void contents_release(struct pw_package *p)
{
    for (size_t i = 0; i < p->ncontents; i++) {
        struct pw_content_spec *c = &p->contents[i];
        free(c->src);
        free(c->target);
        free(c->dst);
        free(c->owner);
        free(c->group);
        free(c->json_path);
        free(c->content);
    }
    free(p->contents);
    p->contents = NULL;
    p->ncontents = 0;
}

static int parse_contents(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    (void)f;
    struct pw_package *p = obj;
    contents_release(p);
    int rc;
    p->contents = array_items(ld, v, sizeof(*p->contents), 0, &rc);
    ld->pkg = p;
    return rc < 0 ? rc : for_each(ld, v, parse_one_entry, p);
}

/* ------------------------------------------------------------------------------------------ */
/* scripts                                                                                     */

/* The interpreter is the first word after "#!"; it must be absolute, and a CR at the end of
 * the line (a script saved with Windows line endings) would make the kernel look for
 * "/bin/sh\r", so it is refused here rather than at install time. */
static int script_interpreter(struct loader *ld, const char *rel, const struct pw_buf *body,
                              char **out)
{
    if (body->len < 2 || body->buf[0] != '#' || body->buf[1] != '!')
        return fail(ld, "'%s' does not start with '#!' (an interpreter line like #!/bin/sh)", rel);
    const char *p = body->buf + 2;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *e = p;
    while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
        e++;
    const char *eol = strchr(body->buf, '\n');
    if (eol && eol > body->buf && eol[-1] == '\r')
        return fail(ld, "'%s' has Windows line endings (CRLF)", rel);
    if (p == e || *p != '/')
        return fail(ld, "'%s' must name an absolute interpreter after '#!'", rel);
    *out = pw_xstrndup(p, (size_t)(e - p));
    return 0;
}

static void script_release(struct pw_script *s)
{
    free(s->path);
    free(s->interpreter);
    pw_buf_release(&s->body);
    memset(s, 0, sizeof(*s));
    pw_buf_init(&s->body);
}

static int parse_script(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    struct pw_script *s = (struct pw_script *)((char *)obj + f->offset);
    struct pw_buf rel = PW_BUF_INIT;
    char *real = NULL;
    int rc = get_string(ld, v, 0, &rel);
    if (rc == 0 && !rel.len)
        rc = fail(ld, "must not be empty");
    if (rc == 0)
        rc = resolve_in_dir(ld, rel.buf, WANT_FILE, &real);
    struct pw_buf body = PW_BUF_INIT;
    struct pw_err inner;
    pw_err_init(&inner);
    if (rc == 0 && pw_fs_read_file(real, &body, &inner) < 0)
        rc = fail_from(ld, &inner);
    char *interp = NULL;
    if (rc == 0)
        rc = script_interpreter(ld, rel.buf, &body, &interp);
    pw_buf_release(&rel);
    if (rc < 0) {
        free(real);
        pw_buf_release(&body);
        return rc;
    }
    script_release(s);
    s->path = real;
    s->body = body;
    s->interpreter = interp;
    return 0;
}

#define SCRIPT_FIELD(key, kind, doc)                                                               \
    {                                                                                              \
        key, "string", 0, parse_script, (kind) * sizeof(struct pw_script), NULL, NULL, NULL, doc   \
    }

static const struct field script_fields[] = {
    SCRIPT_FIELD("preinst", PW_SCRIPT_PREINST, "Runs before the files are unpacked."),
    SCRIPT_FIELD("postinst", PW_SCRIPT_POSTINST, "Runs after the files are in place."),
    SCRIPT_FIELD("prerm", PW_SCRIPT_PRERM, "Runs before the files are removed."),
    SCRIPT_FIELD("postrm", PW_SCRIPT_POSTRM,
                 "Runs after the files are removed; also for purge (rpm: after a final erase)."),
    SCRIPT_FIELD("pretrans", PW_SCRIPT_PRETRANS, "rpm only: runs before the transaction."),
    SCRIPT_FIELD("posttrans", PW_SCRIPT_POSTTRANS, "rpm only: runs after the transaction."),
    FIELD_END,
};

const char *pw_script_name(enum pw_script_kind k)
{
    return (unsigned)k < PW_SCRIPT_COUNT ? script_fields[k].key : "?";
}

static int parse_scripts(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    struct pw_script *scripts = (struct pw_script *)((char *)obj + f->offset);
    for (int k = 0; k < PW_SCRIPT_COUNT; k++)
        script_release(&scripts[k]);
    return parse_object(ld, script_fields, v, scripts);
}

/* ------------------------------------------------------------------------------------------ */
/* changelog                                                                                   */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "HH:MM:SS[.frac](Z|+HH:MM|-HH:MM)": seconds of the day minus the zone offset. */
static int parse_time_of_day(const char *s, int64_t *secs)
{
    unsigned h, mi, se, oh = 0, om = 0;
    if (digits(s, 2, &h) || s[2] != ':' || digits(s + 3, 2, &mi) || s[5] != ':' ||
        digits(s + 6, 2, &se) || h > 23 || mi > 59 || se > 60)
        return -1;
    s += 8;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return -1;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    int sign = 0;
    if ((*s == 'Z' || *s == 'z') && !s[1])
        sign = 0;
    else if ((*s == '+' || *s == '-') && !digits(s + 1, 2, &oh) && s[3] == ':' &&
             !digits(s + 4, 2, &om) && !s[6] && oh <= 23 && om <= 59)
        sign = *s == '+' ? 1 : -1;
    else
        return -1;
    *secs = (int64_t)h * 3600 + mi * 60 + se - sign * ((int64_t)oh * 3600 + om * 60);
    return 0;
}

/* RFC 3339 full-date, or date-time; the result in seconds since 1970 (UTC). */
static int parse_rfc3339(const char *s, int64_t *out)
{
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, m, d;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
        digits(s + 8, 2, &d) || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return -1;
    int64_t secs = 0;
    if (s[10] &&
        !((s[10] == 'T' || s[10] == 't' || s[10] == ' ') && !parse_time_of_day(s + 11, &secs)))
        return -1;
    *out = days_from_civil(y, m, d) * 86400 + secs;
    return 0;
}

static int parse_date(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    int rc = parse_line(ld, f, v, obj);
    if (rc < 0)
        return rc;
    struct pw_changelog_entry *e = obj;
    if (parse_rfc3339(e->date, &e->time) < 0)
        return fail(ld,
                    "'%s' is not an RFC 3339 date (2024-05-31) or date-time "
                    "(2024-05-31T12:00:00Z)",
                    e->date);
    if (e->time < 0 || e->time > 4294967295LL)
        return fail(ld, "'%s' must lie between 1970 and 2106", e->date);
    return 0;
}

static const struct field changelog_fields[] = {
    {"version", "string", F_REQUIRED, parse_line, offsetof(struct pw_changelog_entry, version),
     check_changelog_version, "version", NULL,
     "Version the entry describes (`1.2.0` or `1.2.0-1`)."},
    {"date", "string", F_REQUIRED, parse_date, offsetof(struct pw_changelog_entry, date), NULL,
     NULL, NULL, "RFC 3339 date (`2024-05-31`) or date-time (`2024-05-31T12:00:00+02:00`)."},
    {"author", "string", F_REQUIRED, parse_line, offsetof(struct pw_changelog_entry, author),
     check_person, "author", NULL, "`Name <email>`."},
    {"text", "string", F_REQUIRED, parse_text, offsetof(struct pw_changelog_entry, text), NULL,
     NULL, NULL, "What changed; one or more lines."},
    FIELD_END,
};

static void changelog_release(struct pw_package *p)
{
    for (size_t i = 0; i < p->nchangelog; i++) {
        free(p->changelog[i].version);
        free(p->changelog[i].date);
        free(p->changelog[i].author);
        free(p->changelog[i].text);
    }
    free(p->changelog);
    p->changelog = NULL;
    p->nchangelog = 0;
}

static int parse_one_change(struct loader *ld, const cJSON *v, size_t i, void *data)
{
    struct pw_package *p = data;
    p->nchangelog = i + 1;
    return parse_object(ld, changelog_fields, v, &p->changelog[i]);
}

static int parse_changelog(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    (void)f;
    struct pw_package *p = obj;
    changelog_release(p);
    int rc;
    p->changelog = array_items(ld, v, sizeof(*p->changelog), 0, &rc);
    return rc < 0 ? rc : for_each(ld, v, parse_one_change, p);
}

/* ------------------------------------------------------------------------------------------ */
/* The package table                                                                           */

static int parse_arch(struct loader *ld, const struct field *f, const cJSON *v, void *obj);

#define PKG(member) offsetof(struct pw_package, member)
#define DEP_FIELD(member, doc)                                                                     \
    {                                                                                              \
#member, "array of strings", 0, parse_deps, PKG(member), NULL, NULL, NULL, doc             \
    }

/* Every field of a package; each may also appear in overrides.deb and overrides.rpm. The
 * order is the resolution order: arch first (it defines ${arch.*}), sources before contents
 * (contents name them). */
static const struct field package_fields[] = {
    {"arch", "string", 0, parse_arch, PKG(arch), NULL, NULL, "the build host's, or --arch",
     "`amd64`, `arm64`, `all` or another Debian name; uname spellings (`x86_64`, `aarch64`, "
     "`noarch`) are accepted. Translated per format (amd64/x86_64, arm64/aarch64, all/noarch). "
     "`--arch` replaces it unless it is `all`."},
    {"name", "string", F_REQUIRED | F_PER_FORMAT, parse_line, PKG(name), check_pkg_name,
     "package name", NULL,
     "Package name: for deb lowercase letters, digits, `+`, `-`, `.`, at least two characters "
     "(Debian policy 5.6.1)."},
    {"version", "string", F_REQUIRED | F_PER_FORMAT, parse_line, PKG(version), check_version,
     "version", NULL,
     "Upstream version: starts with a digit; `~` marks pre-releases (`1.2~rc1` sorts before "
     "`1.2` in dpkg and rpm); no `-` (rpm) and no `:` (use `epoch`)."},
    {"release", "string", 0, parse_line, PKG(release), check_release, "release", "\"1\"",
     "Packaging revision: letters, digits, `.`, `+`, `~`."},
    {"epoch", "integer", 0, parse_epoch, PKG(epoch), NULL, NULL, "none",
     "Overrides version ordering when upstream numbering goes backwards; never in file names."},
    {"summary", "string", F_REQUIRED, parse_line, PKG(summary), check_summary, "summary", NULL,
     "One line, at most 80 characters (deb synopsis, rpm Summary)."},
    {"description", "string", 0, parse_text, PKG(description), NULL, NULL, "none",
     "Extended description; several lines and blank lines allowed (rendered as deb "
     "continuation lines)."},
    {"maintainer", "string", F_REQUIRED, parse_line, PKG(maintainer), check_person, "maintainer",
     NULL, "`Name <email>` (deb Maintainer, rpm Packager)."},
    {"vendor", "string", 0, parse_line, PKG(vendor), NULL, NULL, "none", "rpm Vendor."},
    {"homepage", "string", 0, parse_line, PKG(homepage), check_url, "URL", "none",
     "Project URL (deb Homepage, rpm URL)."},
    {"license", "string", F_REQUIRED, parse_line, PKG(license), NULL, NULL, NULL,
     "License expression, e.g. `Apache-2.0` (rpm License)."},
    {"section", "string", 0, parse_line, PKG(section), check_section, "section", "none",
     "deb Section, e.g. `admin`, `utils`, `contrib/net`."},
    {"priority", "string", 0, parse_line, PKG(priority), check_priority, "priority", "none",
     "deb Priority: `required`, `important`, `standard`, `optional` or `extra`."},
    {"group", "string", 0, parse_line, PKG(group), NULL, NULL, "none",
     "rpm Group, e.g. `System Environment/Base`."},
    DEP_FIELD(depends, "Packages needed to install and run (deb Depends, rpm Requires)."),
    DEP_FIELD(recommends, "Weak dependencies (deb Recommends, rpm Recommends)."),
    DEP_FIELD(suggests, "Optional extras (deb Suggests, rpm Suggests)."),
    DEP_FIELD(enhances, "Packages this one adds to, without needing them (deb Enhances, rpm "
                        "Enhances): the reverse of suggests."),
    DEP_FIELD(conflicts, "Packages that cannot be installed alongside (no alternatives)."),
    DEP_FIELD(provides, "Virtual names this package provides (only `=` versions)."),
    DEP_FIELD(replaces, "Packages whose files this one takes over (deb Replaces, rpm "
                        "Obsoletes; no alternatives)."),
    DEP_FIELD(breaks, "Versions this one breaks (deb Breaks, rpm Conflicts; no "
                      "alternatives)."),
    {"sources", "array of objects", 0, parse_sources, 0, NULL, NULL, "none",
     "Upstream downloads, see [sources](#sources)."},
    {"contents", "array of objects", 0, parse_contents, 0, NULL, NULL, "none",
     "Files of the package, see [contents](#contents)."},
    {"scripts", "object", 0, parse_scripts, PKG(scripts), NULL, NULL, "none",
     "Maintainer scripts, see [scripts](#scripts)."},
    {"changelog", "array of objects", 0, parse_changelog, 0, NULL, NULL, "none",
     "Newest first, see [changelog](#changelog); becomes changelog.Debian.gz and the rpm "
     "changelog."},
    {"copyright", "string", 0, parse_copyright, PKG(copyright), NULL, NULL, "none",
     "File relative to the manifest's directory; shipped as /usr/share/doc/NAME/copyright "
     "(deb) and as `%license` (rpm)."},
    FIELD_END,
};

/* Fields only the top level has; the loader handles them before any package field. */
static const struct field manifest_fields[] = {
    {"vars", "object", 0, NULL, 0, NULL, NULL, "none",
     "Defaults for `${KEY}`: string, boolean or number values; `--vars` and `--var` win."},
    {"when", "string", 0, NULL, 0, NULL, NULL, "always",
     "Build only when this condition holds, e.g. `\"KEY\"`, `\"!KEY\"` or "
     "`\"a != '' || b\"` (see [Variables](#variables))."},
    {"overrides", "object", 0, NULL, 0, NULL, NULL, "none",
     "`{\"deb\": {...}, \"rpm\": {...}}`: per-format values of any package field; each "
     "replaces the whole top-level value."},
    FIELD_END,
};

static const struct field override_fields[] = {
    {"deb", "object", 0, NULL, 0, NULL, NULL, NULL, "Package fields for the .deb."},
    {"rpm", "object", 0, NULL, 0, NULL, NULL, NULL, "Package fields for the .rpm."},
    FIELD_END,
};

static void set_arch_vars(struct loader *ld, const struct pw_arch *a)
{
    pw_vars_set(&ld->vars, "arch.deb", a->deb);
    pw_vars_set(&ld->vars, "arch.rpm", a->rpm);
    pw_vars_set(&ld->vars, "arch.uname", a->uname);
}

static int parse_arch(struct loader *ld, const struct field *f, const cJSON *v, void *obj)
{
    struct pw_buf s = PW_BUF_INIT;
    int rc = get_string(ld, v, 0, &s);
    const struct pw_arch *a = rc == 0 ? pw_arch_lookup(s.buf) : NULL;
    if (rc == 0 && !a)
        rc = fail(ld,
                  "unknown architecture '%s' (amd64, arm64, all, or a uname name such as "
                  "x86_64)",
                  s.buf);
    pw_buf_release(&s);
    if (rc < 0)
        return rc;
    if (ld->force_arch && strcmp(a->deb, "all"))
        a = pw_arch_lookup(ld->force_arch);
    char **dest = (char **)((char *)obj + f->offset);
    free(*dest);
    *dest = pw_xstrdup(a->deb);
    return 0;
}

/* The value of a package field for the current format: overrides.<format>.KEY, else KEY. The
 * JSON path is set to where it came from. */
static const cJSON *field_value(struct loader *ld, const struct field *f, size_t *mark)
{
    const cJSON *v = ld->override ? cJSON_GetObjectItemCaseSensitive(ld->override, f->key) : NULL;
    *mark = ld->path.len;
    if (v) {
        pw_buf_addf(&ld->path, "overrides.%s.", ld->format);
        add_printable(&ld->path, f->key);
        return v;
    }
    path_push_key(ld, f->key);
    return cJSON_GetObjectItemCaseSensitive(ld->root, f->key);
}

static int resolve_field(struct loader *ld, const struct field *f, struct pw_package *p)
{
    size_t mark;
    const cJSON *v = field_value(ld, f, &mark);
    int rc = 0;
    if (v)
        rc = f->parse(ld, f, v, p);
    else if (f->flags & F_REQUIRED)
        rc = fail(ld, "is required");
    path_pop(ld, mark);
    return rc;
}

static int resolve_package(struct loader *ld, const char *format, struct pw_package *p)
{
    ld->format = format;
    ld->pkg = p;
    const cJSON *ov = cJSON_GetObjectItemCaseSensitive(ld->root, "overrides");
    ld->override = ov ? cJSON_GetObjectItemCaseSensitive(ov, format) : NULL;
    p->manifest_path = pw_xstrdup(ld->file);
    p->manifest_dir = pw_xstrdup(ld->dir);
    p->epoch = -1;
    set_arch_vars(ld, ld->target);
    for (const struct field *f = package_fields; f->key; f++) {
        int rc = resolve_field(ld, f, p);
        if (rc < 0)
            return rc;
        if (f->parse == parse_arch) {
            if (!p->arch)
                p->arch = pw_xstrdup(ld->target->deb);
            const struct pw_arch *a = pw_arch_lookup(p->arch);
            set_arch_vars(ld, strcmp(a->deb, "all") ? a : ld->target);
        }
    }
    if (!p->release)
        p->release = pw_xstrdup("1");
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* vars, when, overrides                                                                       */

/* Numbers as a person wrote them: 3 -> "3", 0.5 -> "0.5" (shortest text that reads back). */
static void number_text(double d, char *out, size_t size)
{
    if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && (double)(int64_t)d == d) {
        snprintf(out, size, "%lld", (long long)d);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

/* A scalar JSON value as a variable's text; NULL for arrays, objects and null. */
static const char *scalar_text(const cJSON *v, char *num, size_t size)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "true" : "false";
    if (cJSON_IsNumber(v)) {
        number_text(v->valuedouble, num, size);
        return num;
    }
    return NULL;
}

static int load_var_defaults(struct loader *ld, const struct pw_vars *given)
{
    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(ld->root, "vars");
    size_t mark = path_push_key(ld, "vars");
    int rc = vars && !cJSON_IsObject(vars) ? fail_type(ld, vars, "an object") : 0;
    for (const cJSON *c = vars ? vars->child : NULL; rc == 0 && c; c = c->next) {
        size_t m2 = path_push_key(ld, c->string);
        char num[64];
        const char *text = scalar_text(c, num, sizeof(num));
        const char *why = pw_vars_check_name(c->string, strlen(c->string));
        if (why)
            rc = fail(ld, "variable name %s", why);
        else if (!strncmp(c->string, "arch.", 5))
            rc = fail(ld, "is reserved (arch.deb, arch.rpm and arch.uname are built in)");
        else if (is_duplicate(vars, c))
            rc = fail(ld, "duplicate key");
        else if (!text)
            rc = fail_type(ld, c, "a string, a boolean or a number");
        else
            pw_vars_set(&ld->vars, c->string, text);
        path_pop(ld, m2);
    }
    path_pop(ld, mark);
    if (rc == 0 && given)
        pw_vars_copy(&ld->vars, given);
    return rc;
}

static int check_overrides(struct loader *ld)
{
    const cJSON *ov = cJSON_GetObjectItemCaseSensitive(ld->root, "overrides");
    if (!ov)
        return 0;
    size_t mark = path_push_key(ld, "overrides");
    const struct field *fmts[] = {override_fields, NULL};
    const struct field *pkg[] = {package_fields, NULL};
    int rc = cJSON_IsObject(ov) ? check_keys(ld, ov, fmts, NULL) : fail_type(ld, ov, "an object");
    for (const cJSON *c = rc == 0 ? ov->child : NULL; rc == 0 && c; c = c->next) {
        size_t m2 = path_push_key(ld, c->string);
        rc = cJSON_IsObject(c) ? check_keys(ld, c, pkg, manifest_fields)
                               : fail_type(ld, c, "an object");
        path_pop(ld, m2);
    }
    path_pop(ld, mark);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Loading                                                                                     */

static void line_col(const char *data, size_t off, unsigned *line, unsigned *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (data[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)data[i] & 0xc0) != 0x80) {
            ++*col;
        }
    }
}

static int syntax_error(struct loader *ld, const char *data, size_t off, const char *what)
{
    unsigned line, col;
    line_col(data, off, &line, &col);
    return pw_err_set(ld->err, PW_E_MANIFEST, "%s:%u:%u: %s", ld->file, line, col, what);
}

/* Far below cJSON's own limit (1000), and far above any real manifest (about 5). */
#define MAX_NESTING 100

/* Syntax is checked by jsonsyntax.c first: cJSON's error offsets are often a byte late. */
static int parse_json(struct loader *ld, const char *data, size_t len, cJSON **out)
{
    size_t off = 0;
    const char *why = pw_json_syntax_check(data, len, MAX_NESTING, &off);
    char what[160];
    if (why && !strncmp(why, "unexpected character", 20)) {
        unsigned char c = (unsigned char)data[off];
        if (c >= 0x20 && c < 0x7f)
            snprintf(what, sizeof(what), "invalid JSON: unexpected '%c'%s", c, why + 20);
        else
            snprintf(what, sizeof(what), "invalid JSON: unexpected byte 0x%02x%s", c, why + 20);
        return syntax_error(ld, data, off, what);
    }
    if (why) {
        snprintf(what, sizeof(what), "invalid JSON: %s", why);
        return syntax_error(ld, data, off, what);
    }
    const char *end = NULL;
    *out = cJSON_ParseWithLengthOpts(data, len + 1, &end, 1); /* + 1: the NUL is the end */
    if (*out)
        return 0;
    off = end && end >= data && end <= data + len ? (size_t)(end - data) : 0;
    return syntax_error(ld, data, off, "invalid JSON");
}

static void name_for_report(struct loader *ld, struct pw_package *p)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(ld->root, "name");
    p->manifest_path = pw_xstrdup(ld->file);
    p->manifest_dir = pw_xstrdup(ld->dir);
    if (!cJSON_IsString(n))
        return;
    struct pw_buf s = PW_BUF_INIT;
    struct pw_err ignored;
    if (pw_vars_expand(&ld->vars, n->valuestring, &s, &ignored) < 0) {
        pw_buf_reset(&s);
        pw_buf_adds(&s, n->valuestring);
    }
    p->name = pw_buf_detach(&s, NULL);
}

static int load_tree(struct loader *ld, struct pw_manifest *m, const struct pw_vars *vars)
{
    if (!cJSON_IsObject(ld->root))
        return fail(ld, "must be a JSON object, not %s", json_kind(ld->root));
    const struct field *top[] = {package_fields, manifest_fields, NULL};
    int rc = check_keys(ld, ld->root, top, NULL);
    if (rc == 0)
        rc = check_overrides(ld);
    if (rc == 0)
        rc = load_var_defaults(ld, vars);
    if (rc == 0)
        rc = eval_when(ld, ld->root, &m->enabled);
    if (rc == 0 && !m->enabled) {
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(ld->root, "when");
        m->when = pw_xstrdup(w->valuestring);
        name_for_report(ld, &m->deb);
        name_for_report(ld, &m->rpm);
        return 0;
    }
    if (rc == 0)
        rc = resolve_package(ld, "deb", &m->deb);
    if (rc == 0)
        rc = resolve_package(ld, "rpm", &m->rpm);
    return rc;
}

static char *manifest_dir_of(const char *file)
{
    const char *slash = strrchr(file, '/');
    char *dir =
        slash ? pw_xstrndup(file, slash == file ? 1 : (size_t)(slash - file)) : pw_xstrdup(".");
    char *real = realpath(dir, NULL);
    free(dir);
    return real;
}

int pw_manifest_load_mem(struct pw_manifest *m, const char *file, const char *data, size_t len,
                         const struct pw_manifest_opts *opts, struct pw_err *err)
{
    memset(m, 0, sizeof(*m));
    struct loader ld = {0};
    ld.file = file;
    ld.err = err;
    ld.force_arch = opts ? opts->arch : NULL;
    ld.build_tree = opts ? opts->build_tree : NULL;
    ld.given = opts ? opts->vars : NULL;
    ld.target = ld.force_arch ? pw_arch_lookup(ld.force_arch) : NULL;
    if (ld.force_arch && !ld.target)
        return pw_err_set(err, PW_E_USAGE, "unknown architecture '%s'", ld.force_arch);
    if (!ld.target)
        ld.target = pw_arch_host();
    ld.dir = manifest_dir_of(file);
    if (!ld.dir)
        return pw_err_errno(err, PW_E_IO, errno, "cannot resolve the directory of '%s'", file);
    pw_vars_init(&ld.vars);
    pw_buf_init(&ld.path);
    struct pw_buf text = PW_BUF_INIT; /* cJSON wants the terminating NUL */
    pw_buf_add(&text, data, len);
    cJSON *root = NULL;
    int rc = parse_json(&ld, text.buf, text.len, &root);
    ld.root = root;
    if (rc == 0)
        rc = load_tree(&ld, m, opts ? opts->vars : NULL);
    cJSON_Delete(root);
    pw_buf_release(&text);
    pw_vars_release(&ld.vars);
    pw_buf_release(&ld.path);
    free(ld.dir);
    if (rc < 0)
        pw_manifest_release(m);
    return rc;
}

/* PATH itself, or PATH/package.json when PATH is a directory. */
static char *manifest_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        size_t len = strlen(path);
        while (len > 1 && path[len - 1] == '/')
            len--;
        struct pw_buf b = PW_BUF_INIT;
        pw_buf_addf(&b, "%.*s/package.json", (int)len, path);
        return pw_buf_detach(&b, NULL);
    }
    return pw_xstrdup(path);
}

int pw_manifest_load_opts(struct pw_manifest *m, const char *path,
                          const struct pw_manifest_opts *opts, struct pw_err *err)
{
    memset(m, 0, sizeof(*m));
    char *file = manifest_file(path);
    struct pw_buf data = PW_BUF_INIT;
    int rc = pw_fs_read_file(file, &data, err);
    if (rc == 0)
        rc = pw_manifest_load_mem(m, file, data.buf, data.len, opts, err);
    pw_buf_release(&data);
    free(file);
    return rc;
}

int pw_manifest_load(struct pw_manifest *m, const char *path, const struct pw_vars *vars,
                     struct pw_err *err)
{
    struct pw_manifest_opts opts = {.vars = vars};
    return pw_manifest_load_opts(m, path, &opts, err);
}

void pw_package_release(struct pw_package *p)
{
    free(p->manifest_path);
    free(p->manifest_dir);
    char **strings[] = {&p->name,        &p->version,    &p->release, &p->arch,     &p->summary,
                        &p->description, &p->maintainer, &p->vendor,  &p->homepage, &p->license,
                        &p->section,     &p->priority,   &p->group,   &p->copyright};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        free(*strings[i]);
    struct pw_strvec *deps[] = {&p->depends,  &p->recommends, &p->suggests, &p->conflicts,
                                &p->provides, &p->replaces,   &p->breaks,   &p->enhances};
    for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++)
        pw_strvec_release(deps[i]);
    contents_release(p);
    sources_release(p);
    for (int k = 0; k < PW_SCRIPT_COUNT; k++)
        script_release(&p->scripts[k]);
    changelog_release(p);
    memset(p, 0, sizeof(*p));
}

void pw_manifest_release(struct pw_manifest *m)
{
    pw_package_release(&m->deb);
    pw_package_release(&m->rpm);
    free(m->when);
    memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------------------------------ */
/* --vars FILE                                                                                 */

int pw_vars_load_file(struct pw_vars *v, const char *path, struct pw_err *err)
{
    struct pw_buf data = PW_BUF_INIT;
    int rc = pw_fs_read_file(path, &data, err);
    struct loader ld = {0};
    ld.file = path;
    ld.err = err;
    pw_buf_init(&ld.path);
    cJSON *root = NULL;
    if (rc == 0)
        rc = parse_json(&ld, data.buf, data.len, &root);
    if (rc == 0 && !cJSON_IsObject(root))
        rc = fail(&ld, "must be a JSON object, not %s", json_kind(root));
    /* Arrays and objects (packer lists and maps) cannot be used in ${...}: skipped. null is
     * how packer leaves a value unset, and image-builder hands it on as an empty string. */
    for (const cJSON *c = rc == 0 ? root->child : NULL; rc == 0 && c; c = c->next) {
        char num[64];
        const char *text = cJSON_IsNull(c) ? "" : scalar_text(c, num, sizeof(num));
        const char *why = pw_vars_check_name(c->string, strlen(c->string));
        size_t mark = path_push_key(&ld, c->string);
        if (why)
            rc = fail(&ld, "variable name %s", why);
        else if (!strncmp(c->string, "arch.", 5))
            rc = fail(&ld, "is reserved (arch.deb, arch.rpm and arch.uname are built in)");
        else if (is_duplicate(root, c))
            rc = fail(&ld, "duplicate key");
        else if (text)
            pw_vars_set(v, c->string, text);
        path_pop(&ld, mark);
    }
    cJSON_Delete(root);
    pw_buf_release(&data);
    pw_buf_release(&ld.path);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* doc/manifest.md, generated from the tables above                                            */

static void md_cell(struct pw_buf *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            pw_buf_addc(out, '\\');
        pw_buf_addc(out, *s);
    }
}

static void doc_table(struct pw_buf *out, const struct field *table)
{
    pw_buf_adds(out, "| key | type | required | default | meaning |\n"
                     "| --- | --- | --- | --- | --- |\n");
    for (const struct field *f = table; f->key; f++) {
        pw_buf_addf(out, "| `%s` | %s | %s | ", f->key, f->type,
                    (f->flags & F_REQUIRED) ? "yes" : "no");
        md_cell(out, f->def ? f->def : "");
        pw_buf_adds(out, " | ");
        md_cell(out, f->doc);
        pw_buf_adds(out, " |\n");
    }
}

static const char doc_intro[] =
    "# Manifest reference (package.json)\n"
    "\n"
    "<!-- Generated by `packwright build --manifest-doc` from the field tables in\n"
    "src/core/manifest.c; a test checks that this file matches. Do not edit by hand. -->\n"
    "\n"
    "A package is described by one JSON object, usually `pkg/NAME/package.json`; "
    "`packwright build PKG` takes the directory or the file. Every key is checked: an unknown "
    "key, a value of the wrong type or a value that dpkg or rpm would refuse is an error that "
    "names the file and the JSON path, for example\n"
    "\n"
    "    packwright: error: pkg/foo/package.json: contents[3].dst: 'usr/bin/foo' must be an "
    "absolute path\n"
    "\n"
    "and the build stops with exit status 3 before anything is written. JSON syntax errors "
    "name the line and column (`FILE:LINE:COL: invalid JSON: ...`).\n"
    "\n"
    "Types are strings unless the table says otherwise. File paths (`src`, scripts, "
    "`copyright`) are relative to the manifest's directory and may not leave it, symlinks "
    "included. One exception: when packwright runs from its own CMake build tree (a directory "
    "holding `CMakeCache.txt`, e.g. `./build/packwright`), `src` may also name files in that "
    "tree (by a relative or an absolute path), so that `pkg/packwright` and "
    "`pkg/packwright-toml` package the binaries built there "
    "(`\"vars\": {\"build_dir\": \"../../build\"}`). The running binary decides this, "
    "never a manifest.\n";

static const char doc_overrides[] =
    "\n## Overrides\n"
    "\n"
    "`overrides.deb` and `overrides.rpm` hold any package field (everything in the first "
    "table). For that format the override replaces the top-level value as a whole (a list is "
    "not merged). Each format is then validated on its own: a name that is valid for rpm but "
    "not for Debian is fine in `overrides.rpm.name`.\n"
    "\n";

static const char doc_vars[] =
    "\n## Variables\n"
    "\n"
    "Every string value (not the files it names) may use `${KEY}`; `$$` is a literal `$`, and "
    "a `$` not followed by `{` or `$` stays as written. Values come from, later winning:\n"
    "\n"
    "1. the manifest's `vars` (defaults);\n"
    "2. each `--vars FILE`, in order: a JSON object whose string, boolean and number values "
    "become variables (`true` becomes `\"true\"`); `null` becomes the empty string (packer's "
    "unset value, which image-builder passes on as empty); arrays and objects are ignored, so "
    "a packer var file works as is;\n"
    "3. each `--var KEY=VALUE`, in order.\n"
    "\n"
    "Names start with a letter or `_` and hold letters, digits, `_`, `.` and `-`. Using an "
    "undefined variable is an error. Values are not expanded again.\n"
    "\n"
    "Built in: `${arch.deb}`, `${arch.rpm}` and `${arch.uname}` spell the package's "
    "architecture per format (`amd64`, `x86_64`, `x86_64`); for an `all` package, and inside "
    "`arch` itself, they spell the target architecture (`--arch`, else the build host's).\n"
    "\n"
    "`when` decides whether the manifest is built (at the top level) or whether a contents "
    "entry exists. It is a condition:\n"
    "\n"
    "- an operand is a variable's name (`KEY`: its value), text with `${...}` references "
    "(`${KEY}`, `v${major}`: the expansion), or quoted text (`'5m'`, `\"\"`: as written);\n"
    "- an operand alone must read as a boolean: true is `true`, `yes`, `on`, `1`; false is "
    "`false`, `no`, `off`, `0` or empty (any case); other values are an error;\n"
    "- `A == B` and `A != B` compare text exactly, so `KEY != ''` asks whether a value was "
    "given;\n"
    "- `!`, `&&` and `||` (in that order of precedence) and parentheses combine them, e.g. "
    "`\"timeout != '' || (settings != '' && !legacy)\"`.\n"
    "\n"
    "Every variable named must be defined (misspellings are errors, whatever the other "
    "operands). A manifest whose `when` is false is checked only up to its top-level keys and "
    "is reported as skipped; a contents entry whose `when` is false is checked for unknown "
    "keys only.\n"
    "\n"
    "A `src` written as exactly `${KEY}`, where KEY is given by `--var` or `--vars` (not by "
    "the manifest's `vars`), names a file the user chose: it may be absolute or relative to "
    "the current directory.\n";

static const char doc_deps[] =
    "\n## Dependencies\n"
    "\n"
    "`depends`, `recommends`, `suggests`, `conflicts`, `provides`, `replaces` and `breaks` are "
    "arrays with one relation per string: `\"name\"`, `\"name (>= 1.2)\"`, or alternatives "
    "`\"a | b (<< 2)\"`. Operators: `<<`, `<=`, `=`, `>=`, `>>` (`<` and `>` mean `<<` and "
    "`>>`). A comma inside one string is an error. For deb the names must be Debian package "
    "names (an `:any` style qualifier is allowed); for rpm they may also be file paths. rpm "
    "gets alternatives as a rich dependency `(a or b < 2)`.\n";

static const char doc_versions[] =
    "\n## Versions and file names\n"
    "\n"
    "The deb version is `[EPOCH:]VERSION-RELEASE`, the rpm EVR is `[EPOCH:]VERSION-RELEASE`; "
    "both order `~` before everything (`1.0~rc1` < `1.0`), so pre-releases use `~`, never `-`. "
    "Output files are `NAME_VERSION-RELEASE_DEBARCH.deb` and "
    "`NAME-VERSION-RELEASE.RPMARCH.rpm`; the epoch never appears in a file name.\n";

static const char doc_time[] =
    "\n## Timestamps\n"
    "\n"
    "File modification times are clamped to SOURCE_DATE_EPOCH (`--source-date-epoch N`, else "
    "the environment variable). When neither is given packwright uses 1704067200 "
    "(2024-01-01T00:00:00Z), so two builds of the same inputs are byte-identical without any "
    "setting.\n";

void pw_manifest_doc(struct pw_buf *out)
{
    pw_buf_adds(out, doc_intro);
    pw_buf_adds(out, "\n## Package fields\n\n");
    doc_table(out, package_fields);
    pw_buf_adds(out, "\n## Manifest-only fields\n\n");
    doc_table(out, manifest_fields);
    pw_buf_adds(out, doc_overrides);
    doc_table(out, override_fields);
    pw_buf_adds(out, "\n## contents\n\nEach entry of `contents` is an object:\n\n");
    doc_table(out, content_fields);
    pw_buf_adds(out, "\nEntry types:\n\n| type | needs | meaning |\n| --- | --- | --- |\n");
    for (size_t i = 0; i < N_ENTRY_TYPES; i++) {
        unsigned n = entry_types[i].needs;
        pw_buf_addf(out, "| `%s` | `dst`%s%s | ", entry_types[i].name,
                    (n & NEEDS_SRC) ? ", `src`" : "", (n & NEEDS_TARGET) ? ", `target`" : "");
        md_cell(out, entry_types[i].doc);
        pw_buf_adds(out, " |\n");
    }
    pw_buf_adds(out, "\n## sources\n\nEach entry of `sources` is an object (see also "
                     "[sources.md](sources.md)) holding one of: `url` with exactly one of "
                     "`sha256`, `sha512` and `sha512_url` (one download, optionally an "
                     "archive); `files` (several loose downloads); or `layouts` (alternatives "
                     "of either kind):\n\n");
    doc_table(out, source_fields);
    pw_buf_adds(out, "\n### layouts\n\nEach entry of a source's `layouts` is an object "
                     "with a `name` and either `url` (with one digest, optionally `extract`) "
                     "or `files`. Contents name the same `source:NAME/path` whatever the "
                     "layout, so every layout should provide the paths they use (or the "
                     "entries are `optional`).\n\n");
    doc_table(out, layout_fields);
    pw_buf_adds(out, "\n### files\n\nEach entry of `files` is an object:\n\n");
    doc_table(out, file_fields);
    pw_buf_adds(out, "\n## scripts\n\nFile paths relative to the manifest's directory; each "
                     "starts with `#!` and an absolute interpreter. packwright wraps them so "
                     "each receives `PACKWRIGHT_ACTION` (install, upgrade, remove, purge, "
                     "abort-*) besides the native arguments.\n\n");
    doc_table(out, script_fields);
    pw_buf_adds(out, "\n## changelog\n\nEach entry of `changelog` (newest first) is an "
                     "object:\n\n");
    doc_table(out, changelog_fields);
    pw_buf_adds(out, doc_vars);
    pw_buf_adds(out, doc_deps);
    pw_buf_adds(out, doc_versions);
    pw_buf_adds(out, doc_time);
}
