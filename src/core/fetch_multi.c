/* Parallel, resumable, retried downloads with libcurl's multi interface (see fetch_multi.h). */
#define _POSIX_C_SOURCE 200809L
#include "fetch_multi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/buf.h"
#include "curl_dl.h"
#include "fetch_policy.h"

#define DEFAULT_MAX_SIZE (64u << 20)
#define DEFAULT_PARALLEL 4

enum xfer_state { XFER_NEW, XFER_WAITING, XFER_RUNNING, XFER_DONE };

/* One job across its attempts. */
struct xfer {
    struct pw_fetch_job *job;
    enum xfer_state state;
    CURL *curl;
    FILE *fp;
    char *part;
    uint64_t offset;  /* where this attempt's Range request starts */
    uint64_t written; /* bytes in the .part file */
    int64_t range_start;
    int started, too_big, io_errno, bad_range;
    unsigned attempts;
    int64_t not_before; /* monotonic ms */
    struct pw_err err;
    char errbuf[CURL_ERROR_SIZE];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t size_cap(const struct pw_fetch_job *j)
{
    return j->size ? j->size : j->max_size ? j->max_size : DEFAULT_MAX_SIZE;
}

/* Size and digest of path; messages name what (a URL, or the path itself). */
static int verify_as(const char *path, const char *what, uint64_t size, enum pw_hash_algo algo,
                     const char *digest, struct pw_err *err)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", path);
    if (size && (uint64_t)st.st_size != size)
        return pw_err_set(err, PW_E_CHECKSUM, "'%s': %llu bytes, expected %llu", what,
                          (unsigned long long)st.st_size, (unsigned long long)size);
    if (!digest)
        return 0;
    unsigned char md[PW_HASH_MAX_LEN];
    char hex[2 * PW_HASH_MAX_LEN + 1];
    int rc = pw_hash_file(algo, path, md, err);
    if (rc < 0)
        return rc;
    pw_hex(md, pw_hash_len(algo), hex);
    if (strcmp(hex, digest))
        return pw_err_set(err, PW_E_CHECKSUM, "'%s': %s mismatch (expected %s, got %s)", what,
                          pw_hash_name(algo), digest, hex);
    return 0;
}

int pw_fetch_verify_file(const char *path, uint64_t size, enum pw_hash_algo algo,
                         const char *digest, struct pw_err *err)
{
    return verify_as(path, path, size, algo, digest, err);
}

/* ---- libcurl callbacks ---- */

static size_t on_header(char *line, size_t size, size_t n, void *data)
{
    struct xfer *x = data;
    size_t len = size * n;
    int64_t start = pw_fetch_content_range_start(line, len);
    if (len >= 5 && !strncmp(line, "HTTP/", 5))
        x->range_start = -1;
    else if (start >= 0)
        x->range_start = start;
    return len;
}

/* First bytes of a resumed attempt: keep the part only when the server sends exactly the
 * rest; a server that ignores the range sends everything, so the part starts over. */
static int begin_resumed(struct xfer *x)
{
    long code = 0;
    curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code == 0) /* file:// resumes by seeking */
        return 0;
    if (code == 206) {
        x->bad_range = x->range_start != (int64_t)x->offset;
        return x->bad_range ? -1 : 0;
    }
    if (fflush(x->fp) != 0 || ftruncate(fileno(x->fp), 0) < 0 || fseek(x->fp, 0, SEEK_SET)) {
        x->io_errno = errno ? errno : EIO;
        return -1;
    }
    x->written = 0;
    return 0;
}

static size_t on_body(char *bytes, size_t size, size_t n, void *data)
{
    struct xfer *x = data;
    size_t len = size * n;
    if (!x->started) {
        x->started = 1;
        if (x->offset && begin_resumed(x) < 0)
            return 0;
    }
    if (x->written + len > size_cap(x->job)) {
        x->too_big = 1;
        return 0;
    }
    if (fwrite(bytes, 1, len, x->fp) != len) {
        x->io_errno = errno ? errno : EIO;
        return 0;
    }
    x->written += len;
    return len;
}

/* ---- one attempt ---- */

static void setup(struct xfer *x, const struct pw_fetch_settings *s)
{
    CURL *c = x->curl;
    pw_fetch_policy_apply(c, s);
    curl_easy_setopt(c, CURLOPT_URL, x->job->url);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(c, CURLOPT_PRIVATE, x);
    if (x->offset)
        curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)x->offset);
}

static int finish_ok(struct xfer *x)
{
    const struct pw_fetch_job *j = x->job;
    int rc = verify_as(x->part, j->url, j->size, j->algo, j->digest, &x->err);
    if (rc < 0) {
        unlink(x->part);
        return rc;
    }
    if (rename(x->part, j->dest) < 0)
        return pw_err_errno(&x->err, PW_E_IO, errno, "cannot rename '%s'", x->part);
    return 0;
}

