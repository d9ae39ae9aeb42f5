#include "rpm_payload.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/fs.h"
#include "archive.h"
#include "archive_dl.h"

/* Compressed bytes: hash, count, write. */
static int out_write(void *data, const void *buf, size_t len, struct pw_err *err)
{
    struct pw_rpm_payload *p = data;
    if (pw_fs_write_all(p->fd, buf, len) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot write the payload");
    pw_hash_update(&p->out_hash, buf, len);
    p->out_size += len;
    return 0;
}

/* Uncompressed cpio bytes: hash, count, hand to the compressor. */
static int cpio_put(struct pw_rpm_payload *p, const void *buf, size_t len)
{
    pw_hash_update(&p->cpio_hash, buf, len);
    p->cpio_size += len;
    if (p->io_err.code)
        return -1;
    return pw_zstream_write(&p->z, buf, len, &p->io_err) < 0 ? -1 : 0;
}

static la_ssize_t cpio_write(struct archive *a, void *data, const void *buf, size_t len)
{
    (void)a;
    return cpio_put(data, buf, len) < 0 ? -1 : (la_ssize_t)len;
}

/* The first error of a callback is the real cause; libarchive's own message comes second. */
static int fail(struct pw_rpm_payload *p, struct archive *a, const char *what, struct pw_err *err)
{
    if (p->io_err.code) {
        *err = p->io_err;
        return -err->code;
    }
    const char *msg = a ? archive_error_string(a) : NULL;
    return pw_err_set(err, PW_E_FAIL, "%s: %s", what, msg ? msg : "failed");
}

static int open_out(struct pw_rpm_payload *p, const struct pw_compression *c, struct pw_err *err)
{
    if (c->method == PW_COMPRESS_NONE)
        return pw_err_set(err, PW_E_USAGE,
                          "rpm payloads must be compressed (gzip, xz or zstd): rpm reads a "
                          "package without a compressor as gzip");
    int rc = pw_zstream_init(&p->z, c, c->threads, out_write, p, err);
    if (rc < 0)
        return pw_err_prefix(err, "payload compression %s:%d: ", pw_compression_name(c->method),
                             pw_compression_level(c));
    p->z_open = 1;
    return 0;
}

static int open_cpio(struct pw_rpm_payload *p, struct pw_err *err)
{
    if (pw_archive_dl_load(err) < 0)
        return -PW_E_FAIL;
    p->cpio = archive_write_new();
    /* No blocking: the cpio stream ends right after its trailer, as rpm writes it. */
    if (archive_write_set_format_cpio_newc(p->cpio) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(p->cpio, 0) != ARCHIVE_OK ||
        archive_write_open(p->cpio, p, NULL, cpio_write, NULL) != ARCHIVE_OK)
        return fail(p, p->cpio, "starting the cpio payload", err);
    return 0;
}

int pw_rpm_payload_init(struct pw_rpm_payload *p, int fd, const struct pw_compression *c,
                        int stripped, struct pw_err *err)
{
    memset(p, 0, sizeof(*p));
    p->fd = fd;
    p->stripped = stripped;
    pw_err_init(&p->io_err);
    pw_hash_init(&p->cpio_hash, PW_HASH_SHA256);
    pw_hash_init(&p->out_hash, PW_HASH_SHA256);
    int rc = open_out(p, c, err);
    if (rc == 0 && !stripped)
        rc = open_cpio(p, err);
    return rc;
}

static int pad4(struct pw_rpm_payload *p)
{
    static const char zeros[4];
    size_t n = (4 - p->cpio_size % 4) % 4;
    return n ? cpio_put(p, zeros, n) : 0;
}

/* rpm's stripped entry: "07070X" and the file's header index in 8 hex digits; everything
 * else (name, mode, size, ...) comes from the header (rpm's lib/cpio.c). */
static int add_stripped(struct pw_rpm_payload *p, const struct pw_rpm_payload_entry *e)
{
    char hdr[15];
    snprintf(hdr, sizeof(hdr), "07070X%08x", (unsigned)e->index);
    if (pad4(p) < 0 || cpio_put(p, hdr, 14) < 0 || pad4(p) < 0)
        return -1;
    if (e->target)
        return cpio_put(p, e->target, strlen(e->target));
    return 0;
}

static int add_newc(struct pw_rpm_payload *p, const struct pw_rpm_payload_entry *e)
{
    struct archive_entry *ae = archive_entry_new();
    char *name = pw_xstrdup(".");
    size_t plen = strlen(e->path);
    name = pw_xrealloc(name, plen + 2);
    memcpy(name + 1, e->path, plen + 1);
    archive_entry_copy_pathname(ae, name);
    free(name);
    archive_entry_set_mode(ae, e->mode);
    archive_entry_set_uid(ae, 0);
    archive_entry_set_gid(ae, 0);
    archive_entry_set_nlink(ae, 1);
    archive_entry_set_ino(ae, e->ino);
    archive_entry_set_mtime(ae, e->mtime < 0 ? 0 : e->mtime, 0);
    archive_entry_set_size(ae, (la_int64_t)e->size);
    if (e->target)
        archive_entry_copy_symlink(ae, e->target);
    int rc = archive_write_header(p->cpio, ae);
    archive_entry_free(ae);
    return rc == ARCHIVE_OK ? 0 : -1;
}

int pw_rpm_payload_add(struct pw_rpm_payload *p, const struct pw_rpm_payload_entry *e,
                       struct pw_err *err)
{
    if (p->left)
        return pw_err_set(err, PW_E_FAIL,
                          "payload: '%s' started before the previous entry's data ended", e->path);
    int rc = p->stripped ? add_stripped(p, e) : add_newc(p, e);
    if (rc < 0) {
        fail(p, p->cpio, "payload", err);
        return pw_err_prefix(err, "adding '%s': ", e->path);
    }
    p->left = e->size;
    return 0;
}

int pw_rpm_payload_write(struct pw_rpm_payload *p, const void *data, size_t len, struct pw_err *err)
{
    if (len > p->left)
        return pw_err_set(err, PW_E_FAIL, "payload: %zu bytes more than the entry's size",
                          len - (size_t)p->left);
    p->left -= len;
    if (p->stripped)
        return cpio_put(p, data, len) < 0 ? fail(p, NULL, "payload", err) : 0;
    const char *c = data;
    while (len) {
        la_ssize_t n = archive_write_data(p->cpio, c, len);
        if (n <= 0)
            return fail(p, p->cpio, "payload", err);
        c += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_trailer(struct pw_rpm_payload *p)
{
    /* The newc trailer rpm writes: nlink 1, namesize 11, everything else zero. */
    char hdr[6 + 104 + 11];
    memcpy(hdr, "070701", 6);
    memset(hdr + 6, '0', 104);
    memcpy(hdr + 6 + 4 * 8, "00000001", 8);
    memcpy(hdr + 6 + 11 * 8, "0000000b", 8);
    memcpy(hdr + 6 + 104, "TRAILER!!!", 11);
    if (pad4(p) < 0 || cpio_put(p, hdr, sizeof(hdr)) < 0)
        return -1;
    return pad4(p);
}

int pw_rpm_payload_finish(struct pw_rpm_payload *p, struct pw_err *err)
{
    if (p->left)
        return pw_err_set(err, PW_E_FAIL, "payload: the last entry is missing %llu bytes",
                          (unsigned long long)p->left);
    if (p->stripped ? write_trailer(p) < 0 : archive_write_close(p->cpio) != ARCHIVE_OK)
        return fail(p, p->cpio, "finishing the cpio payload", err);
    p->z_open = 0;
    if (pw_zstream_finish(&p->z, err) < 0)
        return pw_err_prefix(err, "finishing the payload compression: ");
    pw_hash_final(&p->cpio_hash, p->cpio_sha256);
    pw_hash_final(&p->out_hash, p->out_sha256);
    return 0;
}

void pw_rpm_payload_release(struct pw_rpm_payload *p)
{
    if (p->cpio)
        archive_write_free(p->cpio);
    if (p->z_open)
        pw_zstream_release(&p->z);
    p->z_open = 0;
    p->cpio = NULL;
    /* No-ops once finish has taken the results. */
    pw_hash_release(&p->cpio_hash);
    pw_hash_release(&p->out_hash);
}
