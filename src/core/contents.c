/* The normalised contents list: one sorted, complete, owner- and time-normalised view of a
 * package's files that every writer consumes unchanged. */
#include "contents.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/path.h"
#include "../base/strvec.h"

#define SOURCE_PREFIX "source:"

/* Everything one pw_contents_build() call needs, passed down the helpers. */
struct builder {
    struct pw_contents *c;
    const struct pw_package *pkg;
    const struct pw_sources *sources;
    const struct pw_ctx *ctx;
    struct pw_err *err;
};

void pw_contents_init(struct pw_contents *c)
{
    memset(c, 0, sizeof(*c));
}

static void file_release(struct pw_file *f)
{
    free(f->path);
    free(f->owner);
    free(f->group);
    free(f->src);
    free(f->target);
    free(f->data);
}

void pw_contents_release(struct pw_contents *c)
{
    for (size_t i = 0; i < c->n; i++)
        file_release(&c->files[i]);
    free(c->files);
    pw_contents_init(c);
}

static struct pw_file *push_file(struct pw_contents *c, const char *path, enum pw_file_kind kind)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->files = pw_xrealloc(c->files, c->cap * sizeof(*c->files));
    }
    struct pw_file *f = &c->files[c->n++];
    memset(f, 0, sizeof(*f));
    f->path = pw_xstrdup(path);
    f->kind = kind;
    f->spec = -1;
    f->owner = pw_xstrdup("root");
    f->group = pw_xstrdup("root");
    return f;
}

static int64_t clamp_mtime(const struct pw_ctx *ctx, int64_t t)
{
    return t > ctx->source_date_epoch ? ctx->source_date_epoch : t;
}

static unsigned disk_file_mode(mode_t st_mode)
{
    return (st_mode & 0111) ? 0755 : 0644;
}

/* Owner, group, mtime and origin of a manifest entry, applied to f. The mtime is the
 * manifest's, else SOURCE_DATE_EPOCH (never the checkout's: two clones must agree). */
static void apply_spec(const struct builder *b, struct pw_file *f, size_t si)
{
    const struct pw_content_spec *s = &b->pkg->contents[si];
    f->spec = (long)si;
    if (s->owner) {
        free(f->owner);
        f->owner = pw_xstrdup(s->owner);
    }
    if (s->group) {
        free(f->group);
        f->group = pw_xstrdup(s->group);
    }
    f->mtime = clamp_mtime(b->ctx, s->mtime >= 0 ? s->mtime : b->ctx->source_date_epoch);
}

static int spec_error(const struct builder *b, size_t si, int code, const char *field,
                      const char *msg)
{
    return pw_err_set(b->err, code, "%s: %s%s%s: %s", b->pkg->manifest_path,
                      b->pkg->contents[si].json_path, field ? "." : "", field ? field : "", msg);
}

/* The file on disk that entry si's src names: a path, or "source:NAME/path". */
static int resolve_src(const struct builder *b, size_t si, struct pw_buf *out)
{
    const char *src = b->pkg->contents[si].src;
    pw_buf_reset(out);
    if (!src)
        return spec_error(b, si, PW_E_MANIFEST, "src", "missing");
    if (strncmp(src, SOURCE_PREFIX, strlen(SOURCE_PREFIX)) != 0) {
        pw_buf_adds(out, src);
        return 0;
    }
    if (!b->sources)
        return spec_error(b, si, PW_E_MANIFEST, "src", "names a source but none were fetched");
    struct pw_buf resolved = PW_BUF_INIT;
    const char *p = pw_sources_path(b->sources, src + strlen(SOURCE_PREFIX), &resolved, b->err);
    if (!p) {
        pw_buf_release(&resolved);
        return pw_err_prefix(b->err, "%s: %s.src: ", b->pkg->manifest_path,
                             b->pkg->contents[si].json_path);
    }
    pw_buf_adds(out, p);
    pw_buf_release(&resolved);
    return 0;
}

