/* Sources with loose `files`, alternative `layouts` (auto: fall back only when the first
 * request finds nothing; the choice cached for --offline), `extract_optional` members and
 * `optional` contents, over file:// URLs from a gVisor-like release tree. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/contents.h"
#include "core/ctx.h"
#include "core/manifest.h"
#include "core/sources.h"
#include "core/vars.h"
#include "sources_fixture.h"
#include "tap.h"

static char *top;   /* sandbox */
static char *cache; /* top/cache */
static char *rel;   /* top/rel/VERSION: the release directories */

static char *path_of(const char *a, const char *b)
{
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/%s", a, b);
    return pw_buf_detach(&p, NULL);
}

/* "HEX  NAME\n" for the file dir/name, written to dir/name.sha512. */
static void write_sha512(const char *dir, const char *name)
{
    char hex[129];
    char *file = path_of(dir, name);
    fixture_file_hex(PW_HASH_SHA512, file, hex);
    struct pw_buf sum = PW_BUF_INIT, sum_path = PW_BUF_INIT;
    pw_buf_addf(&sum, "%s  %s\n", hex, name);
    pw_buf_addf(&sum_path, "%s.sha512", file);
    sandbox_write(sum_path.buf, sum.buf, sum.len);
    pw_buf_release(&sum);
    pw_buf_release(&sum_path);
    free(file);
}

static void put(const char *dir, const char *name, const char *body)
{
    char *p = path_of(dir, name);
    sandbox_write(p, body, strlen(body));
    free(p);
}

/* A release VERSION with the tarball layout (with_bin: gvisor-bin/ inside), the loose binaries
 * layout, or both; each file with its .sha512. */
static void release(const char *version, int tarball, int binaries, int with_bin)
{
    char *dir = path_of(rel, version);
    pw_fs_mkdir_p(dir, 0755, NULL);
    /* The version in every file keeps releases apart in the content-addressed cache. */
    struct pw_buf stamp = PW_BUF_INIT;
    pw_buf_addf(&stamp, "release %s\n", version);
    if (tarball) {
        struct tar_member m[] = {{"./runsc", "tar runsc\n", NULL, NULL},
                                 {"./VERSION", stamp.buf, NULL, NULL},
                                 {"./containerd-shim-runsc-v1", "tar shim\n", NULL, NULL},
                                 {with_bin ? "./gvisor-bin" : NULL, NULL, NULL, NULL},
                                 {"./gvisor-bin/gvisor_sentry", "sentry\n", NULL, NULL},
                                 {NULL, NULL, NULL, NULL}};
        char *tar = path_of(dir, "gvisor.tar.bz2");
        fixture_tar(tar, ARCHIVE_FILTER_BZIP2, m);
        write_sha512(dir, "gvisor.tar.bz2");
        free(tar);
    }
    if (binaries) {
        struct pw_buf body = PW_BUF_INIT;
        pw_buf_addf(&body, "loose runsc\n%s", stamp.buf);
        put(dir, "runsc", body.buf);
        pw_buf_reset(&body);
        pw_buf_addf(&body, "loose shim\n%s", stamp.buf);
        put(dir, "containerd-shim-runsc-v1", body.buf);
        pw_buf_release(&body);
        write_sha512(dir, "runsc");
        write_sha512(dir, "containerd-shim-runsc-v1");
    }
    pw_buf_release(&stamp);
    free(dir);
}

static const char manifest_text[] =
    "{\"name\": \"gv\", \"version\": \"1\", \"summary\": \"s\", \"license\": \"MIT\",\n"
    " \"maintainer\": \"A B <a@b.c>\",\n"
    " \"vars\": {\"version\": \"1\", \"layout\": \"auto\"},\n"
    " \"sources\": [{\"name\": \"gvisor\", \"layout\": \"${layout}\", \"layouts\": [\n"
    "   {\"name\": \"tarball\", \"url\": \"file://${base}/${version}/gvisor.tar.bz2\",\n"
    "    \"sha512_url\": \"file://${base}/${version}/gvisor.tar.bz2.sha512\",\n"
    "    \"extract\": [\"runsc\", \"containerd-shim-runsc-v1\"],\n"
    "    \"extract_optional\": [\"gvisor-bin/\"]},\n"
    "   {\"name\": \"binaries\", \"files\": [\n"
    "     {\"url\": \"file://${base}/${version}/runsc\",\n"
    "      \"sha512_url\": \"file://${base}/${version}/runsc.sha512\"},\n"
    "     {\"url\": \"file://${base}/${version}/containerd-shim-runsc-v1\",\n"
    "      \"sha512_url\": \"file://${base}/${version}/containerd-shim-runsc-v1.sha512\"}]}]}],\n"
    " \"contents\": [\n"
    "   {\"src\": \"source:gvisor/runsc\", \"dst\": \"/usr/bin/runsc\", \"mode\": \"0755\"},\n"
    "   {\"src\": \"source:gvisor/containerd-shim-runsc-v1\", \"dst\": \"/usr/bin/shim\"},\n"
    "   {\"type\": \"tree\", \"src\": \"source:gvisor/gvisor-bin\", \"dst\": "
    "\"/usr/bin/gvisor-bin\",\n"
    "    \"optional\": true}]}\n";

