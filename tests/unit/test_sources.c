/* Manifest sources over file:// URLs: checksums, the cache, offline use, archive members and
 * source:NAME/path references. (test_sources_http.c covers the network failures.) */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ctx.h"
#include "core/sources.h"
#include "sources_fixture.h"
#include "tap.h"

static char *top;   /* sandbox */
static char *cache; /* top/cache */
static char *up;    /* top/up: the "upstream" files */

static char *join(const char *a, const char *b)
{
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/%s", a, b);
    return pw_buf_detach(&p, NULL);
}

static char *file_url(const char *name)
{
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "file://%s/%s", up, name);
    return pw_buf_detach(&p, NULL);
}

/* Publishes body as up/NAME; returns its file:// URL (the caller frees it) and, when hex is
 * not NULL, its digest. */
static char *upstream(const char *name, const char *body, enum pw_hash_algo algo, char *hex)
{
    char *path = join(up, name);
    sandbox_write(path, body, strlen(body));
    if (hex)
        fixture_file_hex(algo, path, hex);
    free(path);
    return file_url(name);
}

static int fetch_with_cache(struct fixture_pkg *f, const char *cache_dir, int offline,
                            struct pw_sources *s, struct pw_err *err)
{
    struct pw_ctx ctx;
    pw_ctx_init(&ctx);
    ctx.cache_dir = cache_dir;
    ctx.offline = offline;
    pw_sources_init(s);
    pw_err_init(err);
    return pw_sources_fetch(&f->pkg, &ctx, s, err);
}

static int fetch(struct fixture_pkg *f, int offline, struct pw_sources *s, struct pw_err *err)
{
    return fetch_with_cache(f, cache, offline, s, err);
}

static void test_plain_file(void)
{
    char hex[129];
    char *url = upstream("plain.bin", "plain contents\n", PW_HASH_SHA256, hex);
    struct fixture_pkg f;
    fixture_pkg_init(&f);
    fixture_source(&f, "plain", url, "sha256", hex);
    struct pw_sources s;
    struct pw_err err;
    TAP_INT_EQ(fetch(&f, 0, &s, &err), 0, "file:// source with sha256: %s", err.msg);
    TAP_INT_EQ(s.n, 1, "one resolved source");
    TAP_INT_EQ(s.v[0].downloaded, 1, "downloaded the first time");
    TAP_OK(s.v[0].dir == NULL, "a plain file has no extraction dir");
    struct pw_buf out = PW_BUF_INIT;
    const char *p = pw_sources_path(&s, "plain", &out, &err);
    char *got = p ? sandbox_read(p) : NULL;
    TAP_STR_EQ(got, "plain contents\n", "source:plain is the file");
    free(got);
    TAP_STR_EQ(pw_sources_path(&s, "plain/plain.bin", &out, &err), s.v[0].file,
               "source:plain/<basename> too");
    TAP_STR_EQ(pw_sources_path(&s, "source:plain", &out, &err), s.v[0].file,
               "a leading 'source:' is accepted");
    TAP_OK(pw_sources_path(&s, "plain/other", &out, &err) == NULL, "any other path is not");
    TAP_OK(strstr(err.msg, "source:plain/plain.bin") != NULL, "message suggests: %s", err.msg);
    TAP_OK(pw_sources_path(&s, "nosuch/x", &out, &err) == NULL && err.code == PW_E_MANIFEST,
           "unknown source: %s", err.msg);
    pw_sources_release(&s);

    TAP_INT_EQ(fetch(&f, 0, &s, &err), 0, "second fetch");
    TAP_INT_EQ(s.v[0].downloaded, 0, "comes from the cache");
    pw_sources_release(&s);
    char *path = join(up, "plain.bin");
    unlink(path);
    TAP_INT_EQ(fetch(&f, 1, &s, &err), 0, "offline with the upstream file gone: %s", err.msg);
    pw_sources_release(&s);
    pw_buf_release(&out);
    fixture_pkg_release(&f);
    free(path);
    free(url);
}