/* A .part left by an earlier run: resume it, or use it when it is already complete. Returns 1
 * when the job is done without a request. */
static int reuse_part(struct xfer *x)
{
    struct stat st;
    x->offset = 0;
    if (!x->job->size || stat(x->part, &st) < 0 || !S_ISREG(st.st_mode))
        return 0;
    if ((uint64_t)st.st_size < x->job->size) {
        x->offset = (uint64_t)st.st_size;
        return 0;
    }
    if ((uint64_t)st.st_size == x->job->size && finish_ok(x) == 0)
        return 1;
    unlink(x->part);
    return 0;
}

/* Starts an attempt; returns 1 when the job completed without one, 0 when started, <0. */
static int start(struct xfer *x, CURLM *m, const struct pw_fetch_settings *s)
{
    if (!x->part) {
        size_t n = strlen(x->job->dest) + sizeof(".part");
        x->part = pw_xmalloc(n);
        snprintf(x->part, n, "%s.part", x->job->dest);
    }
    if (reuse_part(x))
        return 1;
    x->fp = fopen(x->part, x->offset ? "ab" : "wb");
    if (!x->fp)
        return pw_err_errno(&x->err, PW_E_IO, errno, "cannot write '%s'", x->part);
    x->curl = curl_easy_init();
    if (!x->curl) {
        fclose(x->fp);
        x->fp = NULL;
        return pw_err_set(&x->err, PW_E_FAIL, "cannot initialise libcurl");
    }
    x->written = x->offset;
    x->started = x->too_big = x->io_errno = x->bad_range = 0;
    x->range_start = -1;
    x->errbuf[0] = '\0';
    x->attempts++;
    setup(x, s);
    curl_multi_add_handle(m, x->curl);
    x->state = XFER_RUNNING;
    return 0;
}

static void stop(struct xfer *x, CURLM *m)
{
    if (x->curl) {
        curl_multi_remove_handle(m, x->curl);
        curl_easy_cleanup(x->curl);
        x->curl = NULL;
    }
    if (x->fp) {
        fclose(x->fp);
        x->fp = NULL;
    }
}

static int missing(CURLcode res, long code)
{
    return (res == CURLE_HTTP_RETURNED_ERROR && (code == 404 || code == 410)) ||
           res == CURLE_FILE_COULDNT_READ_FILE || res == CURLE_REMOTE_FILE_NOT_FOUND;
}

static int fail_network(struct xfer *x, CURLcode res, long code)
{
    const char *url = x->job->url;
    if (res == CURLE_HTTP_RETURNED_ERROR)
        return pw_err_set(&x->err, PW_E_NETWORK,
                          "cannot download '%s': the server answered "
                          "HTTP %ld",
                          url, code);
    return pw_err_set(&x->err, PW_E_NETWORK, "cannot download '%s': %s", url,
                      x->errbuf[0] ? x->errbuf : curl_easy_strerror(res));
}

enum verdict { DONE, RETRY, FAIL };

/* Decides what an ended attempt means; on FAIL x->err holds the error. */
static enum verdict judge(struct xfer *x, CURLcode res, long code,
                          const struct pw_fetch_settings *s)
{
    struct pw_fetch_job *j = x->job;
    int can_retry = x->attempts <= (unsigned)s->retries;
    if (x->too_big) {
        unlink(x->part);
        pw_err_set(&x->err, PW_E_CHECKSUM, "'%s': larger than the expected %llu bytes", j->url,
                   (unsigned long long)size_cap(j));
        return FAIL;
    }
    if (x->io_errno) {
        pw_err_errno(&x->err, PW_E_IO, x->io_errno, "cannot write '%s'", x->part);
        return FAIL;
    }
    if (x->bad_range || (x->offset && res == CURLE_HTTP_RETURNED_ERROR && code == 416)) {
        unlink(x->part); /* the server's file is not the one we had started: start over */
        return can_retry ? RETRY : (fail_network(x, res, code), FAIL);
    }
    if (res == CURLE_OK) {
        if (finish_ok(x) == 0)
            return DONE;
        /* a resumed part may have mixed two versions of the file: one fresh try */
        return x->offset && can_retry ? RETRY : FAIL;
    }
    if (missing(res, code)) {
        unlink(x->part);
        if (j->optional) {
            j->result = PW_FETCH_MISSING;
            return DONE;
        }
        fail_network(x, res, code);
        return FAIL;
    }
    if (pw_fetch_retryable(res, code) && can_retry)
        return RETRY;
    fail_network(x, res, code);
    return FAIL;
}

