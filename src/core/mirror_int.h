/* Internals shared by mirror.c (the run: lock, keyring, downloads, selection, publishing) and
 * the two upstream families, mirror_apt.c and mirror_rpm.c. */
#ifndef PW_CORE_MIRROR_INT_H
#define PW_CORE_MIRROR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/strvec.h"
#include "fetch_multi.h"
#include "mirror.h"
#include "upstream.h"

struct pw_mirror {
    const struct pw_mirror_opts *o;
    struct pw_mirror_result *res;
    char *url;     /* upstream root without a trailing '/' */
    char *work;    /* REPO/.packwright/mirror/<family key> */
    char *keyring; /* absolute path of a binary keyring gpgv reads */
    int lock_fd;
    struct pw_upkgs pkgs;         /* every package the upstream indexes list */
    struct pw_strvec origins;     /* apt: the component of pkgs[i].origin */
    struct pw_strvec archs;       /* apt: the architectures mirrored */
    struct pw_strvec indexes;     /* cached index files still referenced (names in work/indexes) */
    struct pw_buf entry;          /* the verified entry point, stored after publishing */
    struct pw_buf entry_sig;      /* its detached signature, when there is one */
    int64_t upstream_date;        /* apt Release Date, stored for the downgrade check */
    struct pw_strvec local_keys;  /* "COMPONENT SHA256" of what the repository serves */
    struct pw_strvec local_paths; /* the file of each */
    struct pw_rpmmd_data filelists; /* rpm: repomd's filelists entry (href NULL: none) */
};

struct pw_mirror_family {
    const char *name; /* "deb", "rpm" */
    /* Fetches and verifies the entry point and the indexes; fills m->pkgs. */
    int (*load)(struct pw_mirror *m, struct pw_err *err);
    /* rpm: adds the full file lists to m->pkgs; 1 when it did, 0 when there are none. */
    int (*more_files)(struct pw_mirror *m, struct pw_err *err);
};

extern const struct pw_mirror_family pw_mirror_family_apt;
extern const struct pw_mirror_family pw_mirror_family_rpm;

/* mirror.c */
/* URL of a path below the upstream root. */
void pw_mirror_url(const struct pw_mirror *m, const char *rel, struct pw_buf *out);
/* Downloads a small unverified file (entry point, signature) into out. Returns 0,
 * PW_FETCH_MISSING when optional and absent, or an error. */
int pw_mirror_fetch_small(struct pw_mirror *m, const char *rel, int optional, struct pw_buf *out,
                          struct pw_err *err);
/* Fetches a signed index (or takes it from the cache of verified indexes); path receives the
 * local file. by_hash, when not NULL, is tried first (apt's by-hash URL). */
int pw_mirror_fetch_index(struct pw_mirror *m, const char *rel, const char *by_hash, uint64_t size,
                          enum pw_hash_algo algo, const char *digest, struct pw_buf *path,
                          struct pw_err *err);
/* Verifies data with gpgv against the keyring; sig NULL for a cleartext-signed file. */
int pw_mirror_verify_signature(struct pw_mirror *m, const char *what, const void *data, size_t len,
                               const void *sig, size_t siglen, struct pw_err *err);
/* The detached signature of entry: the one stored by the last run when entry is byte for byte
 * the entry point it verified (no request), else downloaded from rel. */
int pw_mirror_fetch_signature(struct pw_mirror *m, const char *rel, struct pw_err *err);
/* The entry point and the value mirrored last time (state file), "" when none. */
int pw_mirror_state_get(const struct pw_mirror *m, const char *key, struct pw_buf *out);

/* Drops cached indexes the current entry point no longer lists and downloads the repository
 * now holds (partial downloads stay, to be resumed). */
void pw_mirror_prune(struct pw_mirror *m);

/* mirror_publish.c */
/* Reads what the repository serves in the mirror's scope into local_keys/local_paths. */
int pw_mirror_local_load(struct pw_mirror *m, struct pw_err *err);
/* The local component of an upstream package ("" for rpm). */
const char *pw_mirror_component(const struct pw_mirror *m, const struct pw_upkg *p);
/* The repository's own copy of p, or NULL. */
const char *pw_mirror_local_file(const struct pw_mirror *m, const struct pw_upkg *p);
/* Publishes the selected packages (files[i] for sel[i]) as the next generation: exactly this
 * set for the family (the suite, for apt). Nothing when the repository serves it already. */
int pw_mirror_publish(struct pw_mirror *m, const unsigned char *sel, char *const *files,
                      struct pw_err *err);

/* mirror_read.c: decompresses (gzip, xz, zstd, bzip2, or none) a file in chunks. */
int pw_mirror_read_decompressed(const char *path,
                                int (*chunk)(void *data, const void *buf, size_t len,
                                             struct pw_err *err),
                                void *data, struct pw_err *err);
/* The whole decompressed content, at most max bytes. */
int pw_mirror_read_all(const char *path, size_t max, struct pw_buf *out, struct pw_err *err);
/* Appends the stanzas of a Packages file (any compression) to out. */
int pw_mirror_read_packages(const char *path, struct pw_upkgs *out, struct pw_err *err);
/* Appends the packages of a primary.xml file (any compression) to out. */
int pw_mirror_read_primary(const char *path, struct pw_upkgs *out, struct pw_err *err);
/* Adds the files a filelists.xml (any compression) lists to the packages of pkgs. */
int pw_mirror_read_filelists(const char *path, struct pw_upkgs *pkgs, struct pw_err *err);
/* Appends the packages of the rpm-md repository at root (repodata/repomd.xml, not verified:
 * the caller's own repository) to out. */
int pw_mirror_read_rpmmd(const char *root, struct pw_upkgs *out, struct pw_err *err);
/* Formats a note for a progress hook (which may be NULL). */
void pw_mirror_notef(void (*note)(void *data, const char *msg), void *data, const char *fmt, ...)
    PW_PRINTF(3, 4);

#endif
