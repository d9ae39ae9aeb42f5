/* Name and version rules shared by the manifest loader and the writers, and the two version
 * orderings (dpkg's verrevcmp and rpm's rpmvercmp), reimplemented from their documented
 * algorithms so that validation never needs a package manager on the build host. */
#include "version.h"

#include <stdlib.h>
#include <string.h>

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_lower(int c)
{
    return c >= 'a' && c <= 'z';
}

static int is_alpha(int c)
{
    return is_lower(c) || (c >= 'A' && c <= 'Z');
}

static int is_alnum(int c)
{
    return is_digit(c) || is_alpha(c);
}

/* Debian policy 5.6.1: lowercase letters, digits, '+', '-', '.'; at least two characters;
 * starts with an alphanumeric character. */
const char *pw_name_check_deb(const char *name)
{
    if (!name || !*name)
        return "must not be empty";
    if (!is_digit(name[0]) && !is_lower(name[0]))
        return is_alpha(name[0]) ? "must be lowercase"
                                 : "must start with a lowercase letter or a digit";
    for (const char *c = name; *c; c++) {
        if (is_alpha(*c) && !is_lower(*c))
            return "must be lowercase";
        if (!is_digit(*c) && !is_lower(*c) && !strchr("+-.", *c))
            return "must contain only lowercase letters, digits, '+', '-' and '.'";
    }
    if (strlen(name) < 2)
        return "must be at least two characters long";
    return NULL;
}

/* rpm accepts more than Debian (upper case, '_'), but a name must start with an alphanumeric
 * character and may not hold whitespace or the characters rpm's spec syntax reserves. */
const char *pw_name_check_rpm(const char *name)
{
    if (!name || !*name)
        return "must not be empty";
    if (!is_alnum(name[0]) && name[0] != '_')
        return "must start with a letter, a digit or '_'";
    for (const char *c = name; *c; c++)
        if (!is_alnum(*c) && !strchr("+-._", *c))
            return "must contain only letters, digits, '+', '-', '.' and '_'";
    return NULL;
}

static const char *version_common(const char *v)
{
    if (!v || !*v)
        return "must not be empty";
    if ((v[0] == 'v' || v[0] == 'V') && is_digit(v[1]))
        return "must start with a digit (drop the leading 'v')";
    if (!is_digit(v[0]))
        return "must start with a digit";
    if (strchr(v, ':'))
        return "must not contain ':' (use the epoch field)";
    /* Semver's "1.0.0-rc1" sorts after "1.0.0" in dpkg and is refused by rpm: the classic
     * pre-release trap (goreleaser/nfpm#131). */
    for (const char *d = strchr(v, '-'); d; d = strchr(d + 1, '-'))
        if (is_alpha(d[1]))
            return "marks a pre-release with '-': write '~' instead (1.0~rc1 sorts before 1.0)";
    return NULL;
}

/* The upstream part of a Debian version: [A-Za-z0-9.+~-]. A '-' is allowed because packwright
 * always appends -RELEASE, so dpkg splits at the last hyphen. */
const char *pw_version_check_deb(const char *version)
{
    const char *why = version_common(version);
    if (why)
        return why;
    for (const char *c = version; *c; c++)
        if (!is_alnum(*c) && !strchr(".+~-", *c))
            return "must contain only letters, digits, '.', '+', '~' and '-'";
    return NULL;
}

/* rpm's VERSION: no '-' (it separates version and release); '^' is rpm's post-release mark,
 * which Debian has no equivalent for, so it is refused to keep versions portable. */
const char *pw_version_check_rpm(const char *version)
{
    const char *why = version_common(version);
    if (why)
        return why;
    for (const char *c = version; *c; c++) {
        if (*c == '-')
            return "must not contain '-' (rpm separates version and release with it)";
        if (!is_alnum(*c) && !strchr("._+~", *c))
            return "must contain only letters, digits, '.', '_', '+' and '~'";
    }
    return NULL;
}

/* Debian revision characters ([A-Za-z0-9.+~]) are also valid in an rpm release. */
const char *pw_release_check(const char *release)
{
    if (!release || !*release)
        return "must not be empty";
    for (const char *c = release; *c; c++) {
        if (*c == '-')
            return "must not contain '-'";
        if (!is_alnum(*c) && !strchr(".+~", *c))
            return "must contain only letters, digits, '.', '+' and '~'";
    }
    return NULL;
}

/* ---- dpkg ordering (lib/dpkg/version.c) ---- */

static int deb_order(int c)
{
    if (is_digit(c))
        return 0;
    if (is_alpha(c))
        return c;
    if (c == '~')
        return -1;
    if (c)
        return c + 256;
    return 0;
}

