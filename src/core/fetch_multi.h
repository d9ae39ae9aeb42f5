/* Parallel downloads (libcurl multi) into files, each verified before it gets its name.
 *
 * Same policy as fetch.h: https, http and file only; redirects (at most 10) only to https and
 * http; TLS verification always on; stalls, cut connections and HTTP 408/429/5xx retried
 * (PACKWRIGHT_FETCH_RETRIES, PACKWRIGHT_FETCH_BACKOFF_MS, PACKWRIGHT_FETCH_STALL_SECONDS).
 * A download goes to DEST.part; an interrupted one is resumed with a Range request on the next
 * attempt or run (started over when the server ignores the range). Only a file whose size and
 * digest match what the job expects is renamed to DEST; a bad one is deleted. */
#ifndef PW_CORE_FETCH_MULTI_H
#define PW_CORE_FETCH_MULTI_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "ctx.h"
#include "hash.h"

/* Job results besides 0 and negative PW_E_* codes. */
#define PW_FETCH_MISSING 1 /* optional job: the server has no such file (HTTP 404/410) */

struct pw_fetch_job {
    const char *url;
    const char *dest;
    uint64_t size;     /* expected size; 0: unknown (then max_size bounds it) */
    uint64_t max_size; /* with size 0: refuse bodies larger than this; 0: 64 MiB */
    enum pw_hash_algo algo;
    const char *digest; /* expected lowercase hex; NULL: not verified here (entry points) */
    int optional;       /* a missing file is PW_FETCH_MISSING, not an error */
    /* results */
    int result;        /* 0, PW_FETCH_MISSING, or a negative PW_E_* */
    long status;       /* last HTTP status (0 for file URLs) */
    unsigned requests; /* how many requests the job made */
};

struct pw_fetch_multi_opts {
    unsigned parallel;        /* transfers at once; 0: 4 */
    const struct pw_ctx *ctx; /* progress; may be NULL */
};

/* Runs every job, at most `parallel` at a time. Stops at the first job that fails for good
 * and returns its error (naming the URL; PW_E_NETWORK, PW_E_CHECKSUM for a size or digest
 * that does not match, PW_E_IO for local files); 0 when every job ended with 0 or
 * PW_FETCH_MISSING. */
int pw_fetch_multi(struct pw_fetch_job *jobs, size_t n, const struct pw_fetch_multi_opts *o,
                   struct pw_err *err);

/* Checks a file on disk against size and digest (the same check a download gets).
 * PW_E_CHECKSUM naming what differs. */
int pw_fetch_verify_file(const char *path, uint64_t size, enum pw_hash_algo algo,
                         const char *digest, struct pw_err *err);

#endif
