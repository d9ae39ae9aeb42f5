/* Filters and dependency closure over an upstream package list (see depsolve.h). */
#include "depsolve.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

/* ---- version ordering ---- */

/* rpm's rule for requirements such as "foo >= 1.0": a side without a release compares equal
 * on the release, so both are compared as "[E:]V" then. */
static int rpm_compare(const char *a, const char *b)
{
    const char *ca = strchr(a, ':'), *cb = strchr(b, ':');
    const char *da = strrchr(ca ? ca : a, '-'), *db = strrchr(cb ? cb : b, '-');
    if (da && db)
        return pw_version_compare_rpm(a, b);
    char *ea = da ? pw_xstrndup(a, (size_t)(da - a)) : NULL;
    char *eb = db ? pw_xstrndup(b, (size_t)(db - b)) : NULL;
    int c = pw_version_compare_rpm(ea ? ea : a, eb ? eb : b);
    free(ea);
    free(eb);
    return c;
}

int pw_depsolve_compare(enum pw_family fam, const char *a, const char *b)
{
    return fam == PW_FAMILY_DEB ? pw_version_compare_deb(a, b) : rpm_compare(a, b);
}

int pw_depsolve_version_matches(enum pw_family fam, const char *v, enum pw_dep_op op,
                                const char *want)
{
    if (op == PW_DEP_ANY)
        return 1;
    if (!v || !want)
        return 0;
    int c = pw_depsolve_compare(fam, v, want);
    switch (op) {
    case PW_DEP_LT:
        return c < 0;
    case PW_DEP_LE:
        return c <= 0;
    case PW_DEP_EQ:
        return c == 0;
    case PW_DEP_GE:
        return c >= 0;
    case PW_DEP_GT:
        return c > 0;
    default:
        return 1;
    }
}

int pw_depsolve_arch_is_all(enum pw_family fam, const char *arch)
{
    return arch && !strcmp(arch, fam == PW_FAMILY_DEB ? "all" : "noarch");
}

/* ---- filter ---- */

static int is_source_arch(enum pw_family fam, const char *arch)
{
    return fam == PW_FAMILY_RPM && (!strcmp(arch, "src") || !strcmp(arch, "nosrc"));
}

static int name_included(const struct pw_strvec *include, const char *name)
{
    if (!include || !include->n)
        return 1;
    for (size_t i = 0; i < include->n; i++)
        if (fnmatch(include->v[i], name, 0) == 0)
            return 1;
    return 0;
}

struct sort_ctx {
    const struct pw_upkgs *u;
    enum pw_family fam;
};

/* qsort has no context argument; the order is only used inside pw_depsolve_filter. */
static _Thread_local struct sort_ctx sort_by;

static int newest_first(const void *pa, const void *pb)
{
    const struct pw_upkg *a = &sort_by.u->v[*(const size_t *)pa];
    const struct pw_upkg *b = &sort_by.u->v[*(const size_t *)pb];
    int c = strcmp(a->name, b->name);
    if (!c)
        c = strcmp(a->arch, b->arch);
    if (!c)
        c = -pw_depsolve_compare(sort_by.fam, a->version, b->version);
    return c;
}

void pw_depsolve_filter(const struct pw_upkgs *u, enum pw_family fam,
                        const struct pw_depsolve_filter *f, unsigned char *selected)
{
    size_t *kept = pw_xmalloc((u->n + 1) * sizeof(*kept)), nkept = 0;
    for (size_t i = 0; i < u->n; i++) {
        const struct pw_upkg *p = &u->v[i];
        selected[i] = 0;
        if (is_source_arch(fam, p->arch) || !name_included(f->include, p->name))
            continue;
        if (f->archs && f->archs->n && !pw_depsolve_arch_is_all(fam, p->arch) &&
            !pw_strvec_contains(f->archs, p->arch))
            continue;
        kept[nkept++] = i;
    }
    sort_by = (struct sort_ctx){u, fam};
    qsort(kept, nkept, sizeof(*kept), newest_first);
    unsigned in_group = 0;
    for (size_t k = 0; k < nkept; k++) {
        const struct pw_upkg *p = &u->v[kept[k]];
        const struct pw_upkg *prev = k ? &u->v[kept[k - 1]] : NULL;
        if (!prev || strcmp(prev->name, p->name) || strcmp(prev->arch, p->arch))
            in_group = 0;
        if (!f->latest || in_group < f->latest)
            selected[kept[k]] = 1;
        in_group++;
    }
    free(kept);
}

/* ---- index: name -> package numbers ---- */

struct bucket {
    const char *key;
    size_t *v;
    size_t n, cap;
};

