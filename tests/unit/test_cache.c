/* The content-addressed cache: layout, verified hits, atomic commits, nothing left behind. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "core/cache.h"
#include "core/hash.h"
#include "sandbox.h"
#include "tap.h"

static void hex_of(enum pw_hash_algo algo, const char *s, char *hex)
{
    unsigned char md[PW_HASH_MAX_LEN];
    pw_hash_buffer(algo, s, strlen(s), md);
    pw_hex(md, pw_hash_len(algo), hex);
}

/* Writes s through a writer in two pieces and commits; returns the commit's code. */
static int put(const char *dir, enum pw_hash_algo algo, const char *hex, const char *s,
               struct pw_buf *path, struct pw_err *err)
{
    struct pw_cache_writer w;
    int rc = pw_cache_writer_open(&w, dir, algo, hex, err);
    if (rc < 0)
        return rc;
    size_t half = strlen(s) / 2;
    if ((rc = pw_cache_writer_write(&w, s, half, err)) < 0 ||
        (rc = pw_cache_writer_write(&w, s + half, strlen(s) - half, err)) < 0) {
        pw_cache_writer_abort(&w);
        return rc;
    }
    return pw_cache_writer_commit(&w, path, err);
}

static void test_layout(void)
{
    struct pw_buf p = PW_BUF_INIT;
    pw_cache_object_path("/c", PW_HASH_SHA256, "abcdef", &p);
    TAP_STR_EQ(p.buf, "/c/sha256/ab/abcdef", "objects live under ALGO/xx/HEX");
    pw_buf_release(&p);
}

static void test_commit_and_hit(const char *dir)
{
    char hex[129];
    hex_of(PW_HASH_SHA256, "payload one", hex);
    struct pw_buf path = PW_BUF_INIT, want = PW_BUF_INIT, hit = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    TAP_INT_EQ(put(dir, PW_HASH_SHA256, hex, "payload one", &path, &err), 0, "commit: %s", err.msg);
    pw_cache_object_path(dir, PW_HASH_SHA256, hex, &want);
    TAP_STR_EQ(path.buf, want.buf, "commit returns the object path");
    char *got = sandbox_read(path.buf);
    TAP_STR_EQ(got, "payload one", "the object holds the bytes");
    free(got);
    int corrupt = -1;
    TAP_INT_EQ(pw_cache_lookup(dir, PW_HASH_SHA256, hex, &hit, &corrupt, &err), 1,
               "lookup finds it");
    TAP_STR_EQ(hit.buf, want.buf, "lookup returns the same path");
    TAP_INT_EQ(corrupt, 0, "a good entry is not corrupt");
    TAP_INT_EQ(sandbox_count_files(dir), 1, "no temp file beside it");
    pw_buf_release(&path);
    pw_buf_release(&want);
    pw_buf_release(&hit);
}

static void test_mismatch_leaves_nothing(const char *dir)
{
    char hex[129];
    hex_of(PW_HASH_SHA512, "the right bytes", hex);
    struct pw_buf path = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    int before = sandbox_count_files(dir);
    TAP_INT_EQ(put(dir, PW_HASH_SHA512, hex, "the wrong bytes", &path, &err), -PW_E_CHECKSUM,
               "a mismatch is PW_E_CHECKSUM");
    TAP_OK(strstr(err.msg, "sha512 mismatch: expected ") != NULL, "message: %s", err.msg);
    TAP_INT_EQ(path.len, 0, "no path on a mismatch");
    TAP_INT_EQ(sandbox_count_files(dir), before, "nothing left in the cache");
    int corrupt = -1;
    TAP_INT_EQ(pw_cache_lookup(dir, PW_HASH_SHA512, hex, &path, &corrupt, &err), 0, "still a miss");
    pw_buf_release(&path);
}

static void test_reset(const char *dir)
{
    char hex[129];
    hex_of(PW_HASH_SHA256, "whole file", hex);
    struct pw_cache_writer w;
    struct pw_buf path = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    TAP_INT_EQ(pw_cache_writer_open(&w, dir, PW_HASH_SHA256, hex, &err), 0, "open");
    pw_cache_writer_write(&w, "whole", 5, &err);
    TAP_INT_EQ(pw_cache_writer_reset(&w, &err), 0, "reset");
    pw_cache_writer_write(&w, "whole file", 10, &err);
    TAP_INT_EQ(pw_cache_writer_commit(&w, &path, &err), 0, "after a reset only new bytes count");
    char *got = sandbox_read(path.buf);
    TAP_STR_EQ(got, "whole file", "the object holds only the second write");
    free(got);
    pw_buf_release(&path);
}

