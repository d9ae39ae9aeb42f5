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

#define PW_REPO_SUM_MD5 1
#define PW_REPO_SUM_SHA1 2
#define PW_REPO_SUM_SHA256 4
#define PW_REPO_SUM_SHA512 8
#define PW_REPO_SUM_ALL 15

/* Sizes and hex digests; the digests not asked for in a mask are left empty. */
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
    struct pw_repo_taken *taken; /* --move: inputs to remove once published */
    size_t ntaken;
};

struct pw_repo_taken {
    char *file;
    char *placed; /* the pool path given to file itself, or NULL (copied, or already there) */
    dev_t dev;
    ino_t ino;
};

struct pw_repo_verify {
    const char *root;    /* family directory: pool paths are relative to it */
    const char *keyring; /* NULL: unsigned metadata accepted */
    int64_t now;
    struct pw_repo_db *trusted; /* NULL: hash every pool file */
    /* Set while a new generation is staged: its index. Its indices were checked chunk by
     * chunk as they were compressed (repo_chunk.h), so only files, hashes, signatures and the
     * packages new to the index are checked. */
    const struct pw_repo_db *staged;
    void (*problem)(void *data, const char *msg);
    void *data;
    int first;          /* code of the first problem */
    size_t problems;
    struct pw_repo_map checked; /* "path sha256" of pool files already verified */
};

struct pw_pkgbytes;

/* A package copied into r->tmp, read and rendered (possibly by a worker thread), waiting for
 * its family's commit, which checks it against the index and places it in the pool. */
struct pw_repo_pending {
    const struct pw_repo_family *fam;
    const char *file;
    char *tmp;                /* the copy, or NULL for a file already in the pool */
    char *inplace;            /* the resolved path of a file already in the pool */
    const char *path;         /* what to read: tmp or inplace */
    const struct pw_pkgbytes *bytes; /* its first bytes, in memory while it is read */
    struct pw_repo_rec *rec;  /* its index record: path, ident, sha256, rendered entries */
    int unsigned_pkg;         /* an rpm without an OpenPGP signature */
    int taken;                /* --move: file is removed once published */
    int linked;               /* --move: tmp is file itself, under a second name */
    dev_t dev;                /* file's own device and inode (lstat), to remove only it */
    ino_t ino;
    int rc;
    struct pw_err err;
};

struct pw_repo_family {
    const char *name;  /* "deb", "rpm": the directory under REPO */
    const char *entry; /* "dists", "repodata": the name flipped to each new generation */
    const char *pool;  /* "pool", "Packages": where the package files live */
    int (*probe)(const unsigned char *head, size_t len);
    unsigned sums; /* digests of the package file its index needs (PW_REPO_SUM_*) */
    /* Reads the copy p->tmp and renders p->rec. Touches no shared state: worker threads run
     * it in parallel. */
    int (*read)(const struct pw_repo *r, struct pw_repo_pending *p,
                const struct pw_repo_sums *sums, const struct stat *st, struct pw_err *err);
    /* Enters a package that is now in the pool into s->db (or merges it with the record of
     * the same file); sets s->changed when the index changes. */
    void (*record)(struct pw_repo *r, struct pw_repo_state *s, struct pw_repo_pending *p);
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
void pw_repo_sums_buffer(const void *data, size_t len, unsigned mask, struct pw_repo_sums *s);
int pw_repo_sums_file(const char *path, unsigned mask, struct pw_repo_sums *s,
                      struct pw_err *err);
/* One worker's way of taking packages in: each file is opened once and read once, its first
 * PW_REPO_INGEST_HEAD bytes staying in buf for the package parsers; the buffer is reused from
 * package to package (no large allocation per package). */
#define PW_REPO_INGEST_HEAD (1u << 20)
struct pw_repo_ingest {
    unsigned char *buf;
    size_t head_len; /* bytes of the current file at the start of buf */
    int fd;          /* the current file, open */
    struct stat st;  /* its stat */
    int regular;     /* a regular file (anything else is refused after probing) */
    int read_errno;  /* the head could not be read */
    int tmp_fd;      /* r->tmp opened (O_PATH), or -1: copies are created there */
    int fix_mode;    /* the umask narrows 0644: copies need an fchmod */
};
void pw_repo_ingest_init(struct pw_repo_ingest *in, int tmp_fd, int fix_mode);
void pw_repo_ingest_release(struct pw_repo_ingest *in);
/* Opens file and reads its head (64 bytes when it is not a regular file); *is_link tells that
 * file itself is a symbolic link (followed). */
int pw_repo_ingest_open(struct pw_repo_ingest *in, const char *file, int *is_link,
                        struct pw_err *err);
void pw_repo_ingest_close(struct pw_repo_ingest *in);
/* Copies the open file to a new file in r->tmp in one pass, hashing (mask: PW_REPO_SUM_*) the
 * very bytes it writes (or clones it where the file system can, and hashes the clone); the copy
 * keeps the source's mtime. tmp_path receives the copy's path,
 * st the copy's stat. */
int pw_repo_ingest_copy(const struct pw_repo *r, struct pw_repo_ingest *in, const char *src,
                        unsigned mask, struct pw_buf *tmp_path, struct pw_repo_sums *s,
                        struct stat *st, struct pw_err *err);
/* For --move: makes the open file itself the pool copy (a second name in r->tmp; the caller
 * removes the first once published) when nobody could tell it from a copy: a regular file
 * with no other name, 0644, owned by us, on the repository's file system. 1 taken (hashed,
 * tmp_path and st filled), 0 when it must be copied instead, <0 on errors. */
int pw_repo_ingest_take(const struct pw_repo *r, struct pw_repo_ingest *in, const char *src,
                        unsigned mask, struct pw_buf *tmp_path, struct pw_repo_sums *s,
                        struct stat *st, struct pw_err *err);
/* Hashes the open file where it is (one already in the pool, at path). */
int pw_repo_ingest_hash(struct pw_repo_ingest *in, const char *path, unsigned mask,
                        struct pw_repo_sums *s, struct stat *st, struct pw_err *err);
/* A new record for a pool file: type, path, identity, size, mtime and SHA-256. */
struct pw_repo_rec *pw_repo_file_rec(const char *type, const char *dest, const char *ident,
                                     const struct pw_repo_sums *sums, const struct stat *st);
/* Moves the prepared copy to its pool path (or links a file already in the pool there) unless
 * the pool holds the same bytes there; a different file at that path is refused (the pool is
 * write-once). tmp_fd and fam_fd are r->tmp and s->dir opened (O_PATH), or -1: names relative
 * to them resolve faster than full paths. Returns 1 when p->tmp was moved (it is gone), else 0
 * or <0. */
int pw_repo_pool_commit(struct pw_repo_state *s, const struct pw_repo_pending *p, int tmp_fd,
                        int fam_fd, struct pw_err *err);
/* The write-once rule across the repository: p's identity (name, version, arch) published
 * with other bytes is refused. Returns the record already holding these bytes, if any. */
int pw_repo_check_identity(struct pw_repo_state *s, const struct pw_repo_pending *p,
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
/* A staged generation's packages of type ("deb", "rpm") new to the index: in the pool with the
 * size and mtime they were hashed with as they were copied in (the others were checked when
 * they were added; repo check hashes them all). */
int pw_repo_verify_staged(struct pw_repo_verify *v, const char *type, struct pw_err *err);
/* Relative path rules for index entries: no "..", not absolute, no "//". */
int pw_repo_safe_relpath(const char *p);

#endif
