/* Archives through libarchive (the only file that includes it): writing GNU tar or cpio
 * entries from a contents list, with each regular file's MD5 and SHA-256 computed while its
 * bytes stream (every input file is read exactly once, through feed.h); and reading archives,
 * including an archive stored as a member of another one (a .deb's control.tar.xz). */
#ifndef PW_CORE_ARCHIVE_H
#define PW_CORE_ARCHIVE_H

#include <stdint.h>
#include <sys/types.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "compress.h"
#include "contents.h"
#include "zstream.h"

struct archive;
struct archive_entry;

enum pw_archive_format {
    PW_ARCHIVE_GNUTAR,    /* GNU tar: long names as ././@LongLink, never PAX headers */
    PW_ARCHIVE_CPIO_NEWC, /* SVR4 "newc" cpio (rpm payloads); inodes numbered 1, 2, ... */
};

struct pw_archive_writer {
    struct archive *a;
    struct archive_entry *entry;
    int fd;             /* the sink: an fd ... */
    struct pw_buf *mem; /* ... or memory */
    uint64_t bytes_out; /* compressed bytes written to the sink */
    uint64_t next_ino;
    int sink_errno;
    struct pw_zstream z; /* the compressor between libarchive and the sink */
    int z_open;
    struct pw_err z_err;               /* the compressor's or the sink's first error */
    const struct pw_contents *feed_of; /* files come through this contents' feed (feed.h) */
};

/* Output is deterministic: gzip without name or timestamp, xz and zstd in their
 * multi-threaded modes whatever comp->threads is (zstream.h); no padding after the end of the
 * archive. */
int pw_archive_writer_open_fd(struct pw_archive_writer *w, int fd, enum pw_archive_format fmt,
                              const struct pw_compression *comp, struct pw_err *err);
int pw_archive_writer_open_mem(struct pw_archive_writer *w, struct pw_buf *out,
                               enum pw_archive_format fmt, const struct pw_compression *comp,
                               struct pw_err *err);
/* Regular files then come through c's shared reader when it has one (feed.h). */
void pw_archive_writer_set_feed(struct pw_archive_writer *w, const struct pw_contents *c);
/* Appends f as name ("./usr/bin/x"), with its mode, owner and group names (uid/gid 0) and
 * mtime. A regular file's bytes come from f->data (PW_FLAG_GENERATED) or f->src; f->md5,
 * f->sha256 and f->have_digests are set from the bytes written. A source file whose size
 * changed since the contents were built is an error. */
int pw_archive_writer_add(struct pw_archive_writer *w, const char *name, struct pw_file *f,
                          struct pw_err *err);
/* Finishes the archive and releases w, on success or not. */
int pw_archive_writer_finish(struct pw_archive_writer *w, struct pw_err *err);
/* Releases w without finishing (error paths); safe after finish. */
void pw_archive_writer_release(struct pw_archive_writer *w);

/* One entry as read; strings belong to the reader and live until the next call. */
struct pw_archive_item {
    const char *path;  /* as stored: "./usr/bin/x", "debian-binary" */
    char type;         /* 'f' file, 'd' directory, 'l' symlink, 'h' hardlink, '?' other */
    unsigned mode;     /* permission bits */
    const char *uname; /* may be NULL */
    const char *gname; /* may be NULL */
    int64_t uid, gid;
    uint64_t size;
    int64_t mtime;
    const char *target; /* symlink or hardlink target, or NULL */
};

struct pw_archive_reader {
    struct archive *a;
    struct pw_archive_reader *outer; /* nested: data comes from outer's current entry */
    const char *name;                /* for messages */
    unsigned char *chunk;
};

/* Any format and compression libarchive knows (ar, tar, cpio; gzip, xz, zstd, ...). */
int pw_archive_reader_open_file(struct pw_archive_reader *r, const char *path, struct pw_err *err);
/* Reads the current entry of outer as an archive of its own (name is for messages). */
int pw_archive_reader_open_nested(struct pw_archive_reader *r, struct pw_archive_reader *outer,
                                  const char *name, struct pw_err *err);
/* 1 with item filled, 0 at the end, or a negative error. */
int pw_archive_reader_next(struct pw_archive_reader *r, struct pw_archive_item *item,
                           struct pw_err *err);
/* Up to len bytes of the current entry's data: the count, 0 at its end, or a negative error. */
ssize_t pw_archive_reader_read(struct pw_archive_reader *r, void *buf, size_t len,
                               struct pw_err *err);
/* The whole current entry into out (for small members such as control files). */
int pw_archive_reader_read_all(struct pw_archive_reader *r, struct pw_buf *out, size_t max,
                               struct pw_err *err);
void pw_archive_reader_release(struct pw_archive_reader *r);

#endif