static int stat_src(const struct builder *b, size_t si, const char *path, struct stat *st,
                    int follow)
{
    if ((follow ? stat(path, st) : lstat(path, st)) == 0)
        return 0;
    pw_err_errno(b->err, PW_E_IO, errno, "cannot stat '%s'", path);
    return pw_err_prefix(b->err, "%s: %s.src: ", b->pkg->manifest_path,
                         b->pkg->contents[si].json_path);
}

/* A file whose bytes the manifest holds (`content`): 0644 unless the manifest says. */
static void add_inline(struct builder *b, size_t si, unsigned flags)
{
    const struct pw_content_spec *s = &b->pkg->contents[si];
    struct pw_file *f = push_file(b->c, s->dst, PW_FILE_REG);
    f->flags = flags | PW_FLAG_GENERATED;
    f->mode = s->mode >= 0 ? (unsigned)s->mode : 0644;
    f->size = s->content_len;
    f->data = pw_xmalloc(s->content_len ? s->content_len : 1);
    if (s->content_len)
        memcpy(f->data, s->content, s->content_len);
    apply_spec(b, f, si);
}

static int add_regular(struct builder *b, size_t si, unsigned flags)
{
    const struct pw_content_spec *s = &b->pkg->contents[si];
    if (s->has_content) {
        add_inline(b, si, flags);
        return 0;
    }
    struct pw_buf src = PW_BUF_INIT;
    struct stat st;
    int rc = resolve_src(b, si, &src);
    if (rc == 0)
        rc = stat_src(b, si, src.buf, &st, 1);
    if (rc == 0 && !S_ISREG(st.st_mode))
        rc = spec_error(b, si, PW_E_MANIFEST, "src", "not a regular file");
    if (rc == 0) {
        struct pw_file *f = push_file(b->c, s->dst, PW_FILE_REG);
        f->flags = flags;
        f->mode = s->mode >= 0 ? (unsigned)s->mode : disk_file_mode(st.st_mode);
        f->size = (uint64_t)st.st_size;
        f->src = pw_buf_detach(&src, NULL);
        apply_spec(b, f, si);
    }
    pw_buf_release(&src);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted bytewise (so tree order never depends on the file system). */
static int list_dir(const struct builder *b, size_t si, const char *dir, struct pw_strvec *out)
{
    DIR *d = opendir(dir);
    if (!d) {
        pw_err_errno(b->err, PW_E_IO, errno, "cannot open directory '%s'", dir);
        return pw_err_prefix(b->err, "%s: %s.src: ", b->pkg->manifest_path,
                             b->pkg->contents[si].json_path);
    }
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        pw_strvec_push(out, de->d_name);
    }
    int e = errno;
    closedir(d);
    if (e) {
        pw_err_errno(b->err, PW_E_IO, e, "cannot read directory '%s'", dir);
        return pw_err_prefix(b->err, "%s: %s.src: ", b->pkg->manifest_path,
                             b->pkg->contents[si].json_path);
    }
    if (out->n)
        qsort(out->v, out->n, sizeof(*out->v), cmp_names);
    return 0;
}

static int add_tree_entry(struct builder *b, size_t si, const char *disk, const char *dst);

static int walk_tree(struct builder *b, size_t si, const char *disk_dir, const char *dst_dir)
{
    struct pw_strvec names = PW_STRVEC_INIT;
    int rc = list_dir(b, si, disk_dir, &names);
    struct pw_buf disk = PW_BUF_INIT, dst = PW_BUF_INIT;
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        pw_buf_reset(&disk);
        pw_buf_reset(&dst);
        pw_buf_addf(&disk, "%s/%s", disk_dir, names.v[i]);
        pw_buf_addf(&dst, "%s/%s", dst_dir, names.v[i]);
        const char *why = pw_path_check(dst.buf);
        if (why) {
            pw_err_set(b->err, PW_E_MANIFEST, "%s: %s.src: '%s' in the tree gives path '%s': %s",
                       b->pkg->manifest_path, b->pkg->contents[si].json_path, names.v[i], dst.buf,
                       why);
            rc = -PW_E_MANIFEST;
            break;
        }
        rc = add_tree_entry(b, si, disk.buf, dst.buf);
    }
    pw_buf_release(&disk);
    pw_buf_release(&dst);
    pw_strvec_release(&names);
    return rc;
}

