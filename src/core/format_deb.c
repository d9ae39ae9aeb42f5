/* The .deb writer and reader (deb(5); package-formats.md §D). Writing streams every input
 * file once: data.tar.* goes to an unlinked temp file while each file's digests are taken,
 * then control.tar.* (which needs those digests) is built in memory, and the ar container
 * is assembled as dpkg-deb lays it out: debian-binary, control, data. Memory stays bounded
 * by the compressor's working set and the size of the file list, never by the payload. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/fs.h"
#include "archive.h"
#include "deb_control.h"
#include "format.h"
#include "gzip.h"
#include "hash.h"
#include "scripts.h"

#define AR_MAGIC "!<arch>\n"
#define CONTROL_MAX (16 * 1024 * 1024)

static void deb_file_name(const struct pw_package *pkg, struct pw_buf *out)
{
    pw_buf_addf(out, "%s_%s-%s_%s.deb", pkg->name, pkg->version,
                pkg->release && *pkg->release ? pkg->release : "1", pw_deb_arch(pkg));
}

/* Member suffix for a compression method: "", ".gz", ".xz", ".zst". */
static const char *suffix_of(enum pw_compress_method m)
{
    switch (m) {
    case PW_COMPRESS_GZIP:
        return ".gz";
    case PW_COMPRESS_XZ:
        return ".xz";
    case PW_COMPRESS_ZSTD:
        return ".zst";
    case PW_COMPRESS_NONE:
        return "";
    }
    return "";
}

/* control.tar is gzip or xz whatever the data uses: every dpkg since 1.17.6 reads both,
 * while a zstd control member would lock out Debian 11 even for inspection. */
static struct pw_compression control_compression(const struct pw_compression *data)
{
    struct pw_compression c = {PW_COMPRESS_GZIP, 9, 1};
    if (data->method == PW_COMPRESS_XZ) {
        c.method = PW_COMPRESS_XZ;
        c.level = pw_compression_level(data);
    } else if (data->method == PW_COMPRESS_ZSTD) {
        c.method = PW_COMPRESS_XZ;
        c.level = 6;
    }
    return c;
}

/* Adds changelog.Debian.gz and copyright under /usr/share/doc/NAME unless the manifest
 * ships them itself. */
static int add_doc_files(struct pw_contents *c, const struct pw_package *pkg,
                         const struct pw_ctx *ctx, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT, text = PW_BUF_INIT, gz = PW_BUF_INIT;
    int rc = 0;
    pw_buf_addf(&path, "/usr/share/doc/%s/changelog.Debian.gz", pkg->name);
    if (!pw_contents_find(c, path.buf)) {
        pw_deb_changelog(pkg, ctx->source_date_epoch, &text);
        rc = pw_gzip_buffer(text.buf, text.len, 9, &gz, err);
        if (rc == 0)
            rc = pw_contents_add_generated(c, path.buf, gz.buf, gz.len, 0644, PW_FLAG_DOC,
                                           ctx->source_date_epoch, err);
    }
    pw_buf_reset(&path);
    pw_buf_reset(&text);
    pw_buf_addf(&path, "/usr/share/doc/%s/copyright", pkg->name);
    if (rc == 0 && !pw_contents_find(c, path.buf)) {
        rc = pw_deb_copyright(pkg, &text, err);
        if (rc == 0)
            rc = pw_contents_add_generated(c, path.buf, text.buf, text.len, 0644, PW_FLAG_LICENSE,
                                           ctx->source_date_epoch, err);
    }
    pw_buf_release(&path);
    pw_buf_release(&text);
    pw_buf_release(&gz);
    return rc;
}

static struct pw_file dir_entry(int64_t mtime)
{
    struct pw_file f;
    memset(&f, 0, sizeof(f));
    f.kind = PW_FILE_DIR;
    f.mode = 0755;
    f.mtime = mtime;
    f.spec = -1;
    return f;
}

/* "./" first, then every shipped entry as "./usr/bin/x" (directories with a trailing "/",
 * as dpkg-deb writes them); ghosts, and parents only ghosts needed, are rpm-only. */
