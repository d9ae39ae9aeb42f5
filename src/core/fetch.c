#define _POSIX_C_SOURCE 200809L
#include "fetch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../base/buf.h"
#include "curl_dl.h"
#include "fetch_policy.h"

#ifndef PW_VERSION
#define PW_VERSION "0.0.0"
#endif

#define MAX_REDIRECTS 10L
#define CONNECT_TIMEOUT_S 30L
#define BACKOFF_CAP_MS 30000L
#define PROGRESS_INTERVAL_NS 100000000L

/* One download across its attempts. */
struct transfer {
    const char *label;
    const struct pw_fetch_sink *sink;
    const struct pw_ctx *ctx;
    struct pw_err *err;
    uint64_t written;    /* bytes in the sink */
    uint64_t offset;     /* where this attempt's Range request starts */
    int started;         /* body bytes arrived in this attempt */
    int64_t range_start; /* from Content-Range, -1 when the response has none */
    int sink_failed;     /* err holds the sink's error */
    int bad_range;       /* a 206 answer that does not start where we asked */
    struct timespec last_report;
};

enum outcome { OUTCOME_DONE, OUTCOME_RETRY, OUTCOME_FAIL };

static long env_long(const char *name, long def, long min, long max)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return def;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return def;
    return v;
}

void pw_fetch_settings_from_env(struct pw_fetch_settings *s)
{
    s->retries = env_long("PACKWRIGHT_FETCH_RETRIES", 4, 0, 100);
    s->backoff_ms = env_long("PACKWRIGHT_FETCH_BACKOFF_MS", 1000, 0, BACKOFF_CAP_MS);
    s->stall_s = env_long("PACKWRIGHT_FETCH_STALL_SECONDS", 30, 1, 3600);
}

long pw_fetch_backoff_delay(const struct pw_fetch_settings *s, unsigned n)
{
    long delay = s->backoff_ms;
    for (unsigned i = 1; i < n && delay < BACKOFF_CAP_MS; i++)
        delay *= 2;
    return delay > BACKOFF_CAP_MS ? BACKOFF_CAP_MS : delay;
}

void pw_fetch_policy_apply(CURL *curl, const struct pw_fetch_settings *s)
{
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http,file");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, s->stall_s);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "packwright/" PW_VERSION);
}

int pw_fetch_scheme_allowed(const char *url)
{
    static const char *const schemes[] = {"https://", "http://", "file://"};
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
        if (!strncasecmp(url, schemes[i], strlen(schemes[i])))
            return 1;
    return 0;
}

int64_t pw_fetch_content_range_start(const char *line, size_t len)
{
    static const char field[] = "content-range:";
    char buf[128];
    if (len <= sizeof(field) - 1 || len >= sizeof(buf) ||
        strncasecmp(line, field, sizeof(field) - 1) != 0)
        return -1;
    memcpy(buf, line, len);
    buf[len] = '\0';
    const char *p = buf + sizeof(field) - 1;
    while (*p == ' ' || *p == '\t')
        p++;
    if (strncasecmp(p, "bytes", 5) != 0)
        return -1;
    p += 5;
    while (*p == ' ')
        p++;
    char *end;
    errno = 0;
    long long start = strtoll(p, &end, 10);
    if (errno || end == p || *end != '-' || start < 0)
        return -1;
    return start;
}

static size_t on_header(char *line, size_t size, size_t n, void *data)
{
    struct transfer *t = data;
    size_t len = size * n;
    int64_t start = pw_fetch_content_range_start(line, len);
    if (len >= 5 && !strncmp(line, "HTTP/", 5))
        t->range_start = -1; /* a new response (redirects have their own) */
    else if (start >= 0)
        t->range_start = start;
    return len;
}

/* The first body bytes of a resumed attempt: keep what we have only when the server sent
 * exactly the rest. Returns 0 to go on, -1 to abort this attempt. */