struct map {
    struct bucket *b;
    size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct bucket *map_find(const struct map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    for (size_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->b[i].key)
            return NULL;
        if (!strcmp(m->b[i].key, key))
            return &m->b[i];
    }
}

static void map_put(struct map *m, const char *key, size_t value);

static void map_grow(struct map *m)
{
    struct map old = *m;
    m->cap = m->cap ? m->cap * 2 : 256;
    m->b = pw_xcalloc(m->cap, sizeof(*m->b));
    m->n = 0;
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.b[i].key)
            continue;
        size_t j = hash_str(old.b[i].key) & (m->cap - 1);
        while (m->b[j].key)
            j = (j + 1) & (m->cap - 1);
        m->b[j] = old.b[i];
        m->n++;
    }
    free(old.b);
}

static void map_put(struct map *m, const char *key, size_t value)
{
    struct bucket *b = map_find(m, key);
    if (!b) {
        if ((m->n + 1) * 2 > m->cap)
            map_grow(m);
        size_t j = hash_str(key) & (m->cap - 1);
        while (m->b[j].key)
            j = (j + 1) & (m->cap - 1);
        b = &m->b[j];
        b->key = key;
        m->n++;
    }
    if (b->n && b->v[b->n - 1] == value)
        return;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 4;
        b->v = pw_xrealloc(b->v, b->cap * sizeof(*b->v));
    }
    b->v[b->n++] = value;
}

static void map_release(struct map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->b[i].v);
    free(m->b);
}

struct solver {
    const struct pw_upkgs *u;
    enum pw_family fam;
    struct map names, provides, files;
    struct pw_strvec archs; /* architectures an all/noarch package is resolved for */
    unsigned char *selected;
    size_t *queue, nqueue;
};

static void solver_index(struct solver *s)
{
    for (size_t i = 0; i < s->u->n; i++) {
        const struct pw_upkg *p = &s->u->v[i];
        map_put(&s->names, p->name, i);
        for (size_t k = 0; k < p->nprovides; k++)
            map_put(&s->provides, p->provides[k].name, i);
        for (size_t k = 0; k < p->files.n; k++)
            map_put(&s->files, p->files.v[k], i);
    }
}

/* The architectures an all/noarch package is resolved for: those of the selected packages,
 * else every one the list has. */
static void solver_archs(struct solver *s, int selected_only)
{
    for (size_t i = 0; i < s->u->n; i++) {
        const struct pw_upkg *p = &s->u->v[i];
        if ((!selected_only || s->selected[i]) && !pw_depsolve_arch_is_all(s->fam, p->arch) &&
            !pw_strvec_contains(&s->archs, p->arch))
            pw_strvec_push(&s->archs, p->arch);
    }
    pw_strvec_sort(&s->archs);
}

static int provide_satisfies(enum pw_family fam, const struct pw_urel *prov,
                             const struct pw_urel *r)
{
    if (strcmp(prov->name, r->name))
        return 0;
    if (r->op == PW_DEP_ANY)
        return 1;
    if (!prov->version) /* rpm: an unversioned provide matches any range; apt: none */
        return fam == PW_FAMILY_RPM;
    if (prov->op != PW_DEP_EQ) /* rpm range provides are rare; accept the overlap */
        return 1;
    return pw_depsolve_version_matches(fam, prov->version, r->op, r->version);
}

static int pkg_satisfies(enum pw_family fam, const struct pw_upkg *p, const struct pw_urel *r)
{
    if (!strcmp(p->name, r->name) &&
        pw_depsolve_version_matches(fam, p->version, r->op, r->version))
        return 1;
    for (size_t k = 0; k < p->nprovides; k++)
        if (provide_satisfies(fam, &p->provides[k], r))
            return 1;
    if (fam == PW_FAMILY_RPM && r->name[0] == '/' && r->op == PW_DEP_ANY)
        return pw_strvec_contains(&p->files, r->name);
    return 0;
}

static int arch_fits(const struct solver *s, const struct pw_upkg *p, const char *ctx)
{
    return !ctx || pw_depsolve_arch_is_all(s->fam, p->arch) || !strcmp(p->arch, ctx);
}

/* Better candidate: the package of that very name, then by name, then the newer version. */
static int better(const struct solver *s, const struct pw_urel *r, size_t a, size_t b)
{
    const struct pw_upkg *pa = &s->u->v[a], *pb = &s->u->v[b];
    int ra = !strcmp(pa->name, r->name), rb = !strcmp(pb->name, r->name);
    if (ra != rb)
        return ra;
    int c = strcmp(pa->name, pb->name);
    if (c)
        return c < 0;
    c = pw_depsolve_compare(s->fam, pa->version, pb->version);
    if (c)
        return c > 0;
    return strcmp(pa->arch, pb->arch) < 0;
}

