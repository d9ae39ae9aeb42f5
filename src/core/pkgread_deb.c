/* .deb control reading with libarchive: the ar container, then control.tar.* in memory. */
#include "pkgread.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include "../base/buf.h"

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

int pw_pkgread_deb(const char *path, struct pw_deb822 *st, struct pw_err *err)
{
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