static int write_data_tar(struct pw_contents *c, const struct pw_ctx *ctx, int fd,
                          struct pw_err *err)
{
    struct pw_archive_writer w;
    int rc = pw_archive_writer_open_fd(&w, fd, PW_ARCHIVE_GNUTAR, &ctx->deb_compression, err);
    if (rc < 0)
        return rc;
    pw_archive_writer_set_feed(&w, c);
    struct pw_file root = dir_entry(ctx->source_date_epoch);
    rc = pw_archive_writer_add(&w, "./", &root, err);
    struct pw_buf name = PW_BUF_INIT;
    for (size_t i = 0; rc == 0 && i < c->n; i++) {
        struct pw_file *f = &c->files[i];
        if (!pw_deb_ships(c, i))
            continue;
        pw_buf_reset(&name);
        pw_buf_addf(&name, ".%s%s", f->path, f->kind == PW_FILE_DIR ? "/" : "");
        rc = pw_archive_writer_add(&w, name.buf, f, err);
    }
    pw_buf_release(&name);
    if (rc < 0) {
        pw_archive_writer_release(&w);
        return pw_err_prefix(err, "data.tar: ");
    }
    rc = pw_archive_writer_finish(&w, err);
    return rc < 0 ? pw_err_prefix(err, "data.tar: ") : 0;
}

struct control_member {
    const char *name;
    struct pw_buf body;
    unsigned mode;
};

static int cmp_members(const void *a, const void *b)
{
    return strcmp(((const struct control_member *)a)->name,
                  ((const struct control_member *)b)->name);
}

static int write_control_tar(struct control_member *m, size_t n, const struct pw_ctx *ctx,
                             struct pw_buf *out, struct pw_err *err)
{
    qsort(m, n, sizeof(*m), cmp_members);
    struct pw_compression comp = control_compression(&ctx->deb_compression);
    struct pw_archive_writer w;
    int rc = pw_archive_writer_open_mem(&w, out, PW_ARCHIVE_GNUTAR, &comp, err);
    if (rc < 0)
        return rc;
    struct pw_file root = dir_entry(ctx->source_date_epoch);
    rc = pw_archive_writer_add(&w, "./", &root, err);
    struct pw_buf name = PW_BUF_INIT;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct pw_file f = dir_entry(ctx->source_date_epoch);
        f.kind = PW_FILE_REG;
        f.flags = PW_FLAG_GENERATED;
        f.mode = m[i].mode;
        f.size = m[i].body.len;
        f.data = (unsigned char *)m[i].body.buf;
        pw_buf_reset(&name);
        pw_buf_addf(&name, "./%s", m[i].name);
        rc = pw_archive_writer_add(&w, name.buf, &f, err);
    }
    pw_buf_release(&name);
    if (rc < 0) {
        pw_archive_writer_release(&w);
        return pw_err_prefix(err, "control.tar: ");
    }
    rc = pw_archive_writer_finish(&w, err);
    return rc < 0 ? pw_err_prefix(err, "control.tar: ") : 0;
}

/* control, md5sums, conffiles and the wrapped maintainer scripts, then control.tar.* */
static int build_control(const struct pw_package *pkg, const struct pw_contents *c,
                         const struct pw_ctx *ctx, struct pw_buf *out, struct pw_err *err)
{
    struct control_member m[3 + PW_SCRIPT_COUNT];
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        m[i] = (struct control_member){NULL, PW_BUF_INIT, 0};
    size_t n = 0;
    m[n] = (struct control_member){"control", PW_BUF_INIT, 0644};
    pw_deb_control(pkg, pw_deb_installed_size(c), &m[n++].body);
    m[n] = (struct control_member){"md5sums", PW_BUF_INIT, 0644};
    pw_deb_md5sums(c, &m[n].body);
    n += m[n].body.len ? 1 : 0;
    m[n] = (struct control_member){"conffiles", PW_BUF_INIT, 0644};
    pw_deb_conffiles(c, &m[n].body);
    n += m[n].body.len ? 1 : 0;
    for (int k = PW_SCRIPT_PREINST; k <= PW_SCRIPT_POSTRM; k++) {
        if (!pkg->scripts[k].body.len)
            continue;
        m[n] = (struct control_member){pw_script_name((enum pw_script_kind)k), PW_BUF_INIT, 0755};
        pw_scripts_wrap_deb(pkg, (enum pw_script_kind)k, &m[n++].body);
    }
    int rc = write_control_tar(m, n, ctx, out, err);
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        pw_buf_release(&m[i].body);
    return rc;
}

/* An ar member header as dpkg-deb writes it: space-padded name without "/", owner 0/0,
 * mode 100644, mtime SOURCE_DATE_EPOCH. */
