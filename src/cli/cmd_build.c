/* packwright build: manifests in, .deb/.rpm files out. Every manifest is loaded (and so
 * validated) before anything is built, so one invalid manifest fails the run before a single
 * file is written; a package that fails to build leaves none of its files behind. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/jsonw.h"
#include "../core/arch.h"
#include "../core/format.h"
#include "../core/hash.h"
#include "../core/manifest.h"
#include "../core/sources.h"
#include "../core/vars.h"
#include "cli.h"
#include "commands.h"
#include "out.h"

struct build_opts {
    const char *arch;
    const char *cache_dir;
    const char *deb_compression;
    const char *format;
    int json;
    int manifest_doc;
    int offline;
    const char *out;
    const char *rpm_compression;
    const char *sign_key;
    const char *source_date_epoch;
    long long threads;
    struct pw_strvec var;
    struct pw_strvec vars;
};

#define O(m) offsetof(struct build_opts, m)

static const struct pw_opt build_options[] = {
    {"arch", 0, PW_OPT_STRING, O(arch), NULL, "ARCH",
     "target architecture (amd64, arm64, ...): replaces the manifests' arch unless 'all'"},
    {"cache-dir", 0, PW_OPT_STRING, O(cache_dir), NULL, "DIR",
     "download cache (default $PACKWRIGHT_CACHE or $XDG_CACHE_HOME/packwright)"},
    {"deb-compression", 0, PW_OPT_STRING, O(deb_compression), NULL, "M[:L]",
     "data.tar compression: gzip, xz, zstd, none (default xz:6)"},
    {"format", 'f', PW_OPT_STRING, O(format), NULL, "LIST",
     "formats to build, comma-separated (default deb,rpm)"},
    {"json", 0, PW_OPT_FLAG, O(json), NULL, NULL,
     "print what was written (and skipped) as one JSON document"},
    {"manifest-doc", 0, PW_OPT_FLAG, O(manifest_doc), NULL, NULL,
     "print the manifest reference (doc/manifest.md) and exit"},
    {"offline", 0, PW_OPT_FLAG, O(offline), NULL, NULL, "use only the download cache"},
    {"out", 'o', PW_OPT_STRING, O(out), NULL, "DIR", "output directory (default ./dist)"},
    {"rpm-compression", 0, PW_OPT_STRING, O(rpm_compression), NULL, "M[:L]",
     "payload compression: gzip, xz, zstd, none (default gzip:9)"},
    {"sign-key", 0, PW_OPT_STRING, O(sign_key), NULL, "KEYID", "sign rpm packages with this key"},
    {"source-date-epoch", 0, PW_OPT_STRING, O(source_date_epoch), NULL, "N",
     "timestamp for reproducible output (default $SOURCE_DATE_EPOCH, else 1704067200)"},
    {"threads", 0, PW_OPT_INT, O(threads), NULL, "N",
     "compressor threads in all (default: the online CPUs); never changes the bytes"},
    {"var", 0, PW_OPT_LIST, O(var), NULL, "KEY=VALUE", "set a variable (repeatable; wins)"},
    {"vars", 0, PW_OPT_LIST, O(vars), NULL, "FILE",
     "read variables from a JSON object (repeatable)"},
    PW_OPT_TABLE_END,
};

static const struct pw_cmd_spec build_spec = {
    "build",
    "[OPTIONS] PKG...",
    "Build .deb and .rpm packages from manifests (PKG: a directory holding package.json, or a "
    "manifest file).",
    build_options,
    0,
    -1,
};

/* One file written by this run. */
struct output {
    char *path;
    const struct pw_format *fmt;
    const struct pw_package *pkg;
    size_t manifest;
    uint64_t size;
    char sha256[2 * 32 + 1];
};

