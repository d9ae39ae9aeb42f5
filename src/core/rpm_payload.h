/* The rpm payload as one stream: cpio entries (newc through libarchive, or rpm's stripped
 * "07070X" variant when the package has files of 4 GiB or more), compressed through a
 * libarchive filter and written to a file descriptor at its current offset. Both sides are
 * hashed as they pass (PAYLOADDIGESTALT over the cpio bytes, PAYLOADDIGEST over the
 * compressed bytes), so memory does not grow with the payload and nothing is read back. */
#ifndef PW_CORE_RPM_PAYLOAD_H
#define PW_CORE_RPM_PAYLOAD_H

#include <stdint.h>

#include "../base/err.h"
#include "compress.h"
#include "hash.h"
#include "zstream.h"

struct archive;

struct pw_rpm_payload {
    int fd;
    int stripped;
    struct archive *cpio; /* newc writer; NULL in stripped mode */
    struct pw_zstream z;  /* the compressor */
    int z_open;
    struct pw_hash cpio_hash, out_hash;
    uint64_t left;        /* data bytes the current entry still expects */
    struct pw_err io_err; /* first error seen inside a libarchive callback */
    /* Results, valid after pw_rpm_payload_finish(). */
    uint64_t cpio_size;
    uint64_t out_size;
    unsigned char cpio_sha256[32];
    unsigned char out_sha256[32];
};

struct pw_rpm_payload_entry {
    const char *path; /* absolute package path; stored as "./path" like rpmbuild */
    unsigned mode;    /* st_mode including the file type bits */
    uint64_t size;    /* data bytes of a regular file (0 for directories and symlinks) */
    int64_t mtime;
    uint32_t ino;
    uint32_t index;     /* position in the header's file list (the stripped format's key) */
    const char *target; /* symlink target (written as the entry's data), else NULL */
};

/* Starts a payload compressed with c (gzip, xz or zstd). stripped selects rpm's large-file
 * cpio variant, which rpm expects exactly when the header carries LONGFILESIZES. */
int pw_rpm_payload_init(struct pw_rpm_payload *p, int fd, const struct pw_compression *c,
                        int stripped, struct pw_err *err);
/* Begins an entry; regular files then get exactly e->size bytes through _write. */
int pw_rpm_payload_add(struct pw_rpm_payload *p, const struct pw_rpm_payload_entry *e,
                       struct pw_err *err);
int pw_rpm_payload_write(struct pw_rpm_payload *p, const void *data, size_t len,
                         struct pw_err *err);
/* Writes the trailer, flushes the compressor and finalises sizes and digests. */
int pw_rpm_payload_finish(struct pw_rpm_payload *p, struct pw_err *err);
/* Frees everything; safe after finish or on error paths. */
void pw_rpm_payload_release(struct pw_rpm_payload *p);

#endif