static int add_tree_entry(struct builder *b, size_t si, const char *disk, const char *dst)
{
    struct stat st;
    int rc = stat_src(b, si, disk, &st, 0);
    if (rc < 0)
        return rc;
    struct pw_file *f;
    if (S_ISDIR(st.st_mode)) {
        f = push_file(b->c, dst, PW_FILE_DIR);
        f->mode = 0755;
        apply_spec(b, f, si);
        return walk_tree(b, si, disk, dst);
    }
    if (S_ISREG(st.st_mode)) {
        int mode = b->pkg->contents[si].mode;
        f = push_file(b->c, dst, PW_FILE_REG);
        f->mode = mode >= 0 ? (unsigned)mode : disk_file_mode(st.st_mode);
        f->size = (uint64_t)st.st_size;
        f->src = pw_xstrdup(disk);
        apply_spec(b, f, si);
        return 0;
    }
    if (S_ISLNK(st.st_mode)) {
        struct pw_buf target = PW_BUF_INIT;
        pw_buf_grow(&target, (size_t)st.st_size + 1);
        ssize_t n = readlink(disk, target.buf, (size_t)st.st_size + 1);
        if (n < 0 || (size_t)n > (size_t)st.st_size) {
            pw_buf_release(&target);
            return pw_err_set(b->err, PW_E_IO, "%s: %s.src: cannot read symlink '%s'",
                              b->pkg->manifest_path, b->pkg->contents[si].json_path, disk);
        }
        pw_buf_setlen(&target, (size_t)n);
        f = push_file(b->c, dst, PW_FILE_SYMLINK);
        f->mode = 0777;
        f->size = (uint64_t)n;
        f->target = pw_buf_detach(&target, NULL);
        apply_spec(b, f, si);
        return 0;
    }
    return pw_err_set(b->err, PW_E_MANIFEST, "%s: %s.src: '%s' is not a file, directory or symlink",
                      b->pkg->manifest_path, b->pkg->contents[si].json_path, disk);
}

static int add_tree(struct builder *b, size_t si)
{
    const struct pw_content_spec *s = &b->pkg->contents[si];
    struct pw_buf src = PW_BUF_INIT;
    struct stat st;
    int rc = resolve_src(b, si, &src);
    if (rc == 0)
        rc = stat_src(b, si, src.buf, &st, 1);
    if (rc == 0 && !S_ISDIR(st.st_mode))
        rc = spec_error(b, si, PW_E_MANIFEST, "src", "a tree needs a directory");
    if (rc == 0) {
        struct pw_file *f = push_file(b->c, s->dst, PW_FILE_DIR);
        f->mode = 0755;
        apply_spec(b, f, si);
        rc = walk_tree(b, si, src.buf, s->dst);
    }
    pw_buf_release(&src);
    return rc;
}