struct build_run {
    struct build_opts opts;
    const struct pw_format *formats[8];
    size_t nformats;
    struct pw_vars vars;
    struct pw_ctx ctx;
    struct pw_manifest *manifests;
    size_t nmanifests;
    struct output *outputs;
    size_t noutputs;
    struct pw_err err;
    int status;
};

static int parse_formats(struct build_run *r)
{
    const char *list = r->opts.format ? r->opts.format : "deb,rpm";
    char *copy = pw_xstrdup(list);
    int status = -1;
    for (char *p = copy, *next; p && status < 0; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = '\0';
        const struct pw_format *f = pw_format_lookup(p);
        int seen = 0;
        for (size_t i = 0; f && i < r->nformats; i++)
            seen |= r->formats[i] == f;
        if (!f) {
            pw_out_error("build: unknown format '%s' (deb, rpm)", p);
            status = 2;
        } else if (!seen && r->nformats < sizeof(r->formats) / sizeof(r->formats[0]))
            r->formats[r->nformats++] = f;
    }
    free(copy);
    return status;
}

static int setup_ctx(struct build_run *r)
{
    int status = pw_cli_ctx_init(&r->ctx, r->opts.source_date_epoch, r->opts.cache_dir);
    if (status >= 0)
        return status;
    r->ctx.offline = r->opts.offline;
    r->ctx.sign_key = r->opts.sign_key;
    if (r->opts.threads < 0 || r->opts.threads > 256) {
        pw_out_error("build: --threads must be 0 (the online CPUs) to 256");
        return 2;
    }
    r->ctx.threads = (int)r->opts.threads;
    if (r->opts.deb_compression &&
        pw_compression_parse(r->opts.deb_compression, "--deb-compression", &r->ctx.deb_compression,
                             &r->err) < 0)
        return pw_out_fail(&r->err);
    if (r->opts.rpm_compression &&
        pw_compression_parse(r->opts.rpm_compression, "--rpm-compression", &r->ctx.rpm_compression,
                             &r->err) < 0)
        return pw_out_fail(&r->err);
    if (r->opts.arch && !pw_arch_lookup(r->opts.arch)) {
        pw_out_error("build: unknown architecture '%s' (amd64, arm64, all, ...)", r->opts.arch);
        return 2;
    }
    return -1;
}

/* All manifests first: every invalid one is reported, and nothing is built if any is. */
static int load_manifests(struct build_run *r, const struct pw_strvec *pkgs)
{
    char *build_tree = pw_cli_build_tree();
    struct pw_manifest_opts mo = {&r->vars, r->opts.arch, build_tree};
    int status = -1;
    r->manifests = pw_xcalloc(pkgs->n, sizeof(*r->manifests));
    r->nmanifests = pkgs->n;
    for (size_t i = 0; i < pkgs->n; i++) {
        pw_err_init(&r->err);
        if (pw_manifest_load_opts(&r->manifests[i], pkgs->v[i], &mo, &r->err) < 0) {
            int s = pw_out_fail(&r->err);
            if (status < 0)
                status = s;
        }
    }
    free(build_tree);
    return status;
}

static const struct pw_package *package_for(const struct pw_manifest *m,
                                            const struct pw_format *fmt)
{
    return !strcmp(fmt->name, "rpm") ? &m->rpm : &m->deb;
}

static int record_output(struct build_run *r, const char *path, const struct pw_format *fmt,
                         const struct pw_package *pkg, size_t manifest)
{
    struct stat st;
    unsigned char digest[32];
    if (stat(path, &st) < 0 || pw_hash_file(PW_HASH_SHA256, path, digest, &r->err) < 0) {
        if (!r->err.code)
            pw_err_errno(&r->err, PW_E_IO, errno, "cannot stat '%s'", path);
        return -r->err.code;
    }
    r->outputs = pw_xrealloc(r->outputs, (r->noutputs + 1) * sizeof(*r->outputs));
    struct output *o = &r->outputs[r->noutputs++];
    o->path = pw_xstrdup(path);
    o->fmt = fmt;
    o->pkg = pkg;
    o->manifest = manifest;
    o->size = (uint64_t)st.st_size;
    pw_hex(digest, sizeof(digest), o->sha256);
    return 0;
}

