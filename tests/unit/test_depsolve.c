/* depsolve.c: version ordering of both families, filters (patterns, arch, latest N) and the
 * closure: alternatives, versions, virtual packages, rpm file provides, unsatisfiable deps. */
#include <stdlib.h>
#include <string.h>

#include "core/depsolve.h"
#include "tap.h"

static void test_versions(void)
{
    static const struct {
        const char *a, *b;
        int sign;
    } deb[] = {
        {"1.0", "1.0", 0},   {"1.0~rc1", "1.0", -1}, {"1:0.1", "2.0", 1}, {"1.0-1", "1.0-2", -1},
        {"1.0a", "1.0", 1},  {"1.0+b1", "1.0", 1},   {"2.10", "2.9", 1},  {"1.0-1", "1.0", 1},
        {"0:1.0", "1.0", 0}, {"1.0~~", "1.0~", -1},  {"1.001", "1.1", 0},
    };
    for (size_t i = 0; i < sizeof(deb) / sizeof(deb[0]); i++) {
        int c = pw_depsolve_compare(PW_FAMILY_DEB, deb[i].a, deb[i].b);
        TAP_INT_EQ((c > 0) - (c < 0), deb[i].sign, "deb %s vs %s", deb[i].a, deb[i].b);
    }
    static const struct {
        const char *a, *b;
        int sign;
    } rpm[] = {
        {"1.0-1", "1.0-1", 0},      {"1.0-1", "1.0-2", -1},     {"1:1.0-1", "2.0-1", 1},
        {"1.0~rc1-1", "1.0-1", -1}, {"1.0^git1-1", "1.0-1", 1}, {"1.10-1", "1.9-1", 1},
        {"1.0a-1", "1.0-1", 1},     {"1.0", "1.0-5", 0},        {"2.0-1.el9", "2.0-1.el8", 1},
        {"1.0.0-1", "1.0-1", 1},    {"a-1", "1-1", -1},
    };
    for (size_t i = 0; i < sizeof(rpm) / sizeof(rpm[0]); i++) {
        int c = pw_depsolve_compare(PW_FAMILY_RPM, rpm[i].a, rpm[i].b);
        TAP_INT_EQ((c > 0) - (c < 0), rpm[i].sign, "rpm %s vs %s", rpm[i].a, rpm[i].b);
    }
}

static struct pw_upkg *add(struct pw_upkgs *u, const char *name, const char *ver, const char *arch)
{
    struct pw_upkg *p = pw_upkgs_add(u);
    p->name = strdup(name);
    p->version = strdup(ver);
    p->arch = strdup(arch);
    p->location = strdup(name);
    return p;
}

static void deb_depends(struct pw_upkg *p, const char *rel)
{
    struct pw_err err;
    pw_apt_relations_parse(rel, &p->deps, &p->ndeps, &err);
}

static void deb_provides(struct pw_upkg *p, const char *name, const char *ver)
{
    p->provides = realloc(p->provides, (p->nprovides + 1) * sizeof(*p->provides));
    struct pw_urel *r = &p->provides[p->nprovides++];
    r->name = strdup(name);
    r->op = ver ? PW_DEP_EQ : PW_DEP_ANY;
    r->version = ver ? strdup(ver) : NULL;
}

static size_t index_of(const struct pw_upkgs *u, const char *name, const char *ver)
{
    for (size_t i = 0; i < u->n; i++)
        if (!strcmp(u->v[i].name, name) && !strcmp(u->v[i].version, ver))
            return i;
    return (size_t)-1;
}

static char *selection(const struct pw_upkgs *u, const unsigned char *sel)
{
    struct pw_buf b = PW_BUF_INIT;
    for (size_t i = 0; i < u->n; i++)
        if (sel[i])
            pw_buf_addf(&b, "%s%s=%s/%s", b.len ? " " : "", u->v[i].name, u->v[i].version,
                        u->v[i].arch);
    return pw_buf_detach(&b, NULL);
}