static void test_offline_miss(void)
{
    char *url = file_url("never-fetched.bin");
    struct fixture_pkg f;
    fixture_pkg_init(&f);
    fixture_source(&f, "x", url, "sha256",
                   "0000000000000000000000000000000000000000000000000000000000000000");
    struct pw_sources s;
    struct pw_err err;
    int before = sandbox_count_files(cache);
    TAP_INT_EQ(fetch(&f, 1, &s, &err), -PW_E_OFFLINE, "offline miss is PW_E_OFFLINE");
    TAP_OK(strstr(err.msg, "pkg/demo/package.json: sources[0]: ") == err.msg,
           "names manifest and source: %s", err.msg);
    TAP_OK(strstr(err.msg, url) != NULL, "names the URL");
    TAP_OK(strstr(err.msg, "packwright fetch pkg/demo/package.json") != NULL,
           "says how to fill the cache");
    TAP_INT_EQ(sandbox_count_files(cache), before, "cache unchanged");
    pw_sources_release(&s);
    fixture_pkg_release(&f);
    free(url);
}

static void test_checksum_mismatch(void)
{
    char *url = upstream("tampered.bin", "tampered\n", PW_HASH_SHA256, NULL);
    struct fixture_pkg f;
    fixture_pkg_init(&f);
    fixture_source(&f, "t", url, "sha256",
                   "1111111111111111111111111111111111111111111111111111111111111111");
    struct pw_sources s;
    struct pw_err err;
    int before = sandbox_count_files(cache);
    TAP_INT_EQ(fetch(&f, 0, &s, &err), -PW_E_CHECKSUM, "wrong sha256 is PW_E_CHECKSUM");
    TAP_OK(strstr(err.msg, "pkg/demo/package.json: sources[0]: ") == err.msg &&
               strstr(err.msg, url) && strstr(err.msg, "sha256 mismatch"),
           "message: %s", err.msg);
    TAP_INT_EQ(sandbox_count_files(cache), before, "nothing left in the cache");
    pw_sources_release(&s);
    fixture_pkg_release(&f);
    free(url);
}

static void test_bad_specs(void)
{
    struct fixture_pkg f;
    struct pw_sources s;
    struct pw_err err;
    fixture_pkg_init(&f);
    fixture_source(&f, "x", "ftp://example.org/x.tar.gz", "sha256",
                   "1111111111111111111111111111111111111111111111111111111111111111");
    TAP_INT_EQ(fetch(&f, 0, &s, &err), -PW_E_MANIFEST, "ftp:// is refused: %s", err.msg);
    TAP_OK(strstr(err.msg, "sources[0].url: ") != NULL, "at the url field");
    pw_sources_release(&s);
    fixture_pkg_init(&f);
    fixture_source(&f, "x", "file:///x", "sha256", "abc");
    TAP_INT_EQ(fetch(&f, 0, &s, &err), -PW_E_MANIFEST, "short digest: %s", err.msg);
    pw_sources_release(&s);
    fixture_pkg_init(&f);
    char *missing = file_url("missing.bin");
    fixture_source(&f, "x", missing, "sha256",
                   "1111111111111111111111111111111111111111111111111111111111111111");
    TAP_INT_EQ(fetch(&f, 0, &s, &err), -PW_E_NETWORK, "missing file:// is PW_E_NETWORK: %s",
               err.msg);
    TAP_OK(strstr(err.msg, missing) != NULL, "names the URL");
    pw_sources_release(&s);
    free(missing);
}