/* A failed package leaves no file behind, not even the formats that did build. */
static void remove_outputs_of(struct build_run *r, size_t manifest)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->noutputs; i++) {
        if (r->outputs[i].manifest == manifest) {
            unlink(r->outputs[i].path);
            free(r->outputs[i].path);
            continue;
        }
        r->outputs[kept++] = r->outputs[i];
    }
    r->noutputs = kept;
}

/* Every format of one manifest at once (pw_format_build_jobs): the compressors run side by
 * side. Outputs that did build are recorded even when another failed, so they are removed. */
static int build_manifest(struct build_run *r, size_t mi)
{
    const char *out_dir = r->opts.out ? r->opts.out : "dist";
    size_t n = r->nformats;
    struct pw_sources *sources = pw_xcalloc(n, sizeof(*sources));
    struct pw_format_job *jobs = pw_xcalloc(n, sizeof(*jobs));
    int rc = 0;
    size_t fetched = 0;
    for (; fetched < n && rc == 0; fetched++) {
        struct pw_format_job *j = &jobs[fetched];
        j->fmt = r->formats[fetched];
        j->pkg = package_for(&r->manifests[mi], j->fmt);
        j->sources = &sources[fetched];
        j->path = (struct pw_buf)PW_BUF_INIT;
        pw_sources_init(&sources[fetched]);
        pw_err_init(&j->err);
        rc = j->rc = pw_sources_fetch(j->pkg, &r->ctx, &sources[fetched], &j->err);
    }
    if (rc == 0)
        pw_format_build_jobs(jobs, n, &r->ctx, out_dir);
    rc = 0;
    for (size_t i = 0; i < fetched; i++) {
        struct pw_format_job *j = &jobs[i];
        if (j->rc == 0 && j->path.len)
            j->rc = record_output(r, j->path.buf, j->fmt, j->pkg, mi) < 0 ? -r->err.code : 0;
        else if (j->rc < 0 && rc == 0)
            r->err = j->err;
        if (j->rc < 0 && rc == 0) {
            rc = j->rc;
            pw_err_prefix(&r->err, "building '%s' (%s): ", j->pkg->name, j->fmt->name);
        }
    }
    for (size_t i = 0; i < fetched; i++) {
        pw_sources_release(&sources[i]);
        pw_buf_release(&jobs[i].path);
    }
    free(sources);
    free(jobs);
    return rc;
}

static void note_skipped(const struct pw_manifest *m)
{
    pw_out_note("skipping '%s' (%s): 'when' is false ('%s')", m->deb.name ? m->deb.name : "?",
                m->deb.manifest_path, m->when);
}

static void build_all(struct build_run *r)
{
    for (size_t mi = 0; mi < r->nmanifests; mi++) {
        const struct pw_manifest *m = &r->manifests[mi];
        if (!m->enabled) {
            if (!r->opts.json)
                note_skipped(m);
            continue;
        }
        pw_err_init(&r->err);
        if (build_manifest(r, mi) < 0) {
            r->status = pw_out_fail(&r->err);
            remove_outputs_of(r, mi);
            return;
        }
    }
}

static void full_version(const struct pw_package *p, struct pw_buf *out)
{
    if (p->epoch >= 0)
        pw_buf_addf(out, "%lld:", (long long)p->epoch);
    pw_buf_addf(out, "%s-%s", p->version, p->release);
}

