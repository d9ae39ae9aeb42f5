#include "archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/fs.h"
#include "archive_dl.h"
#include "feed.h"
#include "hash.h"

#define CHUNK (64 * 1024)

/* Compressed bytes to the fd or memory. */
static int raw_write(void *data, const void *buf, size_t len, struct pw_err *err)
{
    struct pw_archive_writer *w = data;
    if (w->mem) {
        pw_buf_add(w->mem, buf, len);
    } else if (pw_fs_write_all(w->fd, buf, len) < 0) {
        w->sink_errno = errno;
        return pw_err_errno(err, PW_E_IO, errno, "cannot write the archive");
    }
    w->bytes_out += len;
    return 0;
}

/* libarchive writes the uncompressed archive here; the compressor takes it. */
static la_ssize_t sink_write(struct archive *a, void *data, const void *buf, size_t len)
{
    struct pw_archive_writer *w = data;
    if (pw_zstream_write(&w->z, buf, len, &w->z_err) < 0) {
        archive_set_error(a, w->sink_errno ? w->sink_errno : EIO, "%s", w->z_err.msg);
        return -1;
    }
    return (la_ssize_t)len;
}

static int archive_fail(struct archive *a, struct pw_err *err, const char *what)
{
    const char *why = a ? archive_error_string(a) : NULL;
    return pw_err_set(err, PW_E_IO, "%s: %s", what, why ? why : "unknown libarchive error");
}

static int set_format(struct archive *a, enum pw_archive_format fmt)
{
    if (fmt == PW_ARCHIVE_CPIO_NEWC)
        return archive_write_set_format_cpio_newc(a);
    return archive_write_set_format_gnutar(a);
}

static int writer_open(struct pw_archive_writer *w, enum pw_archive_format fmt,
                       const struct pw_compression *comp, struct pw_err *err)
{
    if (pw_archive_dl_load(err) < 0)
        return -PW_E_FAIL;
    w->a = archive_write_new();
    w->entry = archive_entry_new();
    if (!w->a || !w->entry)
        return pw_err_set(err, PW_E_FAIL, "cannot create an archive writer");
    pw_err_init(&w->z_err);
    if (pw_zstream_init(&w->z, comp, comp->threads, raw_write, w, err) < 0) {
        pw_archive_writer_release(w);
        return -PW_E_FAIL;
    }
    w->z_open = 1;
    if (set_format(w->a, fmt) != ARCHIVE_OK || archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(w->a, 10240) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK) {
        archive_fail(w->a, err, "cannot set up the archive writer");
        pw_archive_writer_release(w);
        return -PW_E_IO;
    }
    if (archive_write_open2(w->a, w, NULL, sink_write, NULL, NULL) != ARCHIVE_OK) {
        archive_fail(w->a, err, "cannot open the archive writer");
        pw_archive_writer_release(w);
        return -PW_E_IO;
    }
    return 0;
}

int pw_archive_writer_open_fd(struct pw_archive_writer *w, int fd, enum pw_archive_format fmt,
                              const struct pw_compression *comp, struct pw_err *err)
{
    memset(w, 0, sizeof(*w));
    w->fd = fd;
    return writer_open(w, fmt, comp, err);
}

int pw_archive_writer_open_mem(struct pw_archive_writer *w, struct pw_buf *out,
                               enum pw_archive_format fmt, const struct pw_compression *comp,
                               struct pw_err *err)
{
    memset(w, 0, sizeof(*w));
    w->fd = -1;
    w->mem = out;
    return writer_open(w, fmt, comp, err);
}

/* Names, link targets and owner names are set and read as raw bytes (the "copy" setters,
 * the plain getters): packwright never calls setlocale, and in the C locale libarchive 3.6
 * cannot convert the _utf8 forms and silently writes empty names. Raw bytes pass through
 * unchanged, so the UTF-8 of the manifest is exactly what lands in the archive. */