/* Looks for r among the candidates; with want_selected, only among selected packages.
 * Returns the best package number or -1. */
static long find(const struct solver *s, const struct pw_urel *r, const char *ctx,
                 int want_selected)
{
    const struct map *maps[] = {&s->names, &s->provides, &s->files};
    long best = -1;
    for (size_t m = 0; m < 3; m++) {
        const struct bucket *b = map_find(maps[m], r->name);
        for (size_t k = 0; b && k < b->n; k++) {
            size_t i = b->v[k];
            const struct pw_upkg *p = &s->u->v[i];
            if ((want_selected && !s->selected[i]) || !arch_fits(s, p, ctx) ||
                !pkg_satisfies(s->fam, p, r))
                continue;
            if (want_selected)
                return (long)i;
            if (best < 0 || better(s, r, i, (size_t)best))
                best = (long)i;
        }
    }
    return best;
}

static void describe_rel(enum pw_family fam, const struct pw_urel *r, struct pw_buf *out)
{
    static const char *const deb_ops[] = {"", "<<", "<=", "=", ">=", ">>"};
    static const char *const rpm_ops[] = {"", "<", "<=", "=", ">=", ">"};
    pw_buf_adds(out, r->name);
    if (r->op != PW_DEP_ANY && r->version) {
        const char *op = (fam == PW_FAMILY_DEB ? deb_ops : rpm_ops)[r->op];
        pw_buf_addf(out, fam == PW_FAMILY_DEB ? " (%s %s)" : " %s %s", op, r->version);
    }
}

static void report(struct solver *s, const struct pw_upkg *p, const struct pw_uclause *c,
                   const char *ctx, struct pw_strvec *problems)
{
    struct pw_buf b = PW_BUF_INIT;
    pw_upkg_describe(p, &b);
    pw_buf_adds(&b, ": needs '");
    for (size_t k = 0; k < c->nalts; k++) {
        if (k)
            pw_buf_adds(&b, s->fam == PW_FAMILY_DEB ? " | " : " or ");
        describe_rel(s->fam, &c->alts[k], &b);
    }
    pw_buf_addc(&b, '\'');
    if (ctx && pw_depsolve_arch_is_all(s->fam, p->arch) && s->archs.n > 1)
        pw_buf_addf(&b, " on %s", ctx);
    if (pw_strvec_contains(problems, b.buf))
        pw_buf_release(&b);
    else
        pw_strvec_push_owned(problems, pw_buf_detach(&b, NULL));
}

static void push(struct solver *s, size_t i)
{
    s->selected[i] = 1;
    s->queue[s->nqueue++] = i;
}

/* Satisfies one clause of p for architecture ctx; returns 1 when a package was added. */
static int resolve_clause(struct solver *s, const struct pw_upkg *p, const struct pw_uclause *c,
                          const char *ctx, struct pw_strvec *problems)
{
    for (size_t k = 0; k < c->nalts; k++)
        if (find(s, &c->alts[k], ctx, 1) >= 0)
            return 0;
    for (size_t k = 0; k < c->nalts; k++) {
        long best = find(s, &c->alts[k], ctx, 0);
        if (best >= 0) {
            push(s, (size_t)best);
            return 1;
        }
    }
    report(s, p, c, ctx, problems);
    return 0;
}

size_t pw_depsolve_closure(const struct pw_upkgs *u, enum pw_family fam, unsigned char *selected,
                           struct pw_strvec *problems)
{
    struct solver s;
    memset(&s, 0, sizeof(s));
    s.u = u;
    s.fam = fam;
    s.selected = selected;
    s.queue = pw_xmalloc((u->n + 1) * sizeof(*s.queue));
    solver_index(&s);
    solver_archs(&s, 1);
    if (!s.archs.n)
        solver_archs(&s, 0);
    for (size_t i = 0; i < u->n; i++)
        if (selected[i])
            s.queue[s.nqueue++] = i;
    size_t added = 0;
    while (s.nqueue) {
        const struct pw_upkg *p = &u->v[s.queue[--s.nqueue]];
        /* an all/noarch package needs its dependencies on every architecture mirrored */
        int all = pw_depsolve_arch_is_all(fam, p->arch);
        size_t nctx = all && s.archs.n ? s.archs.n : 1;
        for (size_t c = 0; c < p->ndeps; c++)
            for (size_t x = 0; x < nctx; x++) {
                const char *ctx = !all ? p->arch : s.archs.n ? s.archs.v[x] : NULL;
                added += (size_t)resolve_clause(&s, p, &p->deps[c], ctx, problems);
            }
    }
    free(s.queue);
    map_release(&s.names);
    map_release(&s.provides);
    map_release(&s.files);
    pw_strvec_release(&s.archs);
    return added;
}