static int add_spec(struct builder *b, size_t si)
{
    const struct pw_content_spec *s = &b->pkg->contents[si];
    struct pw_file *f;
    /* `optional`: a path the fetched source (this release, this layout) does not have. */
    if (s->optional && s->src && !strncmp(s->src, SOURCE_PREFIX, strlen(SOURCE_PREFIX)) &&
        b->sources && !pw_sources_exists(b->sources, s->src + strlen(SOURCE_PREFIX)))
        return 0;
    switch (s->type) {
    case PW_ENTRY_FILE:
        return add_regular(b, si, 0);
    case PW_ENTRY_CONFIG:
        return add_regular(b, si, PW_FLAG_CONFIG);
    case PW_ENTRY_CONFIG_NOREPLACE:
        return add_regular(b, si, PW_FLAG_CONFIG | PW_FLAG_NOREPLACE);
    case PW_ENTRY_TREE:
        return add_tree(b, si);
    case PW_ENTRY_DIR:
        f = push_file(b->c, s->dst, PW_FILE_DIR);
        f->mode = s->mode >= 0 ? (unsigned)s->mode : 0755;
        apply_spec(b, f, si);
        return 0;
    case PW_ENTRY_SYMLINK:
        if (!s->target)
            return spec_error(b, si, PW_E_MANIFEST, "target", "missing");
        f = push_file(b->c, s->dst, PW_FILE_SYMLINK);
        f->mode = 0777;
        f->target = pw_xstrdup(s->target);
        f->size = strlen(s->target);
        apply_spec(b, f, si);
        return 0;
    case PW_ENTRY_GHOST:
        f = push_file(b->c, s->dst, PW_FILE_REG);
        f->flags = PW_FLAG_GHOST;
        f->mode = s->mode >= 0 ? (unsigned)s->mode : 0644;
        apply_spec(b, f, si);
        return 0;
    }
    return spec_error(b, si, PW_E_MANIFEST, "type", "unknown content type");
}

static int cmp_files(const void *a, const void *b)
{
    return strcmp(((const struct pw_file *)a)->path, ((const struct pw_file *)b)->path);
}

static void sort_files(struct pw_contents *c)
{
    if (c->n)
        qsort(c->files, c->n, sizeof(*c->files), cmp_files);
}

static ssize_t find_index(const struct pw_contents *c, const char *path, size_t len)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *p = c->files[mid].path;
        int d = strncmp(p, path, len);
        if (d == 0)
            d = p[len] ? 1 : 0;
        if (d == 0)
            return (ssize_t)mid;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const struct pw_file *pw_contents_find(const struct pw_contents *c, const char *path)
{
    ssize_t i = find_index(c, path, strlen(path));
    return i < 0 ? NULL : &c->files[i];
}

static const char *origin_of(const struct pw_package *pkg, const struct pw_file *f)
{
    if (f->spec >= 0 && pkg && (size_t)f->spec < pkg->ncontents)
        return pkg->contents[f->spec].json_path;
    return "a generated file";
}

static int reject_duplicates(const struct builder *b)
{
    for (size_t i = 1; i < b->c->n; i++) {
        const struct pw_file *prev = &b->c->files[i - 1], *f = &b->c->files[i];
        if (strcmp(prev->path, f->path) != 0)
            continue;
        const struct pw_file *first = prev->spec <= f->spec ? prev : f;
        const struct pw_file *second = first == prev ? f : prev;
        return pw_err_set(b->err, PW_E_MANIFEST, "%s: %s: duplicate path '%s' (also from %s)",
                          b->pkg->manifest_path, origin_of(b->pkg, second), f->path,
                          origin_of(b->pkg, first));
    }
    return 0;
}

/* Every ancestor of every entry must be a directory entry: missing ones are collected in
 * missing (sorted, unique afterwards) and added as implicit directories. */
static int collect_parents(const struct pw_contents *c, const struct pw_package *pkg,
                           struct pw_strvec *missing, struct pw_err *err)
{
    const char *deepest = NULL; /* the previous entry's nearest missing parent */
    for (size_t i = 0; i < c->n; i++) {
        const char *path = c->files[i].path;
        /* Walk up from the parent until an existing directory is met. */
        size_t len = strlen(path);
        for (;;) {
            char *slash = memrchr(path, '/', len);
            if (!slash || slash == path)
                break;
            len = (size_t)(slash - path);
            ssize_t at = find_index(c, path, len);
            if (at >= 0) {
                if (c->files[at].kind != PW_FILE_DIR)
                    return pw_err_set(err, PW_E_MANIFEST,
                                      "%s: %s: '%s' needs parent '%s', which is not a directory",
                                      pkg ? pkg->manifest_path : "contents",
                                      origin_of(pkg, &c->files[i]), path, c->files[at].path);
                break;
            }
            /* Siblings share their parents: skip work already queued by the entry before. */
            if (deepest && strlen(deepest) == len && !strncmp(deepest, path, len))
                break;
            pw_strvec_push_owned(missing, pw_xstrndup(path, len));
            if (len == pw_path_parent_len(path))
                deepest = missing->v[missing->n - 1];
        }
    }
    return 0;
}

