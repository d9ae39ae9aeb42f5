/* Reading upstream index files whatever their compression (gzip, xz, zstd, bzip2, lzma or
 * none), through libarchive's raw format and its filters. */
#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "../base/fs.h"
#include "archive_dl.h"
#include "mirror_int.h"

int pw_mirror_read_decompressed(const char *path,
                                int (*chunk)(void *data, const void *buf, size_t len,
                                             struct pw_err *err),
                                void *data, struct pw_err *err)
{
    if (pw_archive_dl_load(err) < 0)
        return pw_err_prefix(err, "cannot read '%s': ", path);
    struct archive *a = archive_read_new();
    if (!a)
        return pw_err_set(err, PW_E_FAIL, "cannot create an archive reader");
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    archive_read_support_format_empty(a);
    int rc = 0;
    struct archive_entry *e;
    if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
        rc = pw_err_set(err, PW_E_FORMAT, "cannot read '%s': %s", path, archive_error_string(a));
        goto out;
    }
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF) /* an empty file */
        goto out;
    if (r != ARCHIVE_OK) {
        rc = pw_err_set(err, PW_E_FORMAT, "cannot read '%s': %s", path, archive_error_string(a));
        goto out;
    }
    char buf[65536];
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
        if (n == 0)
            break;
        if (n < 0) {
            rc = pw_err_set(err, PW_E_FORMAT, "cannot decompress '%s': %s", path,
                            archive_error_string(a));
            break;
        }
        if ((rc = chunk(data, buf, (size_t)n, err)) < 0)
            break;
    }
out:
    archive_read_free(a);
    return rc;
}

struct collect {
    struct pw_buf *out;
    size_t max;
    const char *path;
};

static int collect_chunk(void *data, const void *buf, size_t len, struct pw_err *err)
{
    struct collect *c = data;
    if (c->out->len + len > c->max)
        return pw_err_set(err, PW_E_FORMAT, "'%s' decompresses to more than %zu bytes", c->path,
                          c->max);
    pw_buf_add(c->out, buf, len);
    return 0;
}

int pw_mirror_read_all(const char *path, size_t max, struct pw_buf *out, struct pw_err *err)
{
    struct collect c = {out, max, path};
    pw_buf_reset(out);
    return pw_mirror_read_decompressed(path, collect_chunk, &c, err);
}

int pw_mirror_read_packages(const char *path, struct pw_upkgs *out, struct pw_err *err)
{
    struct pw_buf text = PW_BUF_INIT;
    int rc = pw_mirror_read_all(path, (size_t)1 << 31, &text, err);
    if (rc == 0)
        rc = pw_apt_packages_parse(text.buf, text.len, out, err);
    pw_buf_release(&text);
    return rc < 0 ? pw_err_prefix(err, "'%s': ", path) : 0;
}

static int feed_primary(void *data, const void *buf, size_t len, struct pw_err *err)
{
    return pw_rpmmd_primary_feed(data, buf, len, 0, err);
}

int pw_mirror_read_primary(const char *path, struct pw_upkgs *out, struct pw_err *err)
{
    struct pw_rpmmd_primary *p = pw_rpmmd_primary_new(out);
    if (!p)
        return pw_err_set(err, PW_E_FAIL, "cannot create an XML parser");
    int rc = pw_mirror_read_decompressed(path, feed_primary, p, err);
    if (rc == 0)
        rc = pw_rpmmd_primary_feed(p, NULL, 0, 1, err);
    pw_rpmmd_primary_free(p);
    return rc;
}

static int feed_filelists(void *data, const void *buf, size_t len, struct pw_err *err)
{
    return pw_rpmmd_filelists_feed(data, buf, len, 0, err);
}

int pw_mirror_read_filelists(const char *path, struct pw_upkgs *pkgs, struct pw_err *err)
{
    struct pw_rpmmd_filelists *f = pw_rpmmd_filelists_new(pkgs);
    if (!f)
        return pw_err_set(err, PW_E_FAIL, "cannot create an XML parser");
    int rc = pw_mirror_read_decompressed(path, feed_filelists, f, err);
    if (rc == 0)
        rc = pw_rpmmd_filelists_feed(f, NULL, 0, 1, err);
    pw_rpmmd_filelists_free(f);
    return rc;
}

int pw_mirror_read_rpmmd(const char *root, struct pw_upkgs *out, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT, xml = PW_BUF_INIT;
    struct pw_rpmmd_repomd r;
    pw_rpmmd_repomd_init(&r);
    pw_buf_addf(&path, "%s/repodata/repomd.xml", root);
    int rc = pw_fs_read_file(path.buf, &xml, err);
    if (rc == 0)
        rc = pw_rpmmd_repomd_parse(xml.buf, xml.len, &r, err);
    const struct pw_rpmmd_data *d = rc == 0 ? pw_rpmmd_repomd_find(&r, "primary") : NULL;
    if (rc == 0 && !d)
        rc = pw_err_set(err, PW_E_FORMAT, "no primary data");
    if (rc == 0) {
        pw_buf_reset(&path);
        pw_buf_addf(&path, "%s/%s", root, d->href);
        rc = pw_mirror_read_primary(path.buf, out, err);
    }
    pw_rpmmd_repomd_release(&r);
    pw_buf_release(&path);
    pw_buf_release(&xml);
    return rc < 0 ? pw_err_prefix(err, "'%s/repodata': ", root) : 0;
}