struct run {
    struct pw_manifest m;
    struct pw_sources s;
    struct pw_err err;
    int rc;
};

/* Loads the manifest for version and layout, then fetches its sources. */
static void fetch(struct run *r, const char *version, const char *layout, int offline)
{
    struct pw_vars vars;
    pw_vars_init(&vars);
    pw_vars_set(&vars, "base", rel);
    pw_vars_set(&vars, "version", version);
    pw_vars_set(&vars, "layout", layout);
    struct pw_manifest_opts opts = {.vars = &vars};
    char *file = path_of(top, "package.json");
    pw_err_init(&r->err);
    pw_sources_init(&r->s);
    r->rc = pw_manifest_load_mem(&r->m, file, manifest_text, strlen(manifest_text), &opts, &r->err);
    if (r->rc == 0) {
        struct pw_ctx ctx;
        pw_ctx_init(&ctx);
        ctx.cache_dir = cache;
        ctx.offline = offline;
        r->rc = pw_sources_fetch(&r->m.deb, &ctx, &r->s, &r->err);
    }
    free(file);
    pw_vars_release(&vars);
}

static void done(struct run *r)
{
    pw_sources_release(&r->s);
    pw_manifest_release(&r->m);
}

static char *read_ref(struct run *r, const char *ref)
{
    struct pw_buf out = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    const char *p = pw_sources_path(&r->s, ref, &out, &err);
    char *text = p ? sandbox_read(p) : NULL;
    pw_buf_release(&out);
    return text;
}

static void expect_ref(struct run *r, const char *ref, const char *want, const char *what)
{
    char *got = read_ref(r, ref);
    TAP_STR_EQ(got, want, "%s: %s", what, ref);
    free(got);
}

/* The paths pw_contents_build makes of the manifest with these sources, space-separated. */
static void expect_files(struct run *r, const char *want, const char *what)
{
    struct pw_contents c;
    struct pw_ctx ctx;
    struct pw_err err;
    pw_ctx_init(&ctx);
    pw_contents_init(&c);
    pw_err_init(&err);
    struct pw_buf got = PW_BUF_INIT;
    if (pw_contents_build(&c, &r->m.deb, &r->s, &ctx, &err) < 0)
        pw_buf_addf(&got, "error: %s", err.msg);
    for (size_t i = 0; i < c.n; i++)
        if (!(c.files[i].flags & PW_FLAG_IMPLICIT))
            pw_buf_addf(&got, "%s%s", got.len ? " " : "", c.files[i].path);
    TAP_STR_EQ(got.buf, want, "%s: contents", what);
    pw_buf_release(&got);
    pw_contents_release(&c);
}

static void test_auto_prefers_the_tarball(void)
{
    release("20260817.0", 1, 1, 1);
    struct run r;
    fetch(&r, "20260817.0", "auto", 0);
    TAP_INT_EQ(r.rc, 0, "both layouts published: %s", r.err.msg);
    TAP_STR_EQ(r.s.v[0].layout, "tarball", "auto takes the first layout");
    expect_ref(&r, "gvisor/runsc", "tar runsc\n", "from the tarball");
    TAP_OK(pw_sources_exists(&r.s, "gvisor/gvisor-bin/gvisor_sentry"), "gvisor-bin/ extracted");
    expect_files(&r,
                 "/usr/bin/gvisor-bin /usr/bin/gvisor-bin/gvisor_sentry /usr/bin/runsc "
                 "/usr/bin/shim",
                 "tarball with gvisor-bin/");
    done(&r);
}