static int begin_resumed_body(struct transfer *t, CURL *curl)
{
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (code == 206) {
        if (t->range_start != (int64_t)t->offset) {
            t->bad_range = 1;
            return -1;
        }
        return 0;
    }
    /* The server ignored the Range request and sends the whole file. */
    if (t->sink->reset(t->sink->data, t->err) < 0) {
        t->sink_failed = 1;
        return -1;
    }
    t->written = 0;
    return 0;
}

struct body_ctx {
    struct transfer *t;
    CURL *curl;
};

static size_t on_body(char *bytes, size_t size, size_t n, void *data)
{
    struct body_ctx *b = data;
    struct transfer *t = b->t;
    size_t len = size * n;
    if (!t->started) {
        t->started = 1;
        if (t->offset > 0 && begin_resumed_body(t, b->curl) < 0)
            return 0;
    }
    if (t->sink->write(t->sink->data, bytes, len, t->err) < 0) {
        t->sink_failed = 1;
        return 0;
    }
    t->written += len;
    return len;
}

static int report_due(struct transfer *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ns = (int64_t)(now.tv_sec - t->last_report.tv_sec) * 1000000000 +
                 (now.tv_nsec - t->last_report.tv_nsec);
    if (ns < PROGRESS_INTERVAL_NS)
        return 0;
    t->last_report = now;
    return 1;
}

static int on_progress(void *data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)ultotal;
    (void)ulnow;
    struct transfer *t = data;
    uint64_t total = 0;
    if (dltotal > 0) {
        /* dltotal counts this attempt's body; the sink may already hold an earlier part. */
        uint64_t before = t->written >= (uint64_t)dlnow ? t->written - (uint64_t)dlnow : 0;
        total = before + (uint64_t)dltotal;
    }
    if (total && t->written >= total)
        return 0; /* the final report comes from pw_fetch_url once the download is complete */
    if (report_due(t))
        t->ctx->progress(t->ctx->progress_data, t->label, t->written, total);
    return 0;
}

/* Options shared by every attempt; attempt() sets the per-attempt ones. */
static void setup_handle(CURL *curl, const char *url, const struct pw_fetch_settings *s,
                         struct transfer *t)
{
    pw_fetch_policy_apply(curl, s);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    if (t->ctx->progress) {
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, t);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    }
}

int pw_fetch_retryable(CURLcode res, long status)
{
    if (res == CURLE_HTTP_RETURNED_ERROR)
        return status == 408 || status == 429 || (status >= 500 && status <= 599);
    return res == CURLE_OPERATION_TIMEDOUT || res == CURLE_PARTIAL_FILE ||
           res == CURLE_RECV_ERROR || res == CURLE_SEND_ERROR || res == CURLE_GOT_NOTHING ||
           res == CURLE_COULDNT_CONNECT || res == CURLE_HTTP2 || res == CURLE_HTTP2_STREAM;
}

static void describe(struct pw_buf *cause, CURLcode res, long code, long redirects,
                     const char *errbuf, const struct pw_fetch_settings *s,
                     const struct transfer *t)
{
    pw_buf_reset(cause);
    switch (res) {
    case CURLE_HTTP_RETURNED_ERROR:
        pw_buf_addf(cause, "the server answered HTTP %ld", code);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        pw_buf_addf(cause, "timed out (no data for %ld seconds, or no connection)", s->stall_s);
        break;
    case CURLE_TOO_MANY_REDIRECTS:
        pw_buf_addf(cause, "too many redirects (more than %ld)", MAX_REDIRECTS);
        break;
    case CURLE_PARTIAL_FILE:
        pw_buf_addf(cause, "the connection closed early (after %" PRIu64 " bytes)", t->written);
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
        if (redirects > 0)
            pw_buf_addf(cause, "a redirect leads to a protocol other than https or http (%s)",
                        errbuf[0] ? errbuf : curl_easy_strerror(res));
        else
            pw_buf_addf(cause, "only https, http and file URLs are allowed (%s)",
                        errbuf[0] ? errbuf : curl_easy_strerror(res));
        break;
    default:
        pw_buf_adds(cause, errbuf[0] ? errbuf : curl_easy_strerror(res));
        break;
    }
}

