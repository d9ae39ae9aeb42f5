/* `packwright repo add | remove | check`: one repository serving apt (REPO/deb) and rpm-md
 * (REPO/rpm) clients, published in generations that are written beside the live one, checked
 * the way apt and dnf check them, and switched with one rename per family. See
 * doc/repositories.md for the layout, the grace period and the lock. */
#ifndef PW_CORE_REPO_H
#define PW_CORE_REPO_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "ctx.h"

#define PW_REPO_DEFAULT_SUITE "stable"
#define PW_REPO_DEFAULT_COMPONENT "main"
#define PW_REPO_DEFAULT_NAME "packwright"
#define PW_REPO_DEFAULT_GRACE (3 * 24 * 3600) /* >= dnf's 48 h metadata_expire */
#define PW_REPO_DEFAULT_LOCK_TIMEOUT 300

struct pw_repo_opts {
    const char *path;      /* REPO */
    const char *suite;     /* apt suite; remove: NULL means every suite and the rpm side */
    const char *component; /* apt component */
    const char *name;      /* NULL: the stored name, else PW_REPO_DEFAULT_NAME */
    const char *sign_key;  /* NULL: the stored key (a signed repository stays signed) */
    const char *url;       /* NULL: the stored URL, else file://REPO */
    const char *const *archs; /* extra apt architectures, narchs of them */
    size_t narchs;
    int64_t now;           /* Release Date and repomd timestamps: SOURCE_DATE_EPOCH or clock */
    int64_t grace;         /* seconds superseded metadata and pool files are kept */
    int64_t lock_timeout;  /* seconds to wait for another publisher; 0 fails at once */
    int64_t valid_for;     /* > 0: Release carries Valid-Until = Date + valid_for */
    int rpm_compression;   /* -1: stored (gzip by default); else PW_COMPRESS_GZIP or _ZSTD */
    int changelog_limit;   /* rpm other.xml entries per package (createrepo_c: 10) */
    int move;              /* add: remove the files once published; where nobody could tell,
                              the file itself becomes the pool copy (no data copied) */
    const struct pw_ctx *ctx; /* warnings */
    void (*note)(void *data, const char *msg); /* progress notes; may be NULL */
    void *note_data;
};

void pw_repo_opts_init(struct pw_repo_opts *o);

/* Copies each file into the write-once pool (o->move: moves it) and publishes the next
 * generation. With no files it republishes (fresh Date and signatures). Files already inside
 * the pool are indexed where they lie and never removed. */
int pw_repo_add(const struct pw_repo_opts *o, char *const *files, size_t nfiles,
                struct pw_err *err);
/* For `packwright mirror`: makes files exactly the content of one family's scope (family
 * "deb": the suite o->suite, file i in component components[i]; "rpm": the whole rpm side) and
 * publishes it as one generation. Packages of that scope not named leave the index (their
 * pool files stay for the grace period); every file must belong to the family. */
int pw_repo_sync(const struct pw_repo_opts *o, const char *family, char *const *files,
                 const char *const *components, size_t nfiles, struct pw_err *err);
/* Takes NAME or NAME=VERSION out of the index (o->suite limits it to one apt suite); the pool
 * files stay for the grace period. */
int pw_repo_remove(const struct pw_repo_opts *o, char *const *specs, size_t nspecs,
                   struct pw_err *err);

struct pw_repo_check_opts {
    const char *path;
    const char *keyring;   /* NULL: REPO/NAME-archive-keyring.gpg */
    int allow_unsigned;
    int64_t now;           /* the client's clock, for Date and Valid-Until */
    void (*problem)(void *data, const char *msg); /* every problem; NULL stops at the first */
    void *data;
};

/* Verifies REPO as apt and dnf would: signatures, every listed size and hash, every package
 * file against its index entry. Returns the first problem's error code. */
int pw_repo_check(const struct pw_repo_check_opts *o, struct pw_err *err);

#endif