static void test_deb_closure(void)
{
    struct pw_upkgs u;
    pw_upkgs_init(&u);
    deb_depends(add(&u, "app", "1.0", "amd64"),
                "libfoo (>= 2.0), mta | postfix, helper, data, missing (>= 1) | gone");
    add(&u, "libfoo", "1.5", "amd64");
    deb_depends(add(&u, "libfoo", "2.1", "amd64"), "libc6");
    add(&u, "libfoo", "2.2", "arm64");
    add(&u, "libc6", "2.36", "amd64");
    add(&u, "postfix", "3.7", "amd64");
    deb_provides(add(&u, "exim4", "4.96", "amd64"), "mta", NULL);
    deb_provides(add(&u, "helper-impl", "1", "amd64"), "helper", NULL);
    deb_depends(add(&u, "data", "1", "all"), "libc6 (>= 2.30), virt (>= 2)");
    deb_provides(add(&u, "virt-old", "1", "amd64"), "virt", NULL);
    deb_provides(add(&u, "virt-new", "1", "amd64"), "virt", "2.5");
    add(&u, "unrelated", "1", "amd64");

    unsigned char *sel = calloc(u.n, 1);
    struct pw_strvec inc = PW_STRVEC_INIT, archs = PW_STRVEC_INIT, problems = PW_STRVEC_INIT;
    pw_strvec_push(&inc, "ap?");
    pw_strvec_push(&archs, "amd64");
    struct pw_depsolve_filter f = {&inc, &archs, 0};
    pw_depsolve_filter(&u, PW_FAMILY_DEB, &f, sel);
    char *s = selection(&u, sel);
    TAP_STR_EQ(s, "app=1.0/amd64", "pattern selects app only");
    free(s);
    size_t added = pw_depsolve_closure(&u, PW_FAMILY_DEB, sel, &problems);
    s = selection(&u, sel);
    TAP_STR_EQ(s,
               "app=1.0/amd64 libfoo=2.1/amd64 libc6=2.36/amd64 exim4=4.96/amd64 "
               "helper-impl=1/amd64 data=1/all virt-new=1/amd64",
               "closure: versioned, virtual (mta), transitive, versioned provides");
    TAP_INT_EQ(added, 6, "six added");
    free(s);
    TAP_INT_EQ(problems.n, 1, "one unsatisfiable dependency");
    TAP_STR_EQ(problems.n ? problems.v[0] : NULL, "app 1.0 amd64: needs 'missing (>= 1) | gone'",
               "reported with alternatives");
    TAP_OK(!sel[index_of(&u, "postfix", "3.7")], "a provider of the first alternative wins");

    /* postfix already chosen: the second alternative satisfies, nothing else added */
    memset(sel, 0, u.n);
    sel[index_of(&u, "app", "1.0")] = 1;
    sel[index_of(&u, "postfix", "3.7")] = 1;
    pw_strvec_release(&problems);
    pw_depsolve_closure(&u, PW_FAMILY_DEB, sel, &problems);
    TAP_OK(!sel[index_of(&u, "exim4", "4.96")], "an alternative already present is used");

    f.include = NULL;
    f.latest = 1;
    pw_depsolve_filter(&u, PW_FAMILY_DEB, &f, sel);
    TAP_OK(sel[index_of(&u, "libfoo", "2.1")] && !sel[index_of(&u, "libfoo", "1.5")],
           "--latest 1 keeps the newest");
    TAP_OK(!sel[index_of(&u, "libfoo", "2.2")], "arch filter drops arm64");
    TAP_OK(sel[index_of(&u, "data", "1")], "all packages kept by the arch filter");
    f.latest = 2;
    pw_depsolve_filter(&u, PW_FAMILY_DEB, &f, sel);
    TAP_OK(sel[index_of(&u, "libfoo", "1.5")], "--latest 2 keeps two");

    pw_strvec_release(&inc);
    pw_strvec_release(&archs);
    pw_strvec_release(&problems);
    free(sel);
    pw_upkgs_release(&u);
}

static void rpm_require(struct pw_upkg *p, const char *name, enum pw_dep_op op, const char *ver)
{
    p->deps = realloc(p->deps, (p->ndeps + 1) * sizeof(*p->deps));
    struct pw_urel *r = calloc(1, sizeof(*r));
    r->name = strdup(name);
    r->op = op;
    r->version = ver ? strdup(ver) : NULL;
    p->deps[p->ndeps].alts = r;
    p->deps[p->ndeps++].nalts = 1;
}

static void test_rpm_closure(void)
{
    struct pw_upkgs u;
    pw_upkgs_init(&u);
    struct pw_upkg *app = add(&u, "app", "1.0-1", "x86_64");
    rpm_require(app, "/bin/sh", PW_DEP_ANY, NULL);
    rpm_require(app, "libbar.so.1()(64bit)", PW_DEP_ANY, NULL);
    rpm_require(app, "tool", PW_DEP_GE, "2.0");
    rpm_require(app, "/usr/share/nowhere", PW_DEP_ANY, NULL);
    pw_strvec_push(&add(&u, "bash", "5.1-1", "x86_64")->files, "/bin/sh");
    deb_provides(add(&u, "libbar", "1-1", "x86_64"), "libbar.so.1()(64bit)", NULL);
    add(&u, "tool", "1.9-1", "noarch");
    add(&u, "tool", "2.0-3", "noarch");
    add(&u, "app-src", "1.0-1", "src");

    unsigned char *sel = calloc(u.n, 1);
    struct pw_strvec inc = PW_STRVEC_INIT, problems = PW_STRVEC_INIT;
    pw_strvec_push(&inc, "app*");
    struct pw_depsolve_filter f = {&inc, NULL, 0};
    pw_depsolve_filter(&u, PW_FAMILY_RPM, &f, sel);
    TAP_OK(!sel[index_of(&u, "app-src", "1.0-1")], "source packages never selected");
    pw_depsolve_closure(&u, PW_FAMILY_RPM, sel, &problems);
    char *s = selection(&u, sel);
    TAP_STR_EQ(s, "app=1.0-1/x86_64 bash=5.1-1/x86_64 libbar=1-1/x86_64 tool=2.0-3/noarch",
               "rpm closure: file provides, soname provides, versions without release");
    free(s);
    TAP_INT_EQ(problems.n, 1, "one problem");
    TAP_STR_EQ(problems.n ? problems.v[0] : NULL, "app 1.0-1 x86_64: needs '/usr/share/nowhere'",
               "file requirement reported");
    pw_strvec_release(&inc);
    pw_strvec_release(&problems);
    free(sel);
    pw_upkgs_release(&u);
}

int main(void)
{
    test_versions();
    test_deb_closure();
    test_rpm_closure();
    return tap_done();
}
