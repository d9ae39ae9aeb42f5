/* The download policy of the fetch module, shared by its two files: fetch.c (one transfer into
 * a sink) and fetch_multi.c (parallel transfers into files). Only they include libcurl; the
 * rest of packwright sees fetch.h and fetch_multi.h. Implemented in fetch.c. */
#ifndef PW_CORE_FETCH_POLICY_H
#define PW_CORE_FETCH_POLICY_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

/* From PACKWRIGHT_FETCH_RETRIES, PACKWRIGHT_FETCH_BACKOFF_MS, PACKWRIGHT_FETCH_STALL_SECONDS
 * (see fetch.h for the defaults). */
struct pw_fetch_settings {
    long retries;
    long backoff_ms;
    long stall_s;
};

void pw_fetch_settings_from_env(struct pw_fetch_settings *s);
/* Protocols (https, http, file; redirects to https and http, at most 10), TLS verification,
 * HTTP errors as failures, connect and stall timeouts, no signals, the user agent. */
void pw_fetch_policy_apply(CURL *curl, const struct pw_fetch_settings *s);
/* Whether a failed attempt deserves another: timeouts, cut or refused connections, and HTTP
 * 408, 429 and 5xx. */
int pw_fetch_retryable(CURLcode res, long status);
/* How long to wait before retry number n (1 for the first): the backoff doubled n-1 times,
 * at most 30 s. */
long pw_fetch_backoff_delay(const struct pw_fetch_settings *s, unsigned n);
/* START of a "Content-Range: bytes START-END/TOTAL" header line; -1 for any other line. */
int64_t pw_fetch_content_range_start(const char *line, size_t len);

#endif