static void fill_entry(struct pw_archive_writer *w, const char *name, const struct pw_file *f)
{
    struct archive_entry *e = w->entry;
    archive_entry_clear(e);
    archive_entry_copy_pathname(e, name);
    switch (f->kind) {
    case PW_FILE_DIR:
        archive_entry_set_filetype(e, AE_IFDIR);
        archive_entry_set_nlink(e, 2);
        break;
    case PW_FILE_SYMLINK:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_copy_symlink(e, f->target);
        archive_entry_set_nlink(e, 1);
        break;
    case PW_FILE_REG:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t)f->size);
        archive_entry_set_nlink(e, 1);
        break;
    }
    archive_entry_set_perm(e, f->mode & 07777);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_copy_uname(e, f->owner ? f->owner : "root");
    archive_entry_copy_gname(e, f->group ? f->group : "root");
    archive_entry_set_mtime(e, (time_t)f->mtime, 0);
    archive_entry_set_ino64(e, (la_int64_t)++w->next_ino);
}

/* Writes len bytes of the current entry and feeds both digests. */
static int put_data(struct pw_archive_writer *w, struct pw_hash *md5, struct pw_hash *sha,
                    const void *data, size_t len, const char *name, struct pw_err *err)
{
    pw_hash_update(md5, data, len);
    pw_hash_update(sha, data, len);
    la_ssize_t n = archive_write_data(w->a, data, len);
    if (n < 0 || (size_t)n != len)
        return archive_fail(w->a, err, name);
    return 0;
}

static int feed_chunk(void *arg, const void *data, size_t len, struct pw_err *err)
{
    struct pw_archive_writer *w = arg;
    la_ssize_t n = archive_write_data(w->a, data, len);
    if (n < 0 || (size_t)n != len)
        return archive_fail(w->a, err, "archive");
    return 0;
}

void pw_archive_writer_set_feed(struct pw_archive_writer *w, const struct pw_contents *c)
{
    w->feed_of = c;
}

int pw_archive_writer_add(struct pw_archive_writer *w, const char *name, struct pw_file *f,
                          struct pw_err *err)
{
    fill_entry(w, name, f);
    if (archive_write_header(w->a, w->entry) != ARCHIVE_OK)
        return archive_fail(w->a, err, name);
    if (f->kind != PW_FILE_REG)
        return 0;
    struct pw_hash md5, sha;
    pw_hash_init(&md5, PW_HASH_MD5);
    pw_hash_init(&sha, PW_HASH_SHA256);
    int rc;
    if (!(f->flags & PW_FLAG_GENERATED)) {
        pw_hash_release(&md5);
        pw_hash_release(&sha);
        rc = pw_feed_stream(w->feed_of, f, feed_chunk, w, f->md5, f->sha256, err);
        if (rc < 0)
            return pw_err_prefix(err, "%s: ", name);
        f->have_digests = 1;
        return 0;
    }
    rc = f->size ? put_data(w, &md5, &sha, f->data, (size_t)f->size, name, err) : 0;
    if (rc < 0) {
        pw_hash_release(&md5);
        pw_hash_release(&sha);
        return rc;
    }
    pw_hash_final(&md5, f->md5);
    pw_hash_final(&sha, f->sha256);
    f->have_digests = 1;
    return 0;
}

int pw_archive_writer_finish(struct pw_archive_writer *w, struct pw_err *err)
{
    int rc = 0;
    if (w->a && archive_write_close(w->a) != ARCHIVE_OK)
        rc = archive_fail(w->a, err, "cannot finish the archive");
    if (rc == 0 && w->z_open) {
        w->z_open = 0;
        rc = pw_zstream_finish(&w->z, err);
    }
    pw_archive_writer_release(w);
    return rc;
}

void pw_archive_writer_release(struct pw_archive_writer *w)
{
    if (w->a)
        archive_write_free(w->a);
    if (w->entry)
        archive_entry_free(w->entry);
    if (w->z_open)
        pw_zstream_release(&w->z);
    w->z_open = 0;
    w->a = NULL;
    w->entry = NULL;
}