static void test_abort(const char *dir)
{
    char hex[129];
    hex_of(PW_HASH_SHA256, "never", hex);
    int before = sandbox_count_files(dir);
    struct pw_cache_writer w;
    struct pw_err err;
    pw_err_init(&err);
    pw_cache_writer_open(&w, dir, PW_HASH_SHA256, hex, &err);
    pw_cache_writer_write(&w, "nev", 3, &err);
    TAP_INT_EQ(sandbox_count_files(dir), before + 1, "a temp file while writing");
    pw_cache_writer_abort(&w);
    pw_cache_writer_abort(&w);
    TAP_INT_EQ(sandbox_count_files(dir), before, "abort removes it (twice is harmless)");
}

static void test_failed_rename(const char *dir)
{
    char hex[129];
    hex_of(PW_HASH_SHA256, "interrupted", hex);
    int before = sandbox_count_files(dir);
    struct pw_buf path = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    setenv("PW_FAIL_BEFORE_RENAME", "1", 1);
    int rc = put(dir, PW_HASH_SHA256, hex, "interrupted", &path, &err);
    TAP_OK(rc < 0, "a failing rename fails the commit");
    unsetenv("PW_FAIL_BEFORE_RENAME");
    TAP_INT_EQ(sandbox_count_files(dir), before, "and leaves no temp file");
    pw_buf_release(&path);
}

static void test_corrupt_entry(const char *dir)
{
    char hex[129];
    hex_of(PW_HASH_SHA256, "good bytes", hex);
    struct pw_buf p = PW_BUF_INIT, path = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    pw_cache_object_path(dir, PW_HASH_SHA256, hex, &p);
    char *parent = strndup(p.buf, strrchr(p.buf, '/') - p.buf);
    pw_fs_mkdir_p(parent, 0755, &err);
    free(parent);
    sandbox_write(p.buf, "bad bytes!", 10);
    int corrupt = 0;
    TAP_INT_EQ(pw_cache_lookup(dir, PW_HASH_SHA256, hex, &path, &corrupt, &err), 0,
               "a corrupt entry is a miss");
    TAP_INT_EQ(corrupt, 1, "and is reported as corrupt");
    TAP_INT_EQ(put(dir, PW_HASH_SHA256, hex, "good bytes", &path, &err), 0,
               "a download replaces it");
    TAP_INT_EQ(pw_cache_lookup(dir, PW_HASH_SHA256, hex, &path, &corrupt, &err), 1,
               "then it is a hit");
    pw_buf_release(&p);
    pw_buf_release(&path);
}

static void test_url_entries(const char *dir)
{
    struct pw_buf b = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    const char *url = "https://example.org/r/latest/x86_64/runsc.sha512";
    TAP_INT_EQ(pw_cache_url_load(dir, url, &b, &err), 0, "an unknown URL is a miss");
    TAP_INT_EQ(pw_cache_url_store(dir, url, "abc  runsc\n", 11, &err), 0, "store");
    TAP_INT_EQ(pw_cache_url_load(dir, url, &b, &err), 1, "load finds it");
    TAP_STR_EQ(b.buf, "abc  runsc\n", "with the stored bytes");
    pw_buf_reset(&b);
    TAP_INT_EQ(pw_cache_url_store(dir, url, "def  runsc\n", 11, &err), 0, "store again");
    pw_cache_url_load(dir, url, &b, &err);
    TAP_STR_EQ(b.buf, "def  runsc\n", "the newer copy replaces the older");
    pw_buf_reset(&b);
    TAP_INT_EQ(pw_cache_url_load(dir, "https://example.org/other.sha512", &b, &err), 0,
               "entries are per URL");
    pw_buf_release(&b);
}

int main(void)
{
    char *dir = sandbox_new("cache");
    test_layout();
    test_commit_and_hit(dir);
    test_mismatch_leaves_nothing(dir);
    test_reset(dir);
    test_abort(dir);
    test_failed_rename(dir);
    test_corrupt_entry(dir);
    test_url_entries(dir);
    sandbox_remove(dir);
    return tap_done();
}