static int add_parents(struct pw_contents *c, const struct pw_package *pkg, int64_t mtime,
                       struct pw_err *err)
{
    struct pw_strvec missing = PW_STRVEC_INIT;
    int rc = collect_parents(c, pkg, &missing, err);
    if (rc == 0 && missing.n) {
        pw_strvec_sort(&missing);
        for (size_t i = 0; i < missing.n; i++) {
            if (i && !strcmp(missing.v[i], missing.v[i - 1]))
                continue;
            struct pw_file *f = push_file(c, missing.v[i], PW_FILE_DIR);
            f->mode = 0755;
            f->flags = PW_FLAG_IMPLICIT;
            f->mtime = mtime;
        }
        sort_files(c);
    }
    pw_strvec_release(&missing);
    return rc;
}

int pw_contents_build(struct pw_contents *c, const struct pw_package *pkg,
                      const struct pw_sources *sources, const struct pw_ctx *ctx,
                      struct pw_err *err)
{
    struct builder b = {c, pkg, sources, ctx, err};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < pkg->ncontents; i++)
        rc = add_spec(&b, i);
    if (rc == 0) {
        sort_files(c);
        rc = reject_duplicates(&b);
    }
    if (rc == 0)
        rc = add_parents(c, pkg, ctx->source_date_epoch, err);
    if (rc < 0)
        pw_contents_release(c);
    return rc;
}

int pw_contents_add_generated(struct pw_contents *c, const char *path, const void *data, size_t len,
                              unsigned mode, unsigned flags, int64_t mtime, struct pw_err *err)
{
    const char *why = pw_path_check(path);
    if (why)
        return pw_err_set(err, PW_E_FAIL, "generated file '%s': %s", path, why);
    if (pw_contents_find(c, path))
        return pw_err_set(err, PW_E_EXISTS, "generated file '%s' is already in the package", path);
    struct pw_file *f = push_file(c, path, PW_FILE_REG);
    f->flags = flags | PW_FLAG_GENERATED;
    f->mode = mode;
    f->mtime = mtime;
    f->size = len;
    f->data = pw_xmalloc(len ? len : 1);
    if (len)
        memcpy(f->data, data, len);
    sort_files(c);
    return add_parents(c, NULL, mtime, err);
}

void pw_contents_copy(struct pw_contents *dst, const struct pw_contents *src)
{
    pw_contents_init(dst);
    dst->cap = src->n ? src->n : 1;
    dst->files = pw_xcalloc(dst->cap, sizeof(*dst->files));
    for (size_t i = 0; i < src->n; i++) {
        const struct pw_file *s = &src->files[i];
        struct pw_file *d = &dst->files[i];
        *d = *s;
        d->path = pw_xstrdup(s->path);
        d->owner = s->owner ? pw_xstrdup(s->owner) : NULL;
        d->group = s->group ? pw_xstrdup(s->group) : NULL;
        d->src = s->src ? pw_xstrdup(s->src) : NULL;
        d->target = s->target ? pw_xstrdup(s->target) : NULL;
        if (s->data) {
            d->data = pw_xmalloc(s->size ? s->size : 1);
            memcpy(d->data, s->data, s->size);
        }
    }
    dst->n = src->n;
    dst->feed = src->feed;
    dst->feed_id = src->feed_id;
}