static void reader_support(struct archive *a)
{
    archive_read_support_filter_all(a);
    archive_read_support_format_ar(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    archive_read_support_format_cpio(a);
}

int pw_archive_reader_open_file(struct pw_archive_reader *r, const char *path, struct pw_err *err)
{
    memset(r, 0, sizeof(*r));
    r->name = path;
    if (pw_archive_dl_load(err) < 0)
        return pw_err_prefix(err, "cannot read '%s': ", path);
    r->a = archive_read_new();
    if (!r->a)
        return pw_err_set(err, PW_E_FAIL, "cannot create an archive reader");
    reader_support(r->a);
    if (archive_read_open_filename(r->a, path, CHUNK) != ARCHIVE_OK) {
        int rc =
            archive_errno(r->a) == ENOENT || archive_errno(r->a) == EACCES
                ? pw_err_set(err, PW_E_IO, "cannot open '%s': %s", path, archive_error_string(r->a))
                : pw_err_set(err, PW_E_FORMAT, "'%s': %s", path, archive_error_string(r->a));
        pw_archive_reader_release(r);
        return rc;
    }
    return 0;
}

static la_ssize_t nested_read(struct archive *a, void *data, const void **buf)
{
    struct pw_archive_reader *r = data;
    la_ssize_t n = archive_read_data(r->outer->a, r->chunk, CHUNK);
    if (n < 0)
        archive_set_error(a, EIO, "%s", archive_error_string(r->outer->a));
    *buf = r->chunk;
    return n;
}

int pw_archive_reader_open_nested(struct pw_archive_reader *r, struct pw_archive_reader *outer,
                                  const char *name, struct pw_err *err)
{
    memset(r, 0, sizeof(*r));
    r->outer = outer;
    r->name = name;
    r->chunk = pw_xmalloc(CHUNK);
    r->a = archive_read_new();
    if (!r->a) {
        pw_archive_reader_release(r);
        return pw_err_set(err, PW_E_FAIL, "cannot create an archive reader");
    }
    reader_support(r->a);
    if (archive_read_open(r->a, r, NULL, nested_read, NULL) != ARCHIVE_OK) {
        int rc = pw_err_set(err, PW_E_FORMAT, "'%s': %s", name, archive_error_string(r->a));
        pw_archive_reader_release(r);
        return rc;
    }
    return 0;
}

static char entry_type(struct archive_entry *e)
{
    if (archive_entry_hardlink(e))
        return 'h';
    switch (archive_entry_filetype(e)) {
    case AE_IFREG:
        return 'f';
    case AE_IFDIR:
        return 'd';
    case AE_IFLNK:
        return 'l';
    default:
        return '?';
    }
}

int pw_archive_reader_next(struct pw_archive_reader *r, struct pw_archive_item *item,
                           struct pw_err *err)
{
    struct archive_entry *e;
    int st = archive_read_next_header(r->a, &e);
    if (st == ARCHIVE_EOF)
        return 0;
    if (st != ARCHIVE_OK && st != ARCHIVE_WARN)
        return pw_err_set(err, PW_E_FORMAT, "'%s': %s", r->name, archive_error_string(r->a));
    memset(item, 0, sizeof(*item));
    item->path = archive_entry_pathname(e);
    if (!item->path)
        item->path = "";
    item->type = entry_type(e);
    item->mode = (unsigned)archive_entry_perm(e);
    item->uname = archive_entry_uname(e);
    item->gname = archive_entry_gname(e);
    item->uid = archive_entry_uid(e);
    item->gid = archive_entry_gid(e);
    item->size = archive_entry_size_is_set(e) ? (uint64_t)archive_entry_size(e) : 0;
    item->mtime = archive_entry_mtime(e);
    item->target = item->type == 'h'   ? archive_entry_hardlink(e)
                   : item->type == 'l' ? archive_entry_symlink(e)
                                       : NULL;
    return 1;
}

ssize_t pw_archive_reader_read(struct pw_archive_reader *r, void *buf, size_t len,
                               struct pw_err *err)
{
    la_ssize_t n = archive_read_data(r->a, buf, len);
    if (n < 0)
        return pw_err_set(err, PW_E_FORMAT, "'%s': %s", r->name, archive_error_string(r->a));
    return (ssize_t)n;
}

int pw_archive_reader_read_all(struct pw_archive_reader *r, struct pw_buf *out, size_t max,
                               struct pw_err *err)
{
    char chunk[8192];
    for (;;) {
        ssize_t n = pw_archive_reader_read(r, chunk, sizeof(chunk), err);
        if (n < 0)
            return (int)n;
        if (n == 0)
            return 0;
        if (out->len + (size_t)n > max)
            return pw_err_set(err, PW_E_FORMAT, "'%s': member larger than %zu bytes", r->name, max);
        pw_buf_add(out, chunk, (size_t)n);
    }
}

void pw_archive_reader_release(struct pw_archive_reader *r)
{
    if (r->a)
        archive_read_free(r->a);
    free(r->chunk);
    r->a = NULL;
    r->chunk = NULL;
}
