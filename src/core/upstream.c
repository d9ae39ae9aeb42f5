/* What the apt and rpm-md parsers share: the package list and the checks on untrusted
 * locations and digest names. */
#include "upstream.h"

#include <stdlib.h>
#include <string.h>

void pw_upkgs_init(struct pw_upkgs *l)
{
    l->v = NULL;
    l->n = 0;
    l->cap = 0;
}

static void urel_release(struct pw_urel *r)
{
    free(r->name);
    free(r->version);
}

static void upkg_release(struct pw_upkg *p)
{
    free(p->name);
    free(p->version);
    free(p->arch);
    free(p->location);
    free(p->digest);
    free(p->sha256);
    for (size_t i = 0; i < p->ndeps; i++) {
        for (size_t j = 0; j < p->deps[i].nalts; j++)
            urel_release(&p->deps[i].alts[j]);
        free(p->deps[i].alts);
    }
    free(p->deps);
    for (size_t i = 0; i < p->nprovides; i++)
        urel_release(&p->provides[i]);
    free(p->provides);
    pw_strvec_release(&p->files);
}

void pw_upkgs_release(struct pw_upkgs *l)
{
    for (size_t i = 0; i < l->n; i++)
        upkg_release(&l->v[i]);
    free(l->v);
    pw_upkgs_init(l);
}

struct pw_upkg *pw_upkgs_add(struct pw_upkgs *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = pw_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    struct pw_upkg *p = &l->v[l->n++];
    memset(p, 0, sizeof(*p));
    return p;
}

void pw_upkg_describe(const struct pw_upkg *p, struct pw_buf *out)
{
    pw_buf_addf(out, "%s %s %s", p->name ? p->name : "?", p->version ? p->version : "?",
                p->arch ? p->arch : "?");
}

const char *pw_upstream_location_check(const char *loc)
{
    if (!loc || !*loc)
        return "empty";
    if (loc[0] == '/')
        return "absolute";
    if (strstr(loc, "://"))
        return "a URL";
    for (const char *c = loc; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '\\' || *c == '?' || *c == '#')
            return "control or reserved character";
    const char *seg = loc;
    for (;;) {
        size_t n = strcspn(seg, "/");
        if (n == 0)
            return "empty component";
        if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            return "'.' or '..' component";
        if (!seg[n])
            return NULL;
        seg += n + 1;
    }
}

int pw_upstream_hash_algo(const char *name, enum pw_hash_algo *out)
{
    if (!strcmp(name, "sha256")) {
        *out = PW_HASH_SHA256;
        return 0;
    }
    if (!strcmp(name, "sha512")) {
        *out = PW_HASH_SHA512;
        return 0;
    }
    return -1;
}

static int nullcmp(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int upkg_order(const void *pa, const void *pb)
{
    const struct pw_upkg *a = pa, *b = pb;
    int c = nullcmp(a->name, b->name);
    if (!c)
        c = nullcmp(a->arch, b->arch);
    if (!c)
        c = nullcmp(a->version, b->version);
    if (!c)
        c = a->origin < b->origin ? -1 : a->origin > b->origin;
    return c;
}

int pw_upkgs_dedupe(struct pw_upkgs *l, struct pw_err *err)
{
    if (l->n < 2)
        return 0;
    qsort(l->v, l->n, sizeof(*l->v), upkg_order);
    size_t keep = 1;
    int rc = 0;
    for (size_t i = 1; i < l->n; i++) {
        struct pw_upkg *prev = &l->v[keep - 1], *cur = &l->v[i];
        int same = !nullcmp(prev->name, cur->name) && !nullcmp(prev->arch, cur->arch) &&
                   !nullcmp(prev->version, cur->version);
        if (same && (prev->size != cur->size || nullcmp(prev->digest, cur->digest)) && !rc)
            rc = pw_err_set(err, PW_E_FORMAT, "two different files for '%s %s %s' ('%s' and '%s')",
                            cur->name, cur->version, cur->arch, prev->location, cur->location);
        if (same && !rc)
            upkg_release(cur);
        else
            l->v[keep++] = *cur; /* moved: the slot at i is dropped by l->n = keep */
    }
    l->n = keep;
    return rc;
}