static int ar_header(int fd, const char *name, uint64_t size, int64_t mtime, struct pw_err *err)
{
    if (size > UINT64_C(9999999999))
        return pw_err_set(err, PW_E_FAIL, "ar member '%s' is too large (%" PRIu64 " bytes)", name,
                          size);
    char hdr[61];
    snprintf(hdr, sizeof(hdr), "%-16s%-12" PRId64 "%-6d%-6d%-8o%-10" PRIu64 "`\n", name, mtime, 0,
             0, 0100644, size);
    if (pw_fs_write_all(fd, hdr, 60) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot write the package");
    return 0;
}

static int ar_pad(int fd, uint64_t size, struct pw_err *err)
{
    if ((size & 1) && pw_fs_write_all(fd, "\n", 1) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot write the package");
    return 0;
}

static int ar_member_mem(int fd, const char *name, const void *data, size_t len, int64_t mtime,
                         struct pw_err *err)
{
    int rc = ar_header(fd, name, len, mtime, err);
    if (rc == 0 && pw_fs_write_all(fd, data, len) < 0)
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot write the package");
    return rc < 0 ? rc : ar_pad(fd, len, err);
}

static int ar_member_fd(int fd, const char *name, int src, int64_t mtime, struct pw_err *err)
{
    off_t size = lseek(src, 0, SEEK_END);
    if (size < 0 || lseek(src, 0, SEEK_SET) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot rewind the temporary %s", name);
    int rc = ar_header(fd, name, (uint64_t)size, mtime, err);
    char *chunk = pw_xmalloc(64 * 1024);
    for (off_t done = 0; rc == 0 && done < size;) {
        ssize_t n = read(src, chunk, 64 * 1024);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            rc = pw_err_errno(err, PW_E_IO, n < 0 ? errno : EIO, "cannot read the temporary %s",
                              name);
        else if (pw_fs_write_all(fd, chunk, (size_t)n) < 0)
            rc = pw_err_errno(err, PW_E_IO, errno, "cannot write the package");
        else
            done += n;
    }
    free(chunk);
    return rc < 0 ? rc : ar_pad(fd, (uint64_t)size, err);
}

/* An unlinked temp file: nothing to clean up whatever happens. */
static int open_temp(struct pw_err *err)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    struct pw_buf tmpl = PW_BUF_INIT;
    pw_buf_addf(&tmpl, "%s/packwright-data.XXXXXX", dir);
    fd = mkostemp(tmpl.buf, O_CLOEXEC);
    if (fd >= 0)
        unlink(tmpl.buf);
    else
        pw_err_errno(err, PW_E_IO, errno, "cannot create a temporary file in '%s'", dir);
    pw_buf_release(&tmpl);
    return fd < 0 ? -PW_E_IO : fd;
}

static int deb_write(const struct pw_package *pkg, const struct pw_contents *contents,
                     const struct pw_ctx *ctx, int fd, struct pw_err *err)
{
    if (ctx->deb_compression.method == PW_COMPRESS_ZSTD)
        pw_ctx_warn(ctx,
                    "'%s': data.tar.zst needs dpkg >= 1.21.18: Debian 11 and older cannot "
                    "install it (use xz or gzip for them)",
                    pkg->name);
    struct pw_contents c;
    pw_contents_copy(&c, contents);
    struct pw_buf control = PW_BUF_INIT, name = PW_BUF_INIT;
    int tmp = -1;
    int rc = add_doc_files(&c, pkg, ctx, err);
    if (rc == 0)
        rc = tmp = open_temp(err);
    if (rc >= 0)
        rc = write_data_tar(&c, ctx, tmp, err);
    if (rc == 0)
        rc = build_control(pkg, &c, ctx, &control, err);
    if (rc == 0 && pw_fs_write_all(fd, AR_MAGIC, strlen(AR_MAGIC)) < 0)
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot write the package");
    if (rc == 0)
        rc = ar_member_mem(fd, "debian-binary", "2.0\n", 4, ctx->source_date_epoch, err);
    if (rc == 0) {
        struct pw_compression cc = control_compression(&ctx->deb_compression);
        pw_buf_addf(&name, "control.tar%s", suffix_of(cc.method));
        rc = ar_member_mem(fd, name.buf, control.buf, control.len, ctx->source_date_epoch, err);
    }
    if (rc == 0) {
        pw_buf_reset(&name);
        pw_buf_addf(&name, "data.tar%s", suffix_of(ctx->deb_compression.method));
        rc = ar_member_fd(fd, name.buf, tmp, ctx->source_date_epoch, err);
    }
    if (tmp >= 0)
        close(tmp);
    pw_buf_release(&control);
    pw_buf_release(&name);
    pw_contents_release(&c);
    return rc;
}

static int deb_probe(const unsigned char *head, size_t len)
{
    return len >= 8 + 13 && !memcmp(head, AR_MAGIC, 8) && !memcmp(head + 8, "debian-binary", 13);
}

/* Reading: the state carried from control.tar to data.tar. */
struct deb_reader {
    struct pw_pkginfo *info;
    struct pw_strvec conffiles;
    struct pw_buf scripts[PW_SCRIPT_COUNT];
    int have_control, have_data;
};

static char *interpreter_of(const struct pw_buf *body)
{
    if (body->len < 3 || body->buf[0] != '#' || body->buf[1] != '!')
        return NULL;
    const char *p = body->buf + 2;
    p += strspn(p, " \t");
    return pw_xstrndup(p, strcspn(p, "\r\n"));
}

static int read_control_member(struct deb_reader *dr, struct pw_archive_reader *r, const char *name,
                               struct pw_err *err)
{
    struct pw_buf body = PW_BUF_INIT;
    int rc = pw_archive_reader_read_all(r, &body, CONTROL_MAX, err);
    if (rc < 0) {
        pw_buf_release(&body);
        return rc;
    }
    if (!strcmp(name, "control")) {
        rc = pw_deb_control_parse(body.buf, body.len, dr->info, err);
        dr->have_control = 1;
    } else if (!strcmp(name, "conffiles")) {
        for (char *line = body.buf; *line;) {
            size_t n = strcspn(line, "\n");
            size_t end = n;
            while (end && (line[end - 1] == ' ' || line[end - 1] == '\r'))
                end--;
            if (end)
                pw_strvec_push_owned(&dr->conffiles, pw_xstrndup(line, end));
            line += n + (line[n] == '\n');
        }
    } else {
        for (int k = PW_SCRIPT_PREINST; k <= PW_SCRIPT_POSTRM; k++)
            if (!strcmp(name, pw_script_name((enum pw_script_kind)k))) {
                pw_buf_release(&dr->scripts[k]);
                dr->scripts[k] = body;
                return 0;
            }
    }
    pw_buf_release(&body);
    return rc;
}

/* "./usr/bin/" -> "usr/bin"; "./" -> "" */
static const char *strip_dot(const char *p, size_t *len)
{
    if (p[0] == '.' && p[1] == '/')
        p += 2;
    else if (p[0] == '/')
        p += 1;
    *len = strlen(p);
    while (*len && p[*len - 1] == '/')
        (*len)--;
    return p;
}

/* Calls visit for every entry of the tar in outer's current member, "./" itself excepted,
 * with the entry's name stripped of "./" and of a trailing "/". */
static int walk_member(struct deb_reader *dr, struct pw_archive_reader *outer, const char *member,
                       int (*visit)(struct deb_reader *dr, struct pw_archive_reader *r,
                                    const struct pw_archive_item *item, const char *rel, size_t len,
                                    struct pw_err *err),
                       struct pw_err *err)
{
    struct pw_archive_reader r;
    int rc = pw_archive_reader_open_nested(&r, outer, member, err);
    if (rc < 0)
        return rc;
    struct pw_archive_item item;
    while ((rc = pw_archive_reader_next(&r, &item, err)) == 1) {
        size_t len;
        const char *rel = strip_dot(item.path, &len);
        if (len && (rc = visit(dr, &r, &item, rel, len, err)) < 0)
            break;
    }
    pw_archive_reader_release(&r);
    return rc;
}

static int visit_control(struct deb_reader *dr, struct pw_archive_reader *r,
                         const struct pw_archive_item *item, const char *rel, size_t len,
                         struct pw_err *err)
{
    if (item->type != 'f')
        return 0;
    char *name = pw_xstrndup(rel, len);
    int rc = read_control_member(dr, r, name, err);
    free(name);
    return rc;
}

static int hash_entry(struct pw_archive_reader *r, char *hex, struct pw_err *err)
{
    struct pw_hash h;
    pw_hash_init(&h, PW_HASH_SHA256);
    char *chunk = pw_xmalloc(64 * 1024);
    ssize_t n;
    while ((n = pw_archive_reader_read(r, chunk, 64 * 1024, err)) > 0)
        pw_hash_update(&h, chunk, (size_t)n);
    free(chunk);
    if (n < 0) {
        pw_hash_release(&h);
        return (int)n;
    }
    unsigned char d[32];
    pw_hash_final(&h, d);
    pw_hex(d, 32, hex);
    return 0;
}

static char *owner_name(const char *name, int64_t id)
{
    if (name && *name)
        return pw_xstrdup(name);
    char buf[32];
    snprintf(buf, sizeof(buf), "%" PRId64, id);
    return pw_xstrdup(buf);
}

static int visit_data(struct deb_reader *dr, struct pw_archive_reader *r,
                      const struct pw_archive_item *item, const char *rel, size_t len,
                      struct pw_err *err)
{
    struct pw_pkginfo_file *f = pw_pkginfo_add_file(dr->info);
    f->path = pw_xmalloc(len + 2);
    f->path[0] = '/';
    memcpy(f->path + 1, rel, len);
    f->path[len + 1] = '\0';
    f->type = item->type;
    f->mode = item->mode;
    f->owner = owner_name(item->uname, item->uid);
    f->group = owner_name(item->gname, item->gid);
    f->size = item->type == 'f' ? item->size : 0;
    f->mtime = item->mtime;
    f->target = item->target ? pw_xstrdup(item->target) : NULL;
    if (pw_strvec_contains(&dr->conffiles, f->path))
        f->flags |= PW_FLAG_CONFIG;
    if (item->type != 'f')
        return 0;
    char hex[65];
    int rc = hash_entry(r, hex, err);
    if (rc < 0)
        return rc;
    f->digest = pw_xstrdup(hex);
    f->digest_algo = pw_xstrdup("sha256");
    return 0;
}

static int read_member(struct deb_reader *dr, struct pw_archive_reader *ar,
                       const struct pw_archive_item *item, struct pw_err *err)
{
    if (!strcmp(item->path, "debian-binary")) {
        struct pw_buf v = PW_BUF_INIT;
        int rc = pw_archive_reader_read_all(ar, &v, 64, err);
        if (rc == 0 && strncmp(v.buf, "2.", 2) != 0)
            rc = pw_err_set(err, PW_E_FORMAT, "unsupported deb format version '%.*s'",
                            (int)strcspn(v.buf, "\n"), v.buf);
        pw_buf_release(&v);
        return rc;
    }
    if (!strncmp(item->path, "control.tar", 11))
        return walk_member(dr, ar, item->path, visit_control, err);
    if (!strncmp(item->path, "data.tar", 8)) {
        dr->have_data = 1;
        return walk_member(dr, ar, item->path, visit_data, err);
    }
    return 0; /* _gpgorigin and other extra members */
}

static void add_scripts(struct deb_reader *dr)
{
    for (int k = PW_SCRIPT_PREINST; k <= PW_SCRIPT_POSTRM; k++) {
        if (!dr->scripts[k].len)
            continue;
        char *interp = interpreter_of(&dr->scripts[k]);
        pw_pkginfo_add_script(dr->info, pw_script_name((enum pw_script_kind)k), interp,
                              dr->scripts[k].buf);
        free(interp);
    }
}

static int deb_read(const char *path, struct pw_pkginfo *info, struct pw_err *err)
{
    struct deb_reader dr;
    memset(&dr, 0, sizeof(dr));
    dr.info = info;
    for (int k = 0; k < PW_SCRIPT_COUNT; k++)
        pw_buf_init(&dr.scripts[k]);
    free(info->format);
    info->format = pw_xstrdup("deb");
    struct pw_archive_reader ar;
    int rc = pw_archive_reader_open_file(&ar, path, err);
    if (rc < 0)
        return rc;
    struct pw_archive_item item;
    while ((rc = pw_archive_reader_next(&ar, &item, err)) == 1)
        if ((rc = read_member(&dr, &ar, &item, err)) < 0)
            break;
    pw_archive_reader_release(&ar);
    if (rc == 0 && (!dr.have_control || !dr.have_data))
        rc = pw_err_set(err, PW_E_FORMAT, "no %s member", dr.have_control ? "data.tar" : "control");
    if (rc == 0) {
        add_scripts(&dr);
        const char *v;
        info->name = (v = pw_pkginfo_field(info, "Package")) ? pw_xstrdup(v) : NULL;
        info->version = (v = pw_pkginfo_field(info, "Version")) ? pw_xstrdup(v) : NULL;
        info->arch = (v = pw_pkginfo_field(info, "Architecture")) ? pw_xstrdup(v) : NULL;
    }
    for (int k = 0; k < PW_SCRIPT_COUNT; k++)
        pw_buf_release(&dr.scripts[k]);
    pw_strvec_release(&dr.conffiles);
    return rc < 0 ? pw_err_prefix(err, "reading '%s': ", path) : 0;
}

const struct pw_format pw_format_deb = {
    .name = "deb",
    .file_name = deb_file_name,
    .validate = NULL,
    .write = deb_write,
    .read = deb_read,
    .probe = deb_probe,
};