/* Runs one attempt and decides what comes next; cause explains a failure. */
static enum outcome attempt(CURL *curl, struct transfer *t, const struct pw_fetch_settings *s,
                            long *status, struct pw_buf *cause)
{
    char errbuf[CURL_ERROR_SIZE];
    char range[32];
    struct body_ctx b = {t, curl};
    errbuf[0] = '\0';
    t->offset = t->written;
    t->started = 0;
    t->range_start = -1;
    t->bad_range = 0;
    snprintf(range, sizeof(range), "%" PRIu64 "-", t->offset);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_RANGE, t->offset ? range : NULL);
    CURLcode res = curl_easy_perform(curl);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    *status = code;
    if (t->sink_failed)
        return OUTCOME_FAIL;
    if (t->bad_range || (res == CURLE_HTTP_RETURNED_ERROR && code == 416)) {
        /* Our partial copy does not fit what the server has now: start over. */
        pw_buf_reset(cause);
        pw_buf_addf(cause, "the server answered a resumed download with a wrong range");
        if (t->sink->reset(t->sink->data, t->err) < 0) {
            t->sink_failed = 1;
            return OUTCOME_FAIL;
        }
        t->written = 0;
        return OUTCOME_RETRY;
    }
    if (res == CURLE_OK)
        return OUTCOME_DONE;
    long redirects = 0;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_COUNT, &redirects);
    describe(cause, res, code, redirects, errbuf, s, t);
    if (pw_fetch_retryable(res, code))
        return OUTCOME_RETRY;
    return OUTCOME_FAIL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int run_attempts(CURL *curl, const char *url, struct transfer *t,
                        const struct pw_fetch_settings *s, long *status, struct pw_err *err)
{
    struct pw_buf cause = PW_BUF_INIT;
    int rc = 0;
    for (long n = 1;; n++) {
        enum outcome o = attempt(curl, t, s, status, &cause);
        if (o == OUTCOME_DONE)
            break;
        if (o == OUTCOME_FAIL && t->sink_failed) {
            rc = -err->code;
            break;
        }
        if (o == OUTCOME_FAIL || n > s->retries) {
            if (n > 1)
                pw_buf_addf(&cause, " (%ld attempts)", n);
            rc = pw_err_set(err, PW_E_NETWORK, "cannot download '%s': %s", url, cause.buf);
            break;
        }
        sleep_ms(pw_fetch_backoff_delay(s, (unsigned)n));
    }
    pw_buf_release(&cause);
    return rc;
}

int pw_fetch_url(const char *url, const char *label, const struct pw_fetch_sink *sink,
                 const struct pw_ctx *ctx, long *status, struct pw_err *err)
{
    long last_status = 0;
    if (status)
        *status = 0;
    if (!pw_fetch_scheme_allowed(url))
        return pw_err_set(err, PW_E_NETWORK,
                          "cannot download '%s': only https, http and file URLs are allowed", url);
    if (pw_curl_dl_load(err) < 0)
        return pw_err_prefix(err, "cannot download '%s': ", url);
    CURL *curl = curl_easy_init();
    if (!curl)
        return pw_err_set(err, PW_E_NETWORK, "cannot download '%s': libcurl failed to start", url);
    struct pw_fetch_settings s;
    pw_fetch_settings_from_env(&s);
    struct transfer t;
    memset(&t, 0, sizeof(t));
    t.label = label;
    t.sink = sink;
    t.ctx = ctx;
    t.err = err;
    t.range_start = -1;
    setup_handle(curl, url, &s, &t);
    int rc = run_attempts(curl, url, &t, &s, &last_status, err);
    curl_easy_cleanup(curl);
    if (status)
        *status = last_status;
    if (ctx->progress)
        ctx->progress(ctx->progress_data, label, t.written,
                      rc == 0 ? t.written : PW_FETCH_PROGRESS_FAILED);
    return rc;
}
