/* Downloads over https, http and file URLs: the only libcurl user (libcurl.so.4, loaded on the
 * first download: curl_dl.h).
 *
 * Policy, the same for every download:
 * - protocols https, http and file; redirects (at most 10) only to https and http;
 * - TLS peer and host verification always on;
 * - proxies from the usual environment variables (libcurl's defaults: http_proxy,
 *   https_proxy, all_proxy, no_proxy);
 * - a transfer that moves no byte for PACKWRIGHT_FETCH_STALL_SECONDS (default 30) is a timeout;
 * - timeouts, cut connections and HTTP 408, 429 and 5xx are retried up to
 *   PACKWRIGHT_FETCH_RETRIES times (default 4) with exponential backoff starting at
 *   PACKWRIGHT_FETCH_BACKOFF_MS (default 1000, doubling, at most 30 s); a retry after a cut asks
 *   for the rest with a Range request and starts over when the server ignores it.
 * The three environment variables exist so tests (and slow links) can tune them. */
#ifndef PW_CORE_FETCH_H
#define PW_CORE_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "ctx.h"

/* Where the bytes go. Both callbacks return 0, or a negative PW_E_* with err filled, which
 * ends the download with that error. */
struct pw_fetch_sink {
    int (*write)(void *data, const void *bytes, size_t len, struct pw_err *err);
    /* Forget everything written so far: the server sends the whole file again. */
    int (*reset)(void *data, struct pw_err *err);
    void *data;
};

/* In ctx->progress reports: the total of the last report of a download that failed. */
#define PW_FETCH_PROGRESS_FAILED UINT64_MAX

/* Downloads url into sink. label names the download in ctx->progress reports; the last report
 * of a download has done == total when it succeeded and total == PW_FETCH_PROGRESS_FAILED when
 * it failed; earlier ones have done < total or total == 0 (unknown size).
 * Returns 0, the sink's error, or PW_E_NETWORK with a message naming the URL and the cause
 * ("cannot download 'URL': the server answered HTTP 404"). When status is not NULL it receives
 * the last HTTP status seen (0 for file URLs and failures without a response). */
int pw_fetch_url(const char *url, const char *label, const struct pw_fetch_sink *sink,
                 const struct pw_ctx *ctx, long *status, struct pw_err *err);

/* 1 when url starts with one of the allowed schemes (https://, http://, file://). */
int pw_fetch_scheme_allowed(const char *url);

#endif