static const struct tar_member gvisor_tree[] = {
    {"./runsc", "runsc binary\n", NULL, NULL},
    {"./containerd-shim-runsc-v1", "shim binary\n", NULL, NULL},
    {"./gvisor-bin/", NULL, NULL, NULL},
    {"./gvisor-bin/checkpointgofer", "gofer\n", NULL, NULL},
    {"./gvisor-bin/gvisor_sentry", "sentry\n", NULL, NULL},
    {"./unwanted", "not taken\n", NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

/* A fake gVisor release: the tarball and its .sha512 (sha512sum output plus another line). */
static char *make_release(const char *tar_name, int filter)
{
    char *tar = join(up, tar_name);
    fixture_tar(tar, filter, gvisor_tree);
    char hex[129];
    fixture_file_hex(PW_HASH_SHA512, tar, hex);
    struct pw_buf sums = PW_BUF_INIT, sums_path = PW_BUF_INIT;
    pw_buf_addf(&sums, "%0128d  runsc\n%s  %s\n", 0, hex, tar_name);
    pw_buf_addf(&sums_path, "%s.sha512", tar);
    sandbox_write(sums_path.buf, sums.buf, sums.len);
    pw_buf_release(&sums);
    pw_buf_release(&sums_path);
    free(tar);
    return file_url(tar_name);
}

static void check_members(const struct pw_sources *s, const char *label)
{
    struct pw_buf out = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    const char *p = pw_sources_path(s, "gv/runsc", &out, &err);
    char *got = p ? sandbox_read(p) : NULL;
    TAP_STR_EQ(got, "runsc binary\n", "%s: source:gv/runsc", label);
    free(got);
    p = pw_sources_path(s, "gv/gvisor-bin/gvisor_sentry", &out, &err);
    got = p ? sandbox_read(p) : NULL;
    TAP_STR_EQ(got, "sentry\n", "%s: a file inside a directory member", label);
    free(got);
    struct stat st;
    p = pw_sources_path(s, "gv/gvisor-bin/", &out, &err);
    TAP_OK(p && stat(p, &st) == 0 && S_ISDIR(st.st_mode), "%s: the directory member", label);
    TAP_OK(pw_sources_path(s, "gv/unwanted", &out, &err) == NULL,
           "%s: members not taken are absent: %s", label, err.msg);
    TAP_OK(pw_sources_path(s, "gv/gvisor-bin/../../x", &out, &err) == NULL, "%s: '..' is refused",
           label);
    pw_buf_release(&out);
}

static void test_archive(const char *tar_name, int filter)
{
    char *url = make_release(tar_name, filter);
    struct pw_buf sums_url = PW_BUF_INIT;
    pw_buf_addf(&sums_url, "%s.sha512", url);
    struct fixture_pkg f;
    fixture_pkg_init(&f);
    struct pw_source_spec *sp = fixture_source(&f, "gv", url, "sha512_url", sums_url.buf);
    pw_strvec_push(&sp->extract, "runsc");
    pw_strvec_push(&sp->extract, "gvisor-bin/");
    struct pw_sources s;
    struct pw_err err;
    TAP_INT_EQ(fetch(&f, 0, &s, &err), 0, "%s: sha512_url and extract: %s", tar_name, err.msg);
    if (s.n == 1)
        check_members(&s, tar_name);
    char *work = s.work_dir ? pw_xstrdup(s.work_dir) : NULL;
    pw_sources_release(&s);
    TAP_OK(work && !pw_fs_exists(work), "%s: release removes the extraction dir", tar_name);
    free(work);

    /* The server is gone: the checksum file and the archive come from the cache. */
    char *tar = join(up, tar_name);
    struct pw_buf sums = PW_BUF_INIT;
    pw_buf_addf(&sums, "%s.sha512", tar);
    unlink(tar);
    unlink(sums.buf);
    TAP_INT_EQ(fetch(&f, 1, &s, &err), 0, "%s: offline from the cache: %s", tar_name, err.msg);
    if (s.n == 1)
        check_members(&s, "offline");
    pw_sources_release(&s);
    pw_buf_release(&sums);
    pw_buf_release(&sums_url);
    fixture_pkg_release(&f);
    free(tar);
    free(url);
}

static void test_archive_errors(void)
{
    char *url = make_release("errors.tar.gz", ARCHIVE_FILTER_GZIP);
    struct pw_buf sums_url = PW_BUF_INIT;
    pw_buf_addf(&sums_url, "%s.sha512", url);
    struct fixture_pkg f;
    struct pw_sources s;
    struct pw_err err;
    fixture_pkg_init(&f);
    pw_strvec_push(&fixture_source(&f, "gv", url, "sha512_url", sums_url.buf)->extract,
                   "gvisor-bin/missing");
    TAP_INT_EQ(fetch(&f, 0, &s, &err), -PW_E_FORMAT, "a missing member: %s", err.msg);
    TAP_OK(strstr(err.msg, "gvisor-bin/missing") && strstr(err.msg, url), "names it and the URL");
    pw_sources_release(&s);
    fixture_pkg_release(&f);
    fixture_pkg_init(&f);
    pw_strvec_push(&fixture_source(&f, "gv", url, "sha512_url", sums_url.buf)->extract, "../etc");
    TAP_INT_EQ(fetch(&f, 0, &s, &err), -PW_E_MANIFEST, "an unsafe member: %s", err.msg);
    TAP_OK(strstr(err.msg, "sources[0].extract: ") != NULL, "at the extract field");
    pw_sources_release(&s);
    fixture_pkg_release(&f);
    pw_buf_release(&sums_url);
    free(url);
}

/* Publishes an archive of members and fetches it with extract; returns the fetch's code. */
static int fetch_archive(const char *name, const struct tar_member *tree, const char *member,
                         struct pw_sources *s, struct pw_err *err)
{
    char *tar = join(up, name);
    fixture_tar(tar, ARCHIVE_FILTER_NONE, tree);
    char hex[129];
    fixture_file_hex(PW_HASH_SHA256, tar, hex);
    char *url = file_url(name);
    struct fixture_pkg f;
    fixture_pkg_init(&f);
    pw_strvec_push(&fixture_source(&f, "a", url, "sha256", hex)->extract, member);
    int rc = fetch(&f, 0, s, err);
    fixture_pkg_release(&f);
    free(url);
    free(tar);
    return rc;
}

static void test_archive_links(void)
{
    static const struct tar_member links[] = {
        {"bin/real", "real\n", NULL, NULL}, {"bin/hard", NULL, NULL, "bin/real"},
        {"bin/inside", NULL, "real", NULL}, {"bin/passwd", NULL, "/etc/passwd", NULL},
        {NULL, NULL, NULL, NULL},
    };
    struct pw_sources s;
    struct pw_err err;
    struct pw_buf out = PW_BUF_INIT;
    TAP_INT_EQ(fetch_archive("links.tar", links, "bin", &s, &err), 0, "links: %s", err.msg);
    const char *p = pw_sources_path(&s, "a/bin/hard", &out, &err);
    char *got = p ? sandbox_read(p) : NULL;
    TAP_STR_EQ(got, "real\n", "a hard link inside the members is extracted");
    free(got);
    TAP_OK(pw_sources_path(&s, "a/bin/inside", &out, &err) != NULL,
           "a symbolic link inside the members can be named");
    TAP_OK(pw_sources_path(&s, "a/bin/passwd", &out, &err) == NULL && err.code == PW_E_MANIFEST,
           "one that leads out cannot: %s", err.msg);
    pw_sources_release(&s);

    static const struct tar_member escape[] = {
        {"d", NULL, "..", NULL},
        {"d/escaped", "x\n", NULL, NULL},
        {NULL, NULL, NULL, NULL},
    };
    int rc = fetch_archive("escape.tar", escape, "d", &s, &err);
    TAP_OK(rc < 0, "extracting through a symbolic link fails: %s", err.msg);
    char *work = s.work_dir ? pw_xstrdup(s.work_dir) : NULL;
    char *escaped = work ? join(work, "src/escaped") : NULL;
    TAP_OK(escaped && !pw_fs_exists(escaped), "and writes nothing outside");
    free(escaped);
    free(work);
    pw_sources_release(&s);

    static const struct tar_member outside_hard[] = {
        {"etc/real", "real\n", NULL, NULL},
        {"bin/hard", NULL, NULL, "etc/real"},
        {NULL, NULL, NULL, NULL},
    };
    TAP_INT_EQ(fetch_archive("hard.tar", outside_hard, "bin", &s, &err), -PW_E_FORMAT,
               "a hard link to a member not taken: %s", err.msg);
    pw_sources_release(&s);
    pw_buf_release(&out);
}

static void test_sha512_url_without_our_line(void)
{
    char *url = upstream("lonely.bin", "lonely\n", PW_HASH_SHA512, NULL);
    struct pw_buf text = PW_BUF_INIT;
    pw_buf_addf(&text, "%0128d  other.bin\n%0128d  lonely.bin.asc\n", 1, 2);
    char *sums_url = upstream("lonely.sha512", text.buf, PW_HASH_SHA512, NULL);
    struct fixture_pkg f;
    fixture_pkg_init(&f);
    fixture_source(&f, "l", url, "sha512_url", sums_url);
    struct pw_sources s;
    struct pw_err err;
    int before = sandbox_count_files(cache);
    TAP_INT_EQ(fetch(&f, 0, &s, &err), -PW_E_CHECKSUM, "no line for the name: %s", err.msg);
    TAP_OK(strstr(err.msg, "sources[0].sha512_url: ") && strstr(err.msg, "'lonely.bin'"),
           "names the field and the file name");
    TAP_INT_EQ(sandbox_count_files(cache), before, "nothing cached, not even the checksum file");
    pw_sources_release(&s);
    fixture_pkg_release(&f);
    pw_buf_release(&text);
    free(url);
    free(sums_url);
}

static void test_no_cache_dir(void)
{
    char hex[129];
    char *url = upstream("nocache.bin", "no cache\n", PW_HASH_SHA512, hex);
    struct fixture_pkg f;
    fixture_pkg_init(&f);
    fixture_source(&f, "n", url, "sha512", hex);
    struct pw_sources s;
    struct pw_err err;
    TAP_INT_EQ(fetch_with_cache(&f, NULL, 0, &s, &err), 0, "without a cache dir: %s", err.msg);
    char *work = s.work_dir ? pw_xstrdup(s.work_dir) : NULL;
    TAP_OK(work && s.n == 1 && !strncmp(s.v[0].file, work, strlen(work)),
           "the download lives in the private work dir");
    pw_sources_release(&s);
    TAP_OK(work && !pw_fs_exists(work), "and goes away on release");
    free(work);
    fixture_pkg_release(&f);
    free(url);
}

static void test_duplicate_names(void)
{
    char hex[129];
    char *url = upstream("dup.bin", "dup\n", PW_HASH_SHA256, hex);
    struct fixture_pkg f;
    fixture_pkg_init(&f);
    fixture_source(&f, "same", url, "sha256", hex);
    fixture_source(&f, "same", url, "sha256", hex);
    struct pw_sources s;
    struct pw_err err;
    TAP_INT_EQ(fetch(&f, 0, &s, &err), -PW_E_MANIFEST, "two sources with one name: %s", err.msg);
    TAP_OK(strstr(err.msg, "sources[1].name: ") != NULL, "at the second one's name");
    pw_sources_release(&s);
    free(url);
}

static void test_parse_sha512sum(void)
{
    char a[129], b[129], got[129];
    memset(a, 'a', 128);
    a[128] = '\0';
    memset(b, 'B', 128);
    b[128] = '\0';
    struct pw_buf t = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    pw_buf_addf(&t, "%s  runsc\r\n%s *./bin/gvisor.tar.bz2\n", a, b);
    TAP_INT_EQ(pw_sources_parse_sha512sum(t.buf, "gvisor.tar.bz2", got, &err), 0,
               "binary-mode line with a path");
    TAP_OK(got[0] == 'b' && strlen(got) == 128, "digest lowercased");
    TAP_INT_EQ(pw_sources_parse_sha512sum(t.buf, "runsc", got, &err), 0, "CRLF line");
    TAP_STR_EQ(got, a, "the runsc digest");
    TAP_INT_EQ(pw_sources_parse_sha512sum(t.buf, "gvisor", got, &err), -PW_E_CHECKSUM,
               "no prefix matches");
    pw_buf_reset(&t);
    pw_buf_addf(&t, "SHA512 (runsc) = %s\n", a);
    TAP_INT_EQ(pw_sources_parse_sha512sum(t.buf, "runsc", got, &err), 0, "BSD tag line");
    pw_buf_reset(&t);
    pw_buf_addf(&t, "%s\n", a);
    TAP_INT_EQ(pw_sources_parse_sha512sum(t.buf, "anything", got, &err), 0, "one lone digest");
    pw_buf_reset(&t);
    pw_buf_addf(&t, "%s  x\n%s  x\n", a, b);
    TAP_INT_EQ(pw_sources_parse_sha512sum(t.buf, "x", got, &err), -PW_E_CHECKSUM,
               "two different digests for one name");
    pw_buf_reset(&t);
    pw_buf_addf(&t, "<html>not found</html>\n");
    TAP_INT_EQ(pw_sources_parse_sha512sum(t.buf, "x", got, &err), -PW_E_CHECKSUM,
               "not a checksum file");
    pw_buf_release(&t);
}

int main(void)
{
    top = sandbox_new("sources");
    cache = join(top, "cache");
    up = join(top, "up");
    mkdir(up, 0755);
    test_plain_file();
    test_offline_miss();
    test_checksum_mismatch();
    test_bad_specs();
    test_archive("gvisor.tar.gz", ARCHIVE_FILTER_GZIP);
    test_archive("gvisor.tar.bz2", ARCHIVE_FILTER_BZIP2);
    test_archive("gvisor.tar.xz", ARCHIVE_FILTER_XZ);
    test_archive("gvisor.tar.zst", ARCHIVE_FILTER_ZSTD);
    test_archive("gvisor.tar", ARCHIVE_FILTER_NONE);
    test_archive_errors();
    test_archive_links();
    test_sha512_url_without_our_line();
    test_no_cache_dir();
    test_duplicate_names();
    test_parse_sha512sum();
    free(cache);
    free(up);
    sandbox_remove(top);
    return tap_done();
}
