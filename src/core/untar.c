#define _POSIX_C_SOURCE 200809L
#include "untar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive_dl.h"

int pw_untar_normalise(const char *name, struct pw_buf *out)
{
    pw_buf_reset(out);
    if (name[0] == '/')
        return -1;
    const char *p = name;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && !strncmp(p, "..", 2))
            return -1;
        if (len && !(len == 1 && p[0] == '.')) {
            if (out->len)
                pw_buf_addc(out, '/');
            pw_buf_add(out, p, len);
        }
        p += len;
        if (*p == '/')
            p++;
    }
    return out->len ? 0 : -1;
}

/* Index of the member that entry (normalised) is or lies below, or -1. */
static long member_of(const char *entry, const struct pw_strvec *members)
{
    for (size_t i = 0; i < members->n; i++) {
        size_t n = strlen(members->v[i]);
        if (!strncmp(entry, members->v[i], n) && (entry[n] == '\0' || entry[n] == '/'))
            return (long)i;
    }
    return -1;
}

struct untar {
    const char *path;
    const char *label; /* the archive in messages */
    const char *dest;
    struct pw_strvec members; /* normalised */
    unsigned char *seen;
    struct archive *in;
    struct archive *out;
    struct pw_buf name;
    struct pw_buf target;
};

static int normalise_members(struct untar *u, const struct pw_strvec *members, struct pw_err *err)
{
    struct pw_buf n = PW_BUF_INIT;
    for (size_t i = 0; i < members->n; i++) {
        if (pw_untar_normalise(members->v[i], &n) < 0) {
            pw_buf_release(&n);
            return pw_err_set(err, PW_E_MANIFEST,
                              "extract member '%s': must be a relative path without '..'",
                              members->v[i]);
        }
        pw_strvec_push(&u->members, n.buf);
    }
    pw_buf_release(&n);
    u->seen = pw_xcalloc(members->n ? members->n : 1, 1);
    return 0;
}

static int archive_fail(struct untar *u, struct archive *a, struct pw_err *err)
{
    const char *why = archive_error_string(a);
    return pw_err_set(err, PW_E_FORMAT, "cannot extract '%s': %s", u->label,
                      why ? why : "unknown libarchive error");
}

static int open_archives(struct untar *u, struct pw_err *err)
{
    if (pw_archive_dl_load(err) < 0)
        return pw_err_prefix(err, "cannot extract '%s': ", u->label);
    u->in = archive_read_new();
    archive_read_support_filter_gzip(u->in);
    archive_read_support_filter_bzip2(u->in);
    archive_read_support_filter_xz(u->in);
    archive_read_support_filter_zstd(u->in);
    archive_read_support_format_tar(u->in);
    if (archive_read_open_filename(u->in, u->path, 1 << 16) != ARCHIVE_OK)
        return archive_fail(u, u->in, err);
    u->out = archive_write_disk_new();
    /* Entry names are normalised relative paths joined to dest (a real path), so absolute
     * paths are ours; symbolic links in the archive still may not redirect an entry. */
    archive_write_disk_set_options(u->out, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                               ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                               ARCHIVE_EXTRACT_SECURE_SYMLINKS);
    return 0;
}

/* Points a hard link inside dest; its target must be extracted too. */
static int retarget_hardlink(struct untar *u, struct archive_entry *e, struct pw_err *err)
{
    const char *link = archive_entry_hardlink(e);
    if (!link)
        return 0;
    if (pw_untar_normalise(link, &u->target) < 0 || member_of(u->target.buf, &u->members) < 0)
        return pw_err_set(err, PW_E_FORMAT,
                          "cannot extract '%s': '%s' is a hard link to '%s', outside the "
                          "members taken",
                          u->label, u->name.buf, link);
    struct pw_buf full = PW_BUF_INIT;
    pw_buf_addf(&full, "%s/%s", u->dest, u->target.buf);
    archive_entry_set_hardlink(e, full.buf);
    pw_buf_release(&full);
    return 0;
}

static int copy_data(struct untar *u, struct pw_err *err)
{
    const void *block;
    size_t size;
    la_int64_t offset;
    for (;;) {
        int r = archive_read_data_block(u->in, &block, &size, &offset);
        if (r == ARCHIVE_EOF)
            return 0;
        if (r != ARCHIVE_OK)
            return archive_fail(u, u->in, err);
        if (archive_write_data_block(u->out, block, size, offset) != ARCHIVE_OK)
            return pw_err_set(err, PW_E_IO, "cannot extract '%s' from '%s': %s", u->name.buf,
                              u->label, archive_error_string(u->out));
    }
}