static void test_auto_falls_back_to_binaries(void)
{
    release("20250101", 0, 1, 0);
    struct run r;
    fetch(&r, "20250101", "auto", 0);
    TAP_INT_EQ(r.rc, 0, "only loose binaries: %s", r.err.msg);
    TAP_STR_EQ(r.s.v[0].layout, "binaries", "auto fell back to the binaries");
    TAP_INT_EQ(r.s.v[0].nparts, 2, "two parts");
    expect_ref(&r, "gvisor/runsc", "loose runsc\nrelease 20250101\n",
               "the same reference, the other layout");
    expect_ref(&r, "gvisor/containerd-shim-runsc-v1", "loose shim\nrelease 20250101\n", "the shim");
    TAP_OK(!pw_sources_exists(&r.s, "gvisor/gvisor-bin"), "no gvisor-bin/ in this layout");
    TAP_OK(read_ref(&r, "gvisor/nope") == NULL, "an unknown file is an error");
    expect_files(&r, "/usr/bin/runsc /usr/bin/shim", "optional tree skipped");
    done(&r);

    /* Offline, the cached choice leads to the same layout without asking. */
    char *gone = path_of(rel, "20250101");
    struct pw_err err;
    pw_err_init(&err);
    pw_fs_remove_tree(gone, &err);
    free(gone);
    fetch(&r, "20250101", "auto", 1);
    TAP_INT_EQ(r.rc, 0, "offline with the release gone: %s", r.err.msg);
    TAP_STR_EQ(r.s.v[0].layout, "binaries", "offline: the cached choice");
    expect_ref(&r, "gvisor/runsc", "loose runsc\nrelease 20250101\n", "offline: the cached file");
    done(&r);
}

static void test_tarball_without_gvisor_bin(void)
{
    release("20260101", 1, 0, 0);
    struct run r;
    fetch(&r, "20260101", "tarball", 0);
    TAP_INT_EQ(r.rc, 0, "a tarball without gvisor-bin/: %s", r.err.msg);
    TAP_OK(r.s.v[0].layout && !strcmp(r.s.v[0].layout, "tarball"), "the layout asked for");
    expect_files(&r, "/usr/bin/runsc /usr/bin/shim", "extract_optional member absent");
    done(&r);
}

static void test_missing_everywhere(void)
{
    struct run r;
    fetch(&r, "19990101", "auto", 0);
    TAP_INT_EQ(r.rc, -PW_E_NETWORK, "no layout published: %s", r.err.msg);
    TAP_OK(strstr(r.err.msg, "sources[0].layouts: no layout of 'gvisor' is published there") &&
               strstr(r.err.msg, "19990101/gvisor.tar.bz2.sha512' (tarball)") &&
               strstr(r.err.msg, "19990101/runsc.sha512' (binaries)"),
           "the message names both URLs tried");
    done(&r);

    fetch(&r, "19990101", "binaries", 0);
    TAP_INT_EQ(r.rc, -PW_E_NETWORK, "an explicit layout does not fall back");
    TAP_OK(strstr(r.err.msg, "sources[0].layouts[1].files[0].sha512_url") != NULL,
           "names the file's checksum URL: %s", r.err.msg);
    done(&r);

    fetch(&r, "19990101", "auto", 1);
    TAP_INT_EQ(r.rc, -PW_E_OFFLINE, "offline without a cached choice");
    TAP_OK(strstr(r.err.msg, "sources[0].layout: which layout of 'gvisor' to use") &&
               strstr(r.err.msg, "packwright fetch"),
           "says how to fill the cache: %s", r.err.msg);
    done(&r);
}

/* Only a 404 of the first request falls back: a broken tarball is an error. */
static void test_other_errors_do_not_fall_back(void)
{
    release("20260202", 1, 1, 1);
    char *dir = path_of(rel, "20260202");
    put(dir, "gvisor.tar.bz2", "not the tarball the checksum describes\n");
    free(dir);
    struct run r;
    fetch(&r, "20260202", "auto", 0);
    TAP_INT_EQ(r.rc, -PW_E_CHECKSUM, "a checksum mismatch is not a fallback: %s", r.err.msg);
    done(&r);

    release("20260303", 1, 1, 1);
    dir = path_of(rel, "20260303");
    char *tar = path_of(dir, "gvisor.tar.bz2");
    unlink(tar);
    free(tar);
    free(dir);
    fetch(&r, "20260303", "auto", 0);
    TAP_INT_EQ(r.rc, -PW_E_NETWORK, "a missing tarball after its checksum is an error");
    TAP_OK(strstr(r.err.msg, "gvisor.tar.bz2'") != NULL, "names it: %s", r.err.msg);
    done(&r);
}

int main(void)
{
    top = sandbox_new("layouts");
    cache = path_of(top, "cache");
    rel = path_of(top, "rel");
    pw_fs_mkdir_p(rel, 0755, NULL);
    test_auto_prefers_the_tarball();
    test_auto_falls_back_to_binaries();
    test_tarball_without_gvisor_bin();
    test_missing_everywhere();
    test_other_errors_do_not_fall_back();
    free(cache);
    free(rel);
    sandbox_remove(top);
    return tap_done();
}
