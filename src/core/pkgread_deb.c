/* .deb control reading with libarchive: the ar container, then control.tar.* in memory. */
#include "pkgread.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include "../base/buf.h"
#include "archive_dl.h"

#define CONTROL_TAR_MAX (64u << 20) /* a control member larger than this is not a package */

static int read_member(struct archive *a, struct pw_buf *out, const char *what,
                       struct pw_err *err)
{
    char chunk[65536];
    for (;;) {
        la_ssize_t n = archive_read_data(a, chunk, sizeof(chunk));
        if (n < 0)
            return pw_err_set(err, PW_E_FORMAT, "'%s': %s", what, archive_error_string(a));
        if (n == 0)
            return 0;
        if (out->len + (size_t)n > CONTROL_TAR_MAX)
            return pw_err_set(err, PW_E_FORMAT, "'%s': control member is too large", what);
        pw_buf_add(out, chunk, (size_t)n);
    }
}

static int is_control_name(const char *name)
{
    if (!strncmp(name, "./", 2))
        name += 2;
    return !strcmp(name, "control");
}

int pw_pkgread_deb_control_tar(const void *data, size_t len, const char *what,
                               struct pw_deb822 *st, struct pw_err *err)
{
    if (pw_archive_dl_load(err) < 0)
        return pw_err_prefix(err, "'%s': ", what);
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    int rc = -1;
    struct pw_buf control = PW_BUF_INIT;
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        rc = pw_err_set(err, PW_E_FORMAT, "'%s': control.tar: %s", what,
                        archive_error_string(a));
        goto out;
    }
    struct archive_entry *e;
    int found = 0;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        if (!is_control_name(archive_entry_pathname(e)))
            continue;
        rc = read_member(a, &control, what, err);
        if (rc < 0)
            goto out;
        found = 1;
        break;
    }
    if (!found) {
        rc = r == ARCHIVE_EOF
                 ? pw_err_set(err, PW_E_FORMAT, "'%s': control.tar has no 'control' file", what)
                 : pw_err_set(err, PW_E_FORMAT, "'%s': control.tar: %s", what,
                              archive_error_string(a));
        goto out;
    }
    size_t pos = 0;
    rc = pw_deb822_next(control.buf, control.len, &pos, what, st, err);
    if (rc == 0)
        rc = pw_err_set(err, PW_E_FORMAT, "'%s': the control file is empty", what);
    if (rc < 0)
        goto out;
    static const char *const required[] = {"Package", "Version", "Architecture"};
    for (size_t i = 0; i < 3; i++)
        if (!pw_deb822_get(st, required[i]) || !*pw_deb822_get(st, required[i])) {
            rc = pw_err_set(err, PW_E_FORMAT, "'%s': the control file has no '%s' field", what,
                            required[i]);
            goto out;
        }
    rc = 0;
out:
    pw_buf_release(&control);
    archive_read_free(a);
    return rc;
}

static int check_debian_binary(struct archive *a, const char *path, struct pw_err *err)
{
    struct pw_buf v = PW_BUF_INIT;
    int rc = read_member(a, &v, path, err);
    if (rc == 0 && (v.len < 4 || strncmp(v.buf, "2.", 2)))
        rc = pw_err_set(err, PW_E_FORMAT, "'%s': unsupported .deb format version", path);
    pw_buf_release(&v);
    return rc;
}

static int read_with_libarchive(const char *path, struct pw_deb822 *st, struct pw_err *err)
{
    if (pw_archive_dl_load(err) < 0)
        return pw_err_prefix(err, "cannot read '%s': ", path);
    struct archive *a = archive_read_new();
    archive_read_support_format_ar(a);
    int rc;
    struct pw_buf member = PW_BUF_INIT;
    if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
        rc = pw_err_set(err, PW_E_FORMAT, "'%s' is not a .deb: %s", path,
                        archive_error_string(a));
        goto out;
    }
    struct archive_entry *e;
    int index = 0;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        if (index++ == 0) {
            if (strcmp(name, "debian-binary")) {
                rc = pw_err_set(err, PW_E_FORMAT, "'%s' is not a .deb: no debian-binary", path);
                goto out;
            }
            rc = check_debian_binary(a, path, err);
            if (rc < 0)
                goto out;
            continue;
        }
        if (strncmp(name, "control.tar", 11))
            continue;
        rc = read_member(a, &member, path, err);
        if (rc == 0)
            rc = pw_pkgread_deb_control_tar(member.buf, member.len, path, st, err);
        goto out;
    }
    rc = r == ARCHIVE_EOF
             ? pw_err_set(err, PW_E_FORMAT, "'%s' is not a .deb: no control.tar member", path)
             : pw_err_set(err, PW_E_FORMAT, "'%s' is not a .deb: %s", path,
                          archive_error_string(a));
out:
    pw_buf_release(&member);
    archive_read_free(a);
    return rc;
}

/* The ar member at *off of b's bytes in memory: its name (trailing spaces and a GNU '/'
 * trimmed) and data; 0 when it does not lie wholly in memory or is not a plain member. */
struct ar_member {
    char name[17];
    size_t data, size;
};

static int ar_next(const struct pw_pkgbytes *b, size_t *off, struct ar_member *m)
{
    const unsigned char *h = b->head + *off;
    if (*off + 60 > b->head_len || h[58] != '`' || h[59] != '\n')
        return 0;
    size_t n = 16;
    while (n > 0 && h[n - 1] == ' ')
        n--;
    if (n > 0 && h[n - 1] == '/')
        n--;
    memcpy(m->name, h, n);
    m->name[n] = '\0';
    if (!n || memchr(m->name, '/', n) || memchr(m->name, '\0', n))
        return 0;
    size_t size = 0, i = 48;
    for (; i < 58 && h[i] >= '0' && h[i] <= '9'; i++)
        size = size * 10 + (size_t)(h[i] - '0');
    for (size_t k = i; k < 58; k++)
        if (h[k] != ' ')
            return 0;
    if (i == 48)
        return 0;
    m->data = *off + 60;
    m->size = size;
    if (size > b->head_len - m->data)
        return 0;
    *off = m->data + size + (size & 1);
    return 1;
}

/* The control member straight from the bytes in memory; 1 when they do not settle it (then
 * libarchive reads the file, with its own error messages). */
static int deb_from_bytes(const struct pw_pkgbytes *b, const char *path, struct pw_deb822 *st,
                          struct pw_err *err)
{
    size_t off = 8;
    struct ar_member m;
    if (b->head_len < 8 || memcmp(b->head, "!<arch>\n", 8) || !ar_next(b, &off, &m) ||
        strcmp(m.name, "debian-binary") || m.size < 4 || memcmp(b->head + m.data, "2.", 2))
        return 1;
    while (ar_next(b, &off, &m))
        if (!strncmp(m.name, "control.tar", 11))
            return pw_pkgread_deb_control_tar(b->head + m.data, m.size, path, st, err);
    return 1;
}

int pw_pkgread_deb(const char *path, const struct pw_pkgbytes *b, struct pw_deb822 *st,
                   struct pw_err *err)
{
    int rc = b ? deb_from_bytes(b, path, st, err) : 1;
    if (rc <= 0)
        return rc;
    return read_with_libarchive(path, st, err);
}
