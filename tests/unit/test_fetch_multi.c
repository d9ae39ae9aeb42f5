/* fetch_multi.c over file:// URLs: parallel jobs, verification before the final name,
 * optional files, the size cap, resuming a .part, refusing a bad digest. (The HTTP side,
 * with retries and request counting, is exercised by tests/cli/mirror-*.sh.) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "core/fetch_multi.h"
#include "tap.h"

static char dir[] = "/tmp/pw-fetch-multi-XXXXXX";

static void put(const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    fputs(text, f);
    fclose(f);
}

/* DIR/NAME.part */
static char *part(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof(buf), "%s/%s.part", dir, name);
    return buf;
}

static void sha256_hex(const char *text, char *hex)
{
    unsigned char md[32];
    pw_hash_buffer(PW_HASH_SHA256, text, strlen(text), md);
    pw_hex(md, 32, hex);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    struct pw_err err;
    pw_err_init(&err);
    const char *a = "alpha contents\n", *b = "bravo contents, a little longer\n";
    put("a", a);
    put("b", b);
    char ha[65], hb[65];
    sha256_hex(a, ha);
    sha256_hex(b, hb);
    char urla[600], urlb[600], urlc[600], desta[600], destb[600], destc[600];
    snprintf(urla, sizeof(urla), "file://%s/a", dir);
    snprintf(urlb, sizeof(urlb), "file://%s/b", dir);
    snprintf(urlc, sizeof(urlc), "file://%s/none", dir);
    snprintf(desta, sizeof(desta), "%s/a.out", dir);
    snprintf(destb, sizeof(destb), "%s/b.out", dir);
    snprintf(destc, sizeof(destc), "%s/c.out", dir);

    struct pw_fetch_job jobs[3] = {
        {.url = urla, .dest = desta, .size = strlen(a), .algo = PW_HASH_SHA256, .digest = ha},
        {.url = urlb, .dest = destb, .size = strlen(b), .algo = PW_HASH_SHA256, .digest = hb},
        {.url = urlc, .dest = destc, .optional = 1},
    };
    struct pw_fetch_multi_opts o = {2, NULL};
    TAP_INT_EQ(pw_fetch_multi(jobs, 3, &o, &err), 0, "three jobs, two at a time: %s", err.msg);
    TAP_OK(pw_fs_exists(desta) && pw_fs_exists(destb), "verified files got their names");
    TAP_INT_EQ(jobs[2].result, PW_FETCH_MISSING, "optional missing file reported as missing");
    TAP_OK(!pw_fs_exists(destc), "nothing written for the missing file");

    jobs[2].optional = 0;
    TAP_INT_EQ(pw_fetch_multi(&jobs[2], 1, &o, &err), -PW_E_NETWORK, "required missing file");
    TAP_OK(strstr(err.msg, "none") != NULL, "message names the URL: %s", err.msg);

    /* a wrong digest never lands */
    unlink(desta);
    struct pw_fetch_job bad = {
        .url = urla, .dest = desta, .size = strlen(a), .algo = PW_HASH_SHA256, .digest = hb};
    TAP_INT_EQ(pw_fetch_multi(&bad, 1, &o, &err), -PW_E_CHECKSUM, "digest mismatch refused");
    TAP_OK(strstr(err.msg, "mismatch") && strstr(err.msg, urla), "says so: %s", err.msg);
    TAP_OK(!pw_fs_exists(desta) && !pw_fs_exists(part("a.out")),
           "neither the file nor its part stays");

    /* larger than announced */
    struct pw_fetch_job big = {
        .url = urlb, .dest = destb, .size = 5, .algo = PW_HASH_SHA256, .digest = hb};
    unlink(destb);
    TAP_INT_EQ(pw_fetch_multi(&big, 1, &o, &err), -PW_E_CHECKSUM, "oversized body refused");
    struct pw_fetch_job capped = {.url = urlb, .dest = destb, .max_size = 4};
    TAP_INT_EQ(pw_fetch_multi(&capped, 1, &o, &err), -PW_E_CHECKSUM,
               "max_size bounds a file of unknown size");

    /* resume: the first bytes already in a .part */
    FILE *f = fopen(part("b.out"), "wb");
    fwrite(b, 1, 7, f);
    fclose(f);
    struct pw_fetch_job resume = {
        .url = urlb, .dest = destb, .size = strlen(b), .algo = PW_HASH_SHA256, .digest = hb};
    TAP_INT_EQ(pw_fetch_multi(&resume, 1, &o, &err), 0, "resumed download verifies: %s", err.msg);
    struct pw_buf got = PW_BUF_INIT;
    pw_fs_read_file(destb, &got, &err);
    TAP_STR_EQ(got.buf, b, "resumed file complete");
    pw_buf_release(&got);

    /* a complete .part from an earlier run is used without a request */
    unlink(destb);
    put("b.out.part", b);
    TAP_INT_EQ(pw_fetch_multi(&resume, 1, &o, &err), 0, "complete part reused");
    TAP_INT_EQ(resume.requests, 0, "no request for it");

    /* a stale .part with other bytes: resumed, fails verification, fetched again in full */
    unlink(destb);
    put("b.out.part", "XXXXXXX");
    TAP_INT_EQ(pw_fetch_multi(&resume, 1, &o, &err), 0, "stale part replaced: %s", err.msg);
    TAP_INT_EQ(resume.requests, 2, "one resumed and one fresh request");

    pw_fs_remove_tree(dir, &err);
    return tap_done();
}
