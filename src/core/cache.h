/* The content-addressed download cache (ctx->cache_dir).
 *
 * Layout under DIR:
 *   DIR/sha256/ab/abcdef...    a verified download, named by its digest (sha512/ likewise)
 *   DIR/url/ab/<sha256(URL)>   a checksum file named by a source's sha512_url, keyed by its URL:
 *                              it is the trust anchor, so no digest names it in advance
 *
 * Every entry appears by one rename(2) of a complete temp file written beside it
 * ("NAME.tmp-XXXXXX"), and a download's temp file is renamed only when its digest matches, so
 * a reader sees either no entry or a whole one. Concurrent builds need no lock: two of them
 * downloading the same file rename identical bytes onto the same name. A corrupt entry is
 * never deleted (that could race with another build's good rename): it reads as a miss and the
 * next download replaces it. Extracted archive members are not cached (see sources.c). */
#ifndef PW_CORE_CACHE_H
#define PW_CORE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/fs.h"
#include "hash.h"

/* Appends DIR/ALGO/xx/HEX to out. */
void pw_cache_object_path(const char *dir, enum pw_hash_algo algo, const char *hex,
                          struct pw_buf *out);

/* Looks up the object HEX and verifies it again. Returns 1 with its path in path on a hit,
 * 0 on a miss (*corrupt set to 1 when an entry exists with other bytes), or a negative error
 * when the entry cannot be read. */
int pw_cache_lookup(const char *dir, enum pw_hash_algo algo, const char *hex, struct pw_buf *path,
                    int *corrupt, struct pw_err *err);

/* A download on its way into the cache: bytes are hashed as they are written. */
struct pw_cache_writer {
    struct pw_atomic_file file;
    struct pw_hash hash;
    enum pw_hash_algo algo;
    char *want; /* expected lowercase hex digest */
    uint64_t size;
};

/* Opens a temp file for the object HEX under DIR (creating DIR/ALGO/xx). */
int pw_cache_writer_open(struct pw_cache_writer *w, const char *dir, enum pw_hash_algo algo,
                         const char *hex, struct pw_err *err);
int pw_cache_writer_write(struct pw_cache_writer *w, const void *data, size_t len,
                          struct pw_err *err);
/* Drops what was written (a server that ignored a Range request sends everything again). */
int pw_cache_writer_reset(struct pw_cache_writer *w, struct pw_err *err);
/* Verifies the digest; on a match renames the temp file into place and sets path, otherwise
 * removes it and returns PW_E_CHECKSUM ("sha256 mismatch: expected X, got Y"). Always
 * releases w. */
int pw_cache_writer_commit(struct pw_cache_writer *w, struct pw_buf *path, struct pw_err *err);
/* Removes the temp file; safe after commit and on a zeroed struct. */
void pw_cache_writer_abort(struct pw_cache_writer *w);

/* URL-keyed entries (checksum files). load returns 1 and fills out on a hit, 0 on a miss. */
int pw_cache_url_load(const char *dir, const char *url, struct pw_buf *out, struct pw_err *err);
int pw_cache_url_store(const char *dir, const char *url, const void *data, size_t len,
                       struct pw_err *err);

#endif