static void write_output_json(struct pw_jsonw *w, const struct output *o)
{
    const struct pw_arch *a = pw_arch_lookup(o->pkg->arch);
    struct pw_buf version = PW_BUF_INIT;
    full_version(o->pkg, &version);
    pw_jsonw_obj_open(w, NULL);
    pw_jsonw_str(w, "path", o->path);
    pw_jsonw_str(w, "format", o->fmt->name);
    pw_jsonw_str(w, "name", o->pkg->name);
    pw_jsonw_str(w, "version", version.buf);
    pw_jsonw_str(w, "arch", !strcmp(o->fmt->name, "rpm") ? a->rpm : a->deb);
    pw_jsonw_int(w, "size", (int64_t)o->size);
    pw_jsonw_str(w, "sha256", o->sha256);
    pw_jsonw_obj_close(w);
    pw_buf_release(&version);
}

static void print_json(const struct build_run *r)
{
    struct pw_buf buf = PW_BUF_INIT;
    struct pw_jsonw w;
    pw_jsonw_init(&w, &buf, 1);
    pw_jsonw_obj_open(&w, NULL);
    pw_jsonw_arr_open(&w, "files");
    for (size_t i = 0; i < r->noutputs; i++)
        write_output_json(&w, &r->outputs[i]);
    pw_jsonw_arr_close(&w);
    pw_jsonw_arr_open(&w, "skipped");
    for (size_t i = 0; i < r->nmanifests; i++) {
        const struct pw_manifest *m = &r->manifests[i];
        if (m->enabled)
            continue;
        pw_jsonw_obj_open(&w, NULL);
        pw_jsonw_str(&w, "manifest", m->deb.manifest_path);
        pw_jsonw_str(&w, "name", m->deb.name);
        pw_jsonw_str(&w, "when", m->when);
        pw_jsonw_obj_close(&w);
    }
    pw_jsonw_arr_close(&w);
    pw_jsonw_obj_close(&w);
    pw_buf_addc(&buf, '\n');
    pw_cli_print(buf.buf, buf.len);
    pw_buf_release(&buf);
}

static void print_text(const struct build_run *r)
{
    for (size_t i = 0; i < r->noutputs; i++)
        printf("%s\n", r->outputs[i].path);
}

static int print_manifest_doc(void)
{
    struct pw_buf doc = PW_BUF_INIT;
    pw_manifest_doc(&doc);
    pw_cli_print(doc.buf, doc.len);
    pw_buf_release(&doc);
    return 0;
}

static int run_build(struct build_run *r, const struct pw_strvec *pkgs)
{
    if (r->opts.manifest_doc)
        return print_manifest_doc();
    if (!pkgs->n) {
        pw_out_error("build: missing arguments (usage: build %s)", build_spec.usage);
        return 2;
    }
    int status = parse_formats(r);
    if (status < 0)
        status = pw_cli_vars_collect(&r->vars, &r->opts.vars, &r->opts.var);
    if (status < 0)
        status = setup_ctx(r);
    if (status < 0)
        status = load_manifests(r, pkgs);
    if (status >= 0)
        return status;
    build_all(r);
    if (r->opts.json)
        print_json(r);
    else
        print_text(r);
    return r->status;
}

static void build_run_release(struct build_run *r)
{
    for (size_t i = 0; i < r->nmanifests; i++)
        pw_manifest_release(&r->manifests[i]);
    free(r->manifests);
    for (size_t i = 0; i < r->noutputs; i++)
        free(r->outputs[i].path);
    free(r->outputs);
    pw_vars_release(&r->vars);
    pw_strvec_release(&r->opts.var);
    pw_strvec_release(&r->opts.vars);
}

int cmd_build(int argc, char **argv)
{
    struct build_run r;
    memset(&r, 0, sizeof(r));
    pw_vars_init(&r.vars);
    pw_err_init(&r.err);
    struct pw_strvec pkgs = PW_STRVEC_INIT;
    int status = pw_cli_parse(&build_spec, &r.opts, argc, argv, &pkgs);
    if (status < 0)
        status = run_build(&r, &pkgs);
    build_run_release(&r);
    pw_strvec_release(&pkgs);
    return status;
}