static int extract_entry(struct untar *u, struct archive_entry *e, struct pw_err *err)
{
    mode_t type = archive_entry_filetype(e);
    if (archive_entry_hardlink(e))
        type = AE_IFREG; /* tar readers leave a hard link's type unset */
    if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
        return pw_err_set(err, PW_E_FORMAT,
                          "cannot extract '%s': '%s' is not a file, "
                          "directory or symbolic link",
                          u->label, u->name.buf);
    int rc = retarget_hardlink(u, e, err);
    if (rc < 0)
        return rc;
    /* No set-id bits, and always writable by us so that the tree can be removed. */
    mode_t perm = archive_entry_perm(e) & 0777;
    archive_entry_set_perm(e, perm | (type == AE_IFDIR ? 0700 : 0600));
    struct pw_buf full = PW_BUF_INIT;
    pw_buf_addf(&full, "%s/%s", u->dest, u->name.buf);
    archive_entry_set_pathname(e, full.buf);
    pw_buf_release(&full);
    if (archive_write_header(u->out, e) != ARCHIVE_OK)
        return pw_err_set(err, PW_E_IO, "cannot extract '%s' from '%s': %s", u->name.buf, u->label,
                          archive_error_string(u->out));
    if (archive_entry_size(e) > 0 && (rc = copy_data(u, err)) < 0)
        return rc;
    if (archive_write_finish_entry(u->out) != ARCHIVE_OK)
        return pw_err_set(err, PW_E_IO, "cannot extract '%s' from '%s': %s", u->name.buf, u->label,
                          archive_error_string(u->out));
    return 0;
}

static int walk(struct untar *u, struct pw_err *err)
{
    struct archive_entry *e;
    int r;
    while ((r = archive_read_next_header(u->in, &e)) == ARCHIVE_OK) {
        const char *raw = archive_entry_pathname(e);
        if (!raw || pw_untar_normalise(raw, &u->name) < 0) {
            if (raw && (!strcmp(raw, ".") || !strcmp(raw, "./")))
                continue;
            return pw_err_set(err, PW_E_FORMAT, "cannot extract '%s': unsafe member name '%s'",
                              u->label, raw ? raw : "");
        }
        long m = member_of(u->name.buf, &u->members);
        if (m < 0)
            continue;
        u->seen[m] = 1;
        int rc = extract_entry(u, e, err);
        if (rc < 0)
            return rc;
    }
    if (r != ARCHIVE_EOF)
        return archive_fail(u, u->in, err);
    return 0;
}

static int check_all_seen(struct untar *u, const struct pw_strvec *members, size_t required,
                          struct pw_err *err)
{
    for (size_t i = 0; i < required; i++)
        if (!u->seen[i])
            return pw_err_set(err, PW_E_FORMAT, "'%s' has no member '%s'", u->label, members->v[i]);
    return 0;
}

int pw_untar_members(const char *path, const char *label, const struct pw_strvec *members,
                     const char *dest, struct pw_err *err)
{
    return pw_untar_members_opt(path, label, members, members->n, dest, err);
}

int pw_untar_members_opt(const char *path, const char *label, const struct pw_strvec *members,
                         size_t required, const char *dest, struct pw_err *err)
{
    struct untar u;
    memset(&u, 0, sizeof(u));
    u.path = path;
    u.label = label;
    char *real_dest = realpath(dest, NULL);
    if (!real_dest)
        return pw_err_errno(err, PW_E_IO, errno, "cannot resolve '%s'", dest);
    u.dest = real_dest;
    u.name = (struct pw_buf)PW_BUF_INIT;
    u.target = (struct pw_buf)PW_BUF_INIT;
    int rc = normalise_members(&u, members, err);
    if (rc == 0)
        rc = open_archives(&u, err);
    if (rc == 0)
        rc = walk(&u, err);
    if (rc == 0 && archive_write_close(u.out) != ARCHIVE_OK)
        rc = pw_err_set(err, PW_E_IO, "cannot extract from '%s': %s", label,
                        archive_error_string(u.out));
    if (rc == 0)
        rc = check_all_seen(&u, members, required < members->n ? required : members->n, err);
    if (u.in)
        archive_read_free(u.in);
    if (u.out)
        archive_write_free(u.out);
    pw_strvec_release(&u.members);
    free(u.seen);
    free(real_dest);
    pw_buf_release(&u.name);
    pw_buf_release(&u.target);
    return rc;
}