/* Compares the byte ranges [a, ae) and [b, be) as dpkg compares version parts. */
static int verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
    while (a < ae || b < be) {
        int first_diff = 0;
        while ((a < ae && !is_digit(*a)) || (b < be && !is_digit(*b))) {
            int ac = a < ae ? deb_order(*a) : 0;
            int bc = b < be ? deb_order(*b) : 0;
            if (ac != bc)
                return ac - bc;
            a++;
            b++;
        }
        while (a < ae && *a == '0')
            a++;
        while (b < be && *b == '0')
            b++;
        while (a < ae && b < be && is_digit(*a) && is_digit(*b)) {
            if (!first_diff)
                first_diff = *a - *b;
            a++;
            b++;
        }
        if (a < ae && is_digit(*a))
            return 1;
        if (b < be && is_digit(*b))
            return -1;
        if (first_diff)
            return first_diff;
    }
    return 0;
}

struct evr {
    unsigned long long epoch;
    const char *v, *ve; /* version */
    const char *r, *re; /* release / revision; empty range when absent */
};

/* Splits "[EPOCH:]VERSION[-RELEASE]" at the first ':' and the last '-'. */
static void split_evr(const char *s, struct evr *out)
{
    const char *colon = strchr(s, ':');
    out->epoch = 0;
    if (colon) {
        for (const char *c = s; c < colon; c++)
            if (is_digit(*c) && out->epoch < 1000000000ULL)
                out->epoch = out->epoch * 10 + (unsigned)(*c - '0');
        s = colon + 1;
    }
    const char *end = s + strlen(s);
    const char *dash = strrchr(s, '-');
    out->v = s;
    out->ve = dash ? dash : end;
    out->r = dash ? dash + 1 : end;
    out->re = end;
}

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

int pw_version_compare_deb(const char *a, const char *b)
{
    struct evr x, y;
    split_evr(a, &x);
    split_evr(b, &y);
    if (x.epoch != y.epoch)
        return x.epoch > y.epoch ? 1 : -1;
    int rc = verrevcmp(x.v, x.ve, y.v, y.ve);
    if (rc)
        return sign(rc);
    return sign(verrevcmp(x.r, x.re, y.r, y.re));
}

/* ---- rpm ordering (rpmio/rpmvercmp.c) ---- */

static int rpm_sep(const char *p, const char *e)
{
    return p < e && !is_alnum(*p) && *p != '~' && *p != '^';
}

static int rpm_segment_cmp(const char *one, const char *oe, const char *two, const char *te,
                           int isnum)
{
    if (isnum) {
        while (one < oe && *one == '0')
            one++;
        while (two < te && *two == '0')
            two++;
        if (oe - one != te - two)
            return oe - one > te - two ? 1 : -1;
    }
    size_t ol = (size_t)(oe - one), tl = (size_t)(te - two);
    int rc = memcmp(one, two, ol < tl ? ol : tl);
    if (rc)
        return sign(rc);
    return ol == tl ? 0 : (ol > tl ? 1 : -1);
}

static int rpmvercmp(const char *one, const char *oe, const char *two, const char *te)
{
    if (oe - one == te - two && !memcmp(one, two, (size_t)(oe - one)))
        return 0;
    while (one < oe || two < te) {
        while (rpm_sep(one, oe))
            one++;
        while (rpm_sep(two, te))
            two++;
        int o = one < oe ? *one : 0, t = two < te ? *two : 0;
        if (o == '~' || t == '~') { /* tilde sorts before everything, even the end */
            if (o != '~')
                return 1;
            if (t != '~')
                return -1;
            one++, two++;
            continue;
        }
        if (o == '^' || t == '^') { /* caret sorts after the end, before anything else */
            if (!o)
                return -1;
            if (!t)
                return 1;
            if (o != '^')
                return 1;
            if (t != '^')
                return -1;
            one++, two++;
            continue;
        }
        if (!o || !t)
            break;
        int isnum = is_digit(o);
        const char *s1 = one, *s2 = two;
        while (s1 < oe && (isnum ? is_digit(*s1) : is_alpha(*s1)))
            s1++;
        while (s2 < te && (isnum ? is_digit(*s2) : is_alpha(*s2)))
            s2++;
        if (s2 == two) /* numeric segments are newer than alpha ones */
            return isnum ? 1 : -1;
        int rc = rpm_segment_cmp(one, s1, two, s2, isnum);
        if (rc)
            return rc;
        one = s1;
        two = s2;
    }
    if (one >= oe && two >= te)
        return 0;
    return one >= oe ? -1 : 1;
}

int pw_version_compare_rpm(const char *a, const char *b)
{
    struct evr x, y;
    split_evr(a, &x);
    split_evr(b, &y);
    if (x.epoch != y.epoch)
        return x.epoch > y.epoch ? 1 : -1;
    int rc = rpmvercmp(x.v, x.ve, y.v, y.ve);
    if (rc || x.r == x.re || y.r == y.re) /* rpmverCmp: a missing release matches any */
        return rc;
    return rpmvercmp(x.r, x.re, y.r, y.re);
}
