/* Build variables. Values are plain strings: they are never expanded again, so a value holding
 * "${x}" stays literal and expansion cannot loop. */
#include "vars.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void pw_vars_init(struct pw_vars *v)
{
    pw_strvec_init(&v->keys);
    pw_strvec_init(&v->values);
}

void pw_vars_release(struct pw_vars *v)
{
    pw_strvec_release(&v->keys);
    pw_strvec_release(&v->values);
}

void pw_vars_copy(struct pw_vars *dst, const struct pw_vars *src)
{
    for (size_t i = 0; i < src->keys.n; i++)
        pw_vars_set(dst, src->keys.v[i], src->values.v[i]);
}

static long find(const struct pw_vars *v, const char *key, size_t len)
{
    for (size_t i = 0; i < v->keys.n; i++)
        if (strlen(v->keys.v[i]) == len && !memcmp(v->keys.v[i], key, len))
            return (long)i;
    return -1;
}

void pw_vars_set(struct pw_vars *v, const char *key, const char *value)
{
    long i = find(v, key, strlen(key));
    if (i >= 0) {
        free(v->values.v[i]);
        v->values.v[i] = pw_xstrdup(value);
        return;
    }
    pw_strvec_push(&v->keys, key);
    pw_strvec_push(&v->values, value);
}

const char *pw_vars_get(const struct pw_vars *v, const char *key)
{
    long i = v ? find(v, key, strlen(key)) : -1;
    return i >= 0 ? v->values.v[i] : NULL;
}

static int is_key_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

const char *pw_vars_check_name(const char *key, size_t len)
{
    if (!len)
        return "must not be empty";
    if (!((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= 'A' && key[0] <= 'Z') || key[0] == '_'))
        return "must start with a letter or '_'";
    for (size_t i = 0; i < len; i++)
        if (!is_key_char(key[i]))
            return "must contain only letters, digits, '_', '.' and '-'";
    return NULL;
}

int pw_vars_parse_assignment(struct pw_vars *v, const char *arg, struct pw_err *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq)
        return pw_err_set(err, PW_E_USAGE, "--var '%s': expected KEY=VALUE", arg);
    const char *why = pw_vars_check_name(arg, (size_t)(eq - arg));
    if (!why && !strncmp(arg, "arch.", 5))
        why = "is reserved (arch.deb, arch.rpm and arch.uname follow the package's arch)";
    if (why)
        return pw_err_set(err, PW_E_USAGE, "--var '%s': variable name '%.*s' %s", arg,
                          (int)(eq - arg), arg, why);
    char *key = pw_xstrndup(arg, (size_t)(eq - arg));
    pw_vars_set(v, key, eq + 1);
    free(key);
    return 0;
}

static int expand_ref(const struct pw_vars *v, const char **pp, struct pw_buf *out,
                      struct pw_err *err)
{
    const char *start = *pp + 2;
    const char *close = strchr(start, '}');
    if (!close)
        return pw_err_set(err, PW_E_MANIFEST, "unterminated '${' (write '$$' for a literal '$')");
    size_t len = (size_t)(close - start);
    const char *why = pw_vars_check_name(start, len);
    if (why)
        return pw_err_set(err, PW_E_MANIFEST, "variable name '%.*s' %s", (int)len, start, why);
    long i = find(v, start, len);
    if (i < 0)
        return pw_err_set(err, PW_E_MANIFEST, "undefined variable '%.*s'", (int)len, start);
    pw_buf_adds(out, v->values.v[i]);
    *pp = close + 1;
    return 0;
}

int pw_vars_expand(const struct pw_vars *v, const char *s, struct pw_buf *out, struct pw_err *err)
{
    static const struct pw_vars none = {PW_STRVEC_INIT, PW_STRVEC_INIT};
    if (!v)
        v = &none;
    const char *p = s;
    while (*p) {
        const char *dollar = strchr(p, '$');
        if (!dollar) {
            pw_buf_adds(out, p);
            break;
        }
        pw_buf_add(out, p, (size_t)(dollar - p));
        p = dollar;
        if (p[1] == '$') {
            pw_buf_addc(out, '$');
            p += 2;
        } else if (p[1] == '{') {
            int rc = expand_ref(v, &p, out, err);
            if (rc < 0)
                return rc;
        } else {
            pw_buf_addc(out, '$'); /* "$PATH" in a description stays as written */
            p++;
        }
    }
    return 0;
}

int pw_vars_truthy(const char *value)
{
    static const char *const yes[] = {"true", "1", "yes", "on"};
    static const char *const no[] = {"false", "0", "no", "off", ""};
    if (!value)
        return -1;
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!strcasecmp(value, yes[i]))
            return 1;
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (!strcasecmp(value, no[i]))
            return 0;
    return -1;
}
