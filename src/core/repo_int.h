/* Internals shared by repo.c (generations, lock, publishing) and the two index families,
 * repo_apt.c and repo_rpmmd.c, which sit behind struct pw_repo_family. */
#ifndef PW_CORE_REPO_INT_H
#define PW_CORE_REPO_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/strvec.h"
#include "gpg.h"
#include "repo.h"
#include "repo_db.h"

struct pw_repo_sums {
    uint64_t size;
    char md5[33], sha1[41], sha256[65], sha512[129];
};

/* One family's state during a publish. */
struct pw_repo_state {
    const struct pw_repo_family *fam;
    char *dir;                 /* REPO/deb or REPO/rpm */
    long live;                 /* live generation, 0 when none */
    struct pw_repo_db db;      /* the next index, starting from the live one */
    struct pw_repo_db trusted; /* the live index as loaded: known-good pool files */
    int changed;
};

struct pw_repo {
    const struct pw_repo_opts *o;
    char *root;  /* absolute REPO */
    char *state; /* REPO/.packwright */
    char *tmp;   /* REPO/.packwright/tmp: pool copies in flight, the verification keyring */
    int lock_fd;
    char *name, *url, *sign_key; /* stored settings merged with the options */
    int rpm_compression;
    char *keyring; /* exported public key (binary) while publishing signed */
    int64_t clock; /* the real clock, for grace periods */
    struct pw_repo_state fams[2];
};

struct pw_repo_verify {
    const char *root;    /* family directory: pool paths are relative to it */
    const char *keyring; /* NULL: unsigned metadata accepted */
    int64_t now;
    const struct pw_repo_db *trusted; /* NULL: hash every pool file */
    void (*problem)(void *data, const char *msg);
    void *data;
    int first;          /* code of the first problem */
    size_t problems;
    struct pw_strvec checked; /* "path sha256" of pool files already verified */
};

struct pw_repo_family {
    const char *name;  /* "deb", "rpm": the directory under REPO */
    const char *entry; /* "dists", "repodata": the name flipped to each new generation */
    const char *pool;  /* "pool", "Packages": where the package files live */
    int (*probe)(const unsigned char *head, size_t len);
    /* Copies file into the pool (write-once) and records it in s->db. */
    int (*add)(struct pw_repo *r, struct pw_repo_state *s, const char *file,
               struct pw_err *err);
    /* Drops records of name (and version) in scope; returns how many went. */
    int (*remove)(struct pw_repo *r, struct pw_repo_state *s, const char *name,
                  const char *version, struct pw_err *err);
    /* Writes every index and entry point for s->db into dir; prev is the live entry dir
     * (or NULL) whose unchanged compressed files may be reused. */
    int (*render)(struct pw_repo *r, struct pw_repo_state *s, const char *dir,
                  const char *prev, struct pw_err *err);
    /* Checks an entry directory the way the family's clients do. */
    int (*verify)(struct pw_repo_verify *v, const char *dir, struct pw_err *err);
    /* Content-addressed files (relative to dir) its entry points reference. */
    int (*referenced)(const char *dir, struct pw_strvec *out, struct pw_err *err);
};

extern const struct pw_repo_family pw_repo_family_apt;
extern const struct pw_repo_family pw_repo_family_rpmmd;

/* repo_util.c */
void pw_repo_note(const struct pw_repo *r, const char *fmt, ...) PW_PRINTF(2, 3);
void pw_repo_sums_buffer(const void *data, size_t len, struct pw_repo_sums *s);
int pw_repo_sums_file(const char *path, struct pw_repo_sums *s, struct pw_err *err);
/* Copies src to a new file in r->tmp while hashing it; the copy keeps src's mtime.
 * tmp_path receives the copy's path, st the copy's stat. */
int pw_repo_copy_in(struct pw_repo *r, const char *src, struct pw_buf *tmp_path,
                    struct pw_repo_sums *s, struct stat *st, struct pw_err *err);
/* Moves the copied file to dest (relative to the family directory), which must not exist
 * yet: the pool is write-once. Creates parent directories. */
int pw_repo_pool_place(const char *famdir, const char *tmp, const char *dest,
                       struct pw_err *err);
/* Checks that an existing pool file at dest holds exactly sha256 (reusing trusted sizes and
 * mtimes); returns 1 when equal, 0 when different, <0 on errors. */
int pw_repo_pool_same(const struct pw_repo_state *s, const char *dest, const char *sha256,
                      struct pw_err *err);
int pw_repo_write(const char *path, const void *data, size_t len, struct pw_err *err);
/* Hard link (copy when links are not possible); dst must not exist. */
int pw_repo_link(const char *src, const char *dst, struct pw_err *err);
int pw_repo_mkdirs_for(const char *path, struct pw_err *err);
/* RFC 1123 in UTC with C-locale names: "Sat, 01 Jan 2024 00:00:00 UTC". */
void pw_repo_rfc1123(int64_t t, struct pw_buf *out);
/* Parses what apt accepts there; -1 when it cannot. */
int pw_repo_parse_rfc1123(const char *s, int64_t *out);
/* Letters, digits and the characters in extra only; no leading '.', '-' or '/'; no "..". */
int pw_repo_safe_name(const char *s, const char *extra);
/* Signs with the repository's key (pw_gpg_sign). */
int pw_repo_sign(const struct pw_repo *r, enum pw_gpg_mode mode, const void *data, size_t len,
                 struct pw_buf *out, struct pw_err *err);
/* Records a problem: with a problem hook it reports and returns 0 (go on), else it fills err
 * and returns the negative code (stop). */
int pw_repo_problem(struct pw_repo_verify *v, struct pw_err *err, int code, const char *fmt,
                    ...) PW_PRINTF(4, 5);
/* Verifies a pool file (relative path) against size and hex digests (NULL ones are skipped),
 * hashing only what is not known good. */
int pw_repo_verify_pool_file(struct pw_repo_verify *v, const char *rel, uint64_t size,
                             const char *sha256, const char *sha512, const char *md5,
                             const char *sha1, struct pw_err *err);
/* Relative path rules for index entries: no "..", not absolute, no "//". */
int pw_repo_safe_relpath(const char *p);

#endif
