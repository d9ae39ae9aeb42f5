/* packwright fetch: download and verify the sources of manifests into the cache, so that a
 * later `packwright build --offline` (on this machine, or one the cache is carried to) needs
 * no network. Packages whose `when` is false are skipped, as build skips them. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/arch.h"
#include "../core/manifest.h"
#include "../core/sources.h"
#include "../core/vars.h"
#include "cli.h"
#include "commands.h"
#include "out.h"

struct fetch_opts {
    const char *arch;
    const char *cache_dir;
    struct pw_strvec var;
    struct pw_strvec vars;
};

#define O(m) offsetof(struct fetch_opts, m)

static const struct pw_opt fetch_options[] = {
    {"arch", 0, PW_OPT_STRING, O(arch), NULL, "ARCH",
     "target architecture, as for build (it may appear in source URLs)"},
    {"cache-dir", 0, PW_OPT_STRING, O(cache_dir), NULL, "DIR",
     "download cache (default $PACKWRIGHT_CACHE or $XDG_CACHE_HOME/packwright)"},
    {"var", 0, PW_OPT_LIST, O(var), NULL, "KEY=VALUE", "set a variable (repeatable; wins)"},
    {"vars", 0, PW_OPT_LIST, O(vars), NULL, "FILE",
     "read variables from a JSON object (repeatable)"},
    PW_OPT_TABLE_END,
};

static const struct pw_cmd_spec fetch_spec = {
    "fetch",
    "[OPTIONS] PKG...",
    "Download and verify the sources of manifests into the cache, for a later 'build "
    "--offline' (use the variables the build will use).",
    fetch_options,
    1,
    -1,
};

struct fetch_run {
    struct fetch_opts opts;
    struct pw_vars vars;
    struct pw_ctx ctx;
    struct pw_err err;
    int status; /* the first failure's exit status, 0 while none */
};

static void fail(struct fetch_run *r)
{
    int s = pw_out_fail(&r->err);
    if (!r->status)
        r->status = s;
    pw_err_init(&r->err);
}

static int setup(struct fetch_run *r)
{
    int status = pw_cli_vars_collect(&r->vars, &r->opts.vars, &r->opts.var);
    if (status < 0)
        status = pw_cli_ctx_init(&r->ctx, NULL, r->opts.cache_dir);
    if (status >= 0)
        return status;
    if (r->opts.arch && !pw_arch_lookup(r->opts.arch)) {
        pw_out_error("fetch: unknown architecture '%s' (amd64, arm64, all, ...)", r->opts.arch);
        return 2;
    }
    return -1;
}

static int same_string(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static int same_strings(const struct pw_strvec *a, const struct pw_strvec *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0)
            return 0;
    return 1;
}

static int same_source(const struct pw_source_spec *a, const struct pw_source_spec *b)
{
    if (!same_string(a->url, b->url) || !same_string(a->sha256, b->sha256) ||
        !same_string(a->sha512, b->sha512) || !same_string(a->sha512_url, b->sha512_url) ||
        !same_strings(&a->extract, &b->extract) ||
        !same_strings(&a->extract_optional, &b->extract_optional) ||
        !same_string(a->layout, b->layout) || a->nfiles != b->nfiles || a->nlayouts != b->nlayouts)
        return 0;
    for (size_t i = 0; i < a->nfiles; i++)
        if (!same_source(&a->files[i], &b->files[i]))
            return 0;
    for (size_t i = 0; i < a->nlayouts; i++)
        if (!same_string(a->layouts[i].name, b->layouts[i].name) ||
            !same_source(&a->layouts[i], &b->layouts[i]))
            return 0;
    return 1;
}

/* The rpm view of a manifest needs its own fetch only if overrides changed its sources. */
static int same_sources(const struct pw_package *a, const struct pw_package *b)
{
    if (a->nsources != b->nsources)
        return 0;
    for (size_t i = 0; i < a->nsources; i++)
        if (!same_source(&a->sources[i], &b->sources[i]))
            return 0;
    return 1;
}

static void report_download(const struct pw_package *pkg, const char *name, const char *part,
                            const struct pw_resolved_source *r)
{
    printf("%s: %s%s%s: %s %s (%s %.16s...)\n", pkg->name, name, part ? "/" : "", part ? part : "",
           r->downloaded ? "downloaded" : "in cache", r->url, pw_hash_name(r->algo),
           r->digest ? r->digest : "");
}

static void report(const struct pw_package *pkg, const struct pw_sources *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct pw_resolved_source *r = &s->v[i];
        if (r->layout)
            printf("%s: %s: layout '%s'\n", pkg->name, r->name, r->layout);
        for (size_t k = 0; k < r->nparts; k++)
            report_download(pkg, r->name, r->parts[k].url_base, &r->parts[k]);
        if (!r->nparts)
            report_download(pkg, r->name, NULL, r);
    }
}

static void fetch_package(struct fetch_run *r, const struct pw_package *pkg)
{
    struct pw_sources s;
    pw_sources_init(&s);
    if (pw_sources_fetch(pkg, &r->ctx, &s, &r->err) < 0) {
        pw_err_prefix(&r->err, "fetching '%s': ", pkg->name);
        fail(r);
    } else {
        report(pkg, &s);
    }
    pw_sources_release(&s);
}

static void fetch_manifest(struct fetch_run *r, const char *path)
{
    struct pw_manifest m;
    char *build_tree = pw_cli_build_tree();
    struct pw_manifest_opts mo = {&r->vars, r->opts.arch, build_tree};
    int rc = pw_manifest_load_opts(&m, path, &mo, &r->err);
    free(build_tree);
    if (rc < 0) {
        fail(r);
    } else if (!m.enabled) {
        pw_out_note("skipping '%s' (%s): 'when' is false ('%s')", m.deb.name ? m.deb.name : "?",
                    m.deb.manifest_path, m.when);
    } else {
        fetch_package(r, &m.deb);
        if (!same_sources(&m.deb, &m.rpm))
            fetch_package(r, &m.rpm);
    }
    pw_manifest_release(&m);
}

int cmd_fetch(int argc, char **argv)
{
    struct fetch_run r;
    memset(&r, 0, sizeof(r));
    pw_vars_init(&r.vars);
    pw_err_init(&r.err);
    struct pw_strvec pkgs = PW_STRVEC_INIT;
    int status = pw_cli_parse(&fetch_spec, &r.opts, argc, argv, &pkgs);
    if (status < 0)
        status = setup(&r);
    if (status < 0) {
        for (size_t i = 0; i < pkgs.n; i++)
            fetch_manifest(&r, pkgs.v[i]);
        status = r.status;
    }
    pw_vars_release(&r.vars);
    pw_strvec_release(&r.opts.var);
    pw_strvec_release(&r.opts.vars);
    pw_strvec_release(&pkgs);
    return status;
}
