/* The normalised contents list shared by every writer: sorted bytewise by path, every parent
 * directory present, owners root:root unless set, mtimes clamped to SOURCE_DATE_EPOCH.
 * Built once from a pw_package; writers never reorder or add entries except generated
 * per-format documentation files they add through pw_contents_add_generated(). */
#ifndef PW_CORE_CONTENTS_H
#define PW_CORE_CONTENTS_H

#include <stdint.h>
#include <sys/types.h>

#include "../base/err.h"
#include "ctx.h"
#include "manifest.h"
#include "sources.h"

enum pw_file_kind { PW_FILE_REG, PW_FILE_DIR, PW_FILE_SYMLINK };

enum pw_file_flag {
    PW_FLAG_CONFIG = 1 << 0,
    PW_FLAG_NOREPLACE = 1 << 1,
    PW_FLAG_GHOST = 1 << 2,    /* rpm only: listed in the header, not in the payload; deb skips */
    PW_FLAG_IMPLICIT = 1 << 3, /* a parent directory nobody declared: rpm does not own it */
    PW_FLAG_DOC = 1 << 4,
    PW_FLAG_LICENSE = 1 << 5,
    PW_FLAG_GENERATED = 1 << 6, /* data lives in memory (changelog, copyright, wrappers) */
};

struct pw_file {
    char *path; /* absolute: "/usr/bin/x" */
    enum pw_file_kind kind;
    unsigned flags;
    unsigned mode; /* permission bits (07777), without the type */
    char *owner;
    char *group;
    int64_t mtime;
    uint64_t size;       /* regular: bytes; symlink: strlen(target); dir: 0 */
    char *src;           /* regular files read from disk */
    char *target;        /* symlink target */
    unsigned char *data; /* regular files with PW_FLAG_GENERATED */
    long spec;           /* index of the manifest entry it came from; -1: implicit or generated */
    /* Digests, filled by the writer while the data streams (see archive.h). */
    int have_digests;
    unsigned char md5[16];
    unsigned char sha256[32];
};

struct pw_feed;

struct pw_contents {
    struct pw_file *files;
    size_t n;
    size_t cap;
    struct pw_feed *feed; /* borrowed: the shared reader of its files (feed.h), or NULL */
    int feed_id;          /* this writer's consumer id in feed */
};

void pw_contents_init(struct pw_contents *c);
void pw_contents_release(struct pw_contents *c);
/* Resolves the package's contents (sources may be NULL when the package has none): expands
 * trees, stats sources (mode from the manifest or, for files, 0755 if any x bit is set on disk
 * else 0644; dirs 0755; symlinks 0777), adds parents, rejects duplicates, sorts. Ghost entries
 * are kept (flag) for every format; writers skip them.
 * Trees: the entry's owner, group and mtime apply to every entry below, its mode to every
 * regular file (directories stay 0755, symlinks 0777); the walk is sorted and keeps symlinks
 * as symlinks (never followed).
 * mtimes: the manifest's mtime clamped to ctx->source_date_epoch, else source_date_epoch
 * itself (never the checkout's mtime, so two clones give the same bytes).
 * Memory grows with the number of entries, never with file sizes (nothing is read here). */
int pw_contents_build(struct pw_contents *c, const struct pw_package *pkg,
                      const struct pw_sources *sources, const struct pw_ctx *ctx,
                      struct pw_err *err);
/* Adds a regular file whose bytes are in memory (takes a copy), keeping order and parents. */
int pw_contents_add_generated(struct pw_contents *c, const char *path, const void *data, size_t len,
                              unsigned mode, unsigned flags, int64_t mtime, struct pw_err *err);
const struct pw_file *pw_contents_find(const struct pw_contents *c, const char *path);
/* Deep copy (writers that add generated files work on their own copy). */
void pw_contents_copy(struct pw_contents *dst, const struct pw_contents *src);

#endif