static void schedule_retry(struct xfer *x, const struct pw_fetch_settings *s)
{
    x->not_before = now_ms() + pw_fetch_backoff_delay(s, x->attempts);
    x->state = XFER_WAITING;
}

static void report(const struct pw_fetch_multi_opts *o, const struct xfer *x)
{
    if (!o->ctx || !o->ctx->progress)
        return;
    const char *base = strrchr(x->job->url, '/');
    o->ctx->progress(o->ctx->progress_data, base ? base + 1 : x->job->url, x->written, x->written);
}

/* Collects finished transfers; returns the first failure's index + 1, else 0. */
static size_t collect(CURLM *m, const struct pw_fetch_settings *s,
                      const struct pw_fetch_multi_opts *o, unsigned *running)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        struct xfer *x = (struct xfer *)(void *)priv;
        CURLcode res = msg->data.result;
        long code = 0;
        curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &code);
        x->job->status = code;
        x->job->requests++;
        stop(x, m);
        (*running)--;
        enum verdict v = judge(x, res, code, s);
        if (v == RETRY) {
            schedule_retry(x, s);
            continue;
        }
        x->state = XFER_DONE;
        if (v == FAIL) {
            x->job->result = -x->err.code;
            return 1;
        }
        report(o, x);
    }
    return 0;
}

static int start_due(struct xfer *xs, size_t n, CURLM *m, const struct pw_fetch_settings *s,
                     unsigned parallel, unsigned *running, struct xfer **failed)
{
    int64_t now = now_ms();
    for (size_t i = 0; i < n && *running < parallel; i++) {
        struct xfer *x = &xs[i];
        if (x->state == XFER_DONE || x->state == XFER_RUNNING ||
            (x->state == XFER_WAITING && x->not_before > now))
            continue;
        int rc = start(x, m, s);
        if (rc < 0) {
            x->state = XFER_DONE;
            x->job->result = rc;
            *failed = x;
            return rc;
        }
        if (rc == 1)
            x->state = XFER_DONE;
        else
            (*running)++;
    }
    return 0;
}

static int all_done(const struct xfer *xs, size_t n, int64_t *next_due)
{
    int done = 1;
    *next_due = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        if (xs[i].state != XFER_DONE)
            done = 0;
        if (xs[i].state == XFER_WAITING && xs[i].not_before < *next_due)
            *next_due = xs[i].not_before;
    }
    return done;
}

static void nap(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static struct xfer *run(struct xfer *xs, size_t n, CURLM *m, const struct pw_fetch_settings *s,
                        const struct pw_fetch_multi_opts *o)
{
    unsigned parallel = o->parallel ? o->parallel : DEFAULT_PARALLEL, running = 0;
    struct xfer *failed = NULL;
    for (;;) {
        if (start_due(xs, n, m, s, parallel, &running, &failed) < 0)
            return failed;
        int64_t next_due;
        if (all_done(xs, n, &next_due))
            return NULL;
        if (!running) {
            int64_t wait = next_due - now_ms();
            nap(wait > 0 ? wait : 0);
            continue;
        }
        int still;
        curl_multi_perform(m, &still);
        size_t bad = collect(m, s, o, &running);
        if (bad) {
            for (size_t i = 0; i < n; i++)
                if (xs[i].state == XFER_DONE && xs[i].job->result < 0)
                    return &xs[i];
        }
        if (running)
            curl_multi_poll(m, NULL, 0, 200, NULL);
    }
}

int pw_fetch_multi(struct pw_fetch_job *jobs, size_t n, const struct pw_fetch_multi_opts *o,
                   struct pw_err *err)
{
    struct pw_fetch_settings s;
    pw_fetch_settings_from_env(&s);
    if (!n)
        return 0;
    struct xfer *xs = pw_xcalloc(n, sizeof(*xs));
    for (size_t i = 0; i < n; i++) {
        xs[i].job = &jobs[i];
        jobs[i].result = 0;
        jobs[i].status = 0;
        jobs[i].requests = 0;
        pw_err_init(&xs[i].err);
    }
    CURLM *m = NULL;
    int rc = pw_curl_dl_load(err);
    if (rc == 0 && !(m = curl_multi_init()))
        rc = pw_err_set(err, PW_E_FAIL, "cannot initialise libcurl");
    if (rc == 0) {
        struct xfer *failed = run(xs, n, m, &s, o);
        if (failed) {
            *err = failed->err;
            rc = -failed->err.code;
        }
    }
    for (size_t i = 0; i < n; i++) {
        stop(&xs[i], m); /* unfinished parts stay for the next run to resume */
        free(xs[i].part);
    }
    if (m)
        curl_multi_cleanup(m);
    free(xs);
    return rc;
}
