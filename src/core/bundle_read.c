/* Verifying and importing an air-gap bundle (see bundle.h): stream the members into a
 * staging directory checking each against the manifest, then the manifest's signature and
 * the repository as clients check it; an import then switches the staged tree in with one
 * rename. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/fs.h"
#include "archive_dl.h"
#include "bundle_int.h"
#include "gpg.h"
#include "hash.h"
#include "repo.h"
#include "upstream.h"

#define MANIFEST_MAX (64u << 20)
#define SIGNATURE_MAX (1u << 20)

struct mentry {
    char *name;
    char sha256[65];
    uint64_t size;
    int seen;
};

struct reader {
    const struct pw_bundle_opts *o;
    struct pw_bundle_info *info;
    const char *dir; /* staging directory, absolute */
    struct archive *a;
    struct mentry *v;
    size_t n;
    struct pw_buf manifest, signature;
};

/* ---- the manifest ---- */

static int valid_name(const char *name)
{
    if (!strcmp(name, PW_BUNDLE_KEY))
        return 1;
    size_t k = strlen(PW_BUNDLE_REPO_PREFIX);
    return !strncmp(name, PW_BUNDLE_REPO_PREFIX, k) && !pw_upstream_location_check(name + k) &&
           strcmp(name + k, PW_BUNDLE_IMPORT_MARK);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct mentry *)a)->name, ((const struct mentry *)b)->name);
}

static int manifest_line(struct reader *r, const char *line, size_t len, struct pw_err *err)
{
    char buf[4200];
    if (len >= sizeof(buf))
        return pw_err_set(err, PW_E_FORMAT, "manifest line too long");
    memcpy(buf, line, len);
    buf[len] = '\0';
    char *sp1 = strchr(buf, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    unsigned char md[32];
    if (sp1)
        *sp1 = '\0';
    int hex_ok = sp1 && pw_unhex(buf, md, 32) == 0;
    if (sp1)
        *sp1 = ' ';
    if (!hex_ok || !sp2)
        return pw_err_set(err, PW_E_FORMAT, "malformed manifest line '%s'", buf);
    char *end;
    errno = 0;
    unsigned long long size = strtoull(sp1 + 1, &end, 10);
    if (end != sp2 || errno || sp1[1] < '0' || sp1[1] > '9' || !valid_name(sp2 + 1))
        return pw_err_set(err, PW_E_FORMAT, "malformed manifest line '%s'", buf);
    r->v = pw_xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
    struct mentry *e = &r->v[r->n++];
    memset(e, 0, sizeof(*e));
    memcpy(e->sha256, buf, 64);
    for (int i = 0; i < 64; i++)
        e->sha256[i] = (char)(e->sha256[i] | 0x20); /* lowercase hex */
    e->size = size;
    e->name = pw_xstrdup(sp2 + 1);
    return 0;
}

static int parse_manifest(struct reader *r, struct pw_err *err)
{
    const char *p = r->manifest.buf, *end = p + r->manifest.len;
    size_t magic = strlen(PW_BUNDLE_MAGIC);
    if (memchr(p, '\0', r->manifest.len) || r->manifest.len <= magic ||
        memcmp(p, PW_BUNDLE_MAGIC "\n", magic + 1))
        return pw_err_set(err, PW_E_FORMAT, "the manifest does not start with '%s'",
                          PW_BUNDLE_MAGIC);
    for (p += magic + 1; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return pw_err_set(err, PW_E_FORMAT, "the manifest's last line is cut");
        int rc = manifest_line(r, p, (size_t)(nl - p), err);
        if (rc < 0)
            return rc;
        p = nl + 1;
    }
    qsort(r->v, r->n, sizeof(*r->v), by_name);
    for (size_t i = 1; i < r->n; i++)
        if (!strcmp(r->v[i - 1].name, r->v[i].name))
            return pw_err_set(err, PW_E_FORMAT, "the manifest lists '%s' twice", r->v[i].name);
    return 0;
}

static struct mentry *find(struct reader *r, const char *name)
{
    struct mentry key = {(char *)name, "", 0, 0};
    return bsearch(&key, r->v, r->n, sizeof(*r->v), by_name);
}

/* ---- members ---- */

/* what: "'NAME'" or "the bundle after 'NAME'". */
static int damaged(struct reader *r, const char *what, struct pw_err *err)
{
    const char *why = archive_error_string(r->a);
    return pw_err_set(err, PW_E_FORMAT, "%s is truncated or damaged: %s", what,
                      why ? why : "read error");
}

static int damaged_member(struct reader *r, const char *name, struct pw_err *err)
{
    struct pw_buf what = PW_BUF_INIT;
    pw_buf_addf(&what, "'%s'", name);
    int rc = damaged(r, what.buf, err);
    pw_buf_release(&what);
    return rc;
}

static int read_small(struct reader *r, const char *name, size_t max, struct pw_buf *out,
                      struct pw_err *err)
{
    char buf[65536];
    la_ssize_t n;
    pw_buf_reset(out);
    while ((n = archive_read_data(r->a, buf, sizeof(buf))) > 0) {
        if (out->len + (size_t)n > max)
            return pw_err_set(err, PW_E_FORMAT, "'%s' is too large", name);
        pw_buf_add(out, buf, (size_t)n);
    }
    return n < 0 ? damaged_member(r, name, err) : 0;
}

static int open_output(struct reader *r, const char *name, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT;
    pw_buf_addf(&path, "%s/%s", r->dir, name);
    char *slash = strrchr(path.buf, '/');
    *slash = '\0';
    int rc = pw_fs_mkdir_p(path.buf, 0755, err);
    *slash = '/';
    int fd =
        rc < 0 ? rc : open(path.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (rc == 0 && fd < 0)
        fd = pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", path.buf);
    pw_buf_release(&path);
    return fd;
}

/* Streams one repository member to the staging directory while hashing it. */
static int extract(struct reader *r, struct mentry *m, struct pw_err *err)
{
    int fd = open_output(r, m->name, err);
    if (fd < 0)
        return fd;
    struct pw_hash h;
    pw_hash_init(&h, PW_HASH_SHA256);
    uint64_t total = 0;
    char buf[65536];
    la_ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = archive_read_data(r->a, buf, sizeof(buf))) != 0) {
        if (n < 0) {
            rc = damaged_member(r, m->name, err);
            break;
        }
        total += (uint64_t)n;
        pw_hash_update(&h, buf, (size_t)n);
        if (total > m->size)
            rc = pw_err_set(err, PW_E_CHECKSUM, "'%s' is larger than the manifest says", m->name);
        else if (pw_fs_write_all(fd, buf, (size_t)n) < 0)
            rc = pw_err_errno(err, PW_E_IO, errno, "cannot write '%s/%s'", r->dir, m->name);
    }
    unsigned char md[32];
    char hex[65];
    pw_hash_final(&h, md);
    pw_hex(md, 32, hex);
    if (close(fd) < 0 && rc == 0)
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot write '%s/%s'", r->dir, m->name);
    if (rc == 0 && total != m->size)
        rc = pw_err_set(err, PW_E_CHECKSUM, "'%s' has %llu bytes, the manifest says %llu", m->name,
                        (unsigned long long)total, (unsigned long long)m->size);
    if (rc == 0 && strcmp(hex, m->sha256))
        rc = pw_err_set(err, PW_E_CHECKSUM,
                        "'%s' does not match the manifest (sha256 %s, "
                        "expected %s)",
                        m->name, hex, m->sha256);
    return rc;
}

static int member(struct reader *r, struct archive_entry *e, struct pw_err *err)
{
    const char *name = archive_entry_pathname(e);
    if (!name || archive_entry_filetype(e) != AE_IFREG)
        return pw_err_set(err, PW_E_FORMAT, "member '%s' is not a regular file", name ? name : "?");
    if (!strcmp(name, PW_BUNDLE_SIGNATURE)) {
        if (r->signature.len)
            return pw_err_set(err, PW_E_FORMAT, "'%s' appears twice", name);
        return read_small(r, name, SIGNATURE_MAX, &r->signature, err);
    }
    struct mentry *m = find(r, name);
    if (!m)
        return pw_err_set(err, PW_E_FORMAT, "unexpected file '%s' (not in the manifest)", name);
    if (m->seen)
        return pw_err_set(err, PW_E_FORMAT, "'%s' appears twice", name);
    m->seen = 1;
    return extract(r, m, err);
}

static int read_members(struct reader *r, struct pw_err *err)
{
    struct archive_entry *e;
    int st = archive_read_next_header(r->a, &e);
    if (st != ARCHIVE_OK || strcmp(archive_entry_pathname(e), PW_BUNDLE_MANIFEST))
        return pw_err_set(err, PW_E_FORMAT, "not a packwright bundle (no '%s' first)%s%s",
                          PW_BUNDLE_MANIFEST, st != ARCHIVE_OK ? ": " : "",
                          st != ARCHIVE_OK ? archive_error_string(r->a) : "");
    int rc = read_small(r, PW_BUNDLE_MANIFEST, MANIFEST_MAX, &r->manifest, err);
    if (rc == 0)
        rc = parse_manifest(r, err);
    struct pw_buf where = PW_BUF_INIT; /* the last member read, for messages */
    pw_buf_addf(&where, "the bundle after '%s'", PW_BUNDLE_MANIFEST);
    while (rc == 0) {
        st = archive_read_next_header(r->a, &e);
        if (st == ARCHIVE_EOF)
            break;
        if (st != ARCHIVE_OK) {
            rc = damaged(r, where.buf, err);
            break;
        }
        rc = member(r, e, err);
        pw_buf_reset(&where);
        pw_buf_addf(&where, "the bundle after '%s'", archive_entry_pathname(e));
    }
    pw_buf_release(&where);
    for (size_t i = 0; rc == 0 && i < r->n; i++)
        if (!r->v[i].seen)
            rc = pw_err_set(err, PW_E_FORMAT, "'%s' is listed in the manifest but missing",
                            r->v[i].name);
    return rc;
}

/* ---- trust ---- */

static int check_signatures(struct reader *r, struct pw_err *err)
{
    const struct pw_bundle_opts *o = r->o;
    struct pw_buf keyring = PW_BUF_INIT, signer = PW_BUF_INIT, repo = PW_BUF_INIT;
    int rc = 0;
    if (o->keyring) {
        char *abs = realpath(o->keyring, NULL);
        if (!abs)
            rc = pw_err_errno(err, PW_E_IO, errno, "cannot read keyring '%s'", o->keyring);
        else
            pw_buf_adds(&keyring, abs);
        free(abs);
    } else if (find(r, PW_BUNDLE_KEY)) {
        pw_buf_addf(&keyring, "%s/%s", r->dir, PW_BUNDLE_KEY);
    }
    if (rc == 0 && r->signature.len && keyring.len) {
        rc = pw_gpg_verify(keyring.buf, r->manifest.buf, r->manifest.len, r->signature.buf,
                           r->signature.len, &signer, err);
        if (rc < 0)
            pw_err_prefix(err, "manifest signature: ");
        snprintf(r->info->signer, sizeof(r->info->signer), "%s", signer.buf);
        r->info->signed_manifest = 1;
    } else if (rc == 0 && o->keyring) {
        rc = pw_err_set(err, PW_E_SIGNATURE,
                        "the manifest is not signed, so the bundle cannot "
                        "be checked against '%s'",
                        o->keyring);
    }
    r->info->trusted = rc == 0 && o->keyring;
    if (rc == 0) {
        pw_buf_addf(&repo, "%s/%s", r->dir, PW_BUNDLE_REPO_PREFIX);
        struct pw_repo_check_opts co = {repo.buf,
                                        keyring.len ? keyring.buf : NULL,
                                        !keyring.len || !r->signature.len,
                                        o->now,
                                        NULL,
                                        NULL};
        rc = pw_repo_check(&co, err);
        if (rc < 0)
            pw_err_prefix(err, "repository check: ");
    }
    pw_buf_release(&keyring);
    pw_buf_release(&signer);
    pw_buf_release(&repo);
    return rc;
}

/* Reads, checks and stages the whole bundle into dir. */
static int stage(const struct pw_bundle_opts *o, const char *dir, struct pw_bundle_info *info,
                 struct pw_err *err)
{
    struct reader r;
    memset(&r, 0, sizeof(r));
    r.o = o;
    r.info = info;
    r.dir = dir;
    memset(info, 0, sizeof(*info));
    if (pw_archive_dl_load(err) < 0)
        return -PW_E_FAIL;
    r.a = archive_read_new();
    archive_read_support_filter_zstd(r.a);
    archive_read_support_format_tar(r.a);
    int rc = 0;
    if (archive_read_open_filename(r.a, o->bundle, 65536) != ARCHIVE_OK) {
        int e = archive_errno(r.a);
        if (e == ENOENT || e == EACCES || e == EISDIR)
            rc = pw_err_errno(err, PW_E_IO, e, "cannot read");
        else
            rc = pw_err_set(err, PW_E_FORMAT,
                            "not a packwright bundle, or truncated or damaged before its first "
                            "member: %s",
                            archive_error_string(r.a));
    }
    if (rc == 0)
        rc = read_members(&r, err);
    for (size_t i = 0; i < r.n; i++)
        if (r.v[i].seen && strcmp(r.v[i].name, PW_BUNDLE_KEY)) {
            info->files++;
            info->bytes += r.v[i].size;
        }
    archive_read_free(r.a);
    if (rc == 0)
        rc = check_signatures(&r, err);
    for (size_t i = 0; i < r.n; i++)
        free(r.v[i].name);
    free(r.v);
    pw_buf_release(&r.manifest);
    pw_buf_release(&r.signature);
    return rc < 0 ? pw_err_prefix(err, "bundle '%s': ", o->bundle) : 0;
}

static char *make_staging(const char *near, struct pw_err *err)
{
    struct pw_buf b = PW_BUF_INIT;
    if (near) {
        pw_buf_addf(&b, "%s.import-XXXXXX", near);
    } else {
        const char *tmp = getenv("TMPDIR");
        pw_buf_addf(&b, "%s/pw-bundle-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    }
    if (!mkdtemp(b.buf)) {
        pw_err_errno(err, PW_E_IO, errno, "cannot create '%s'", b.buf);
        pw_buf_release(&b);
        return NULL;
    }
    return pw_buf_detach(&b, NULL);
}

int pw_bundle_verify(const struct pw_bundle_opts *o, struct pw_bundle_info *info,
                     struct pw_err *err)
{
    char *dir = make_staging(NULL, err);
    if (!dir)
        return -err->code;
    int rc = stage(o, dir, info, err);
    struct pw_err ignored;
    pw_fs_remove_tree(dir, &ignored);
    free(dir);
    return rc;
}

/* ---- import ---- */

static int dir_state(const char *path, int *empty, int *imported)
{
    *empty = 1;
    *imported = 0;
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        *empty = 0;
        if (!strcmp(de->d_name, PW_BUNDLE_IMPORT_MARK))
            *imported = 1;
    }
    closedir(d);
    return 0;
}

/* Puts the staged tree at target: a plain rename over a missing or empty directory, an
 * exchange with an earlier import (whose old tree then goes). */
static int switch_in(const char *staged, const char *target, const char *old, struct pw_err *err)
{
    struct stat st;
    if (lstat(target, &st) < 0 && errno == ENOENT)
        return rename(staged, target) < 0
                   ? pw_err_errno(err, PW_E_IO, errno, "cannot rename to '%s'", target)
                   : 0;
    int empty, imported;
    if (!S_ISDIR(st.st_mode) || dir_state(target, &empty, &imported) < 0)
        return pw_err_set(err, PW_E_EXISTS, "'%s' is not a directory", target);
    if (empty)
        return rename(staged, target) < 0
                   ? pw_err_errno(err, PW_E_IO, errno, "cannot rename to '%s'", target)
                   : 0;
    if (!imported)
        return pw_err_set(err, PW_E_EXISTS,
                          "'%s' is neither empty nor an earlier import; refusing to replace it",
                          target);
    if (renameat2(AT_FDCWD, staged, AT_FDCWD, target, RENAME_EXCHANGE) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot switch '%s'", target);
    return rename(staged, old) < 0 ? 0 : 0; /* the old tree now sits at staged */
}

static int mark_import(const char *tree, const struct pw_bundle_opts *o, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT, text = PW_BUF_INIT;
    pw_buf_addf(&path, "%s/%s", tree, PW_BUNDLE_IMPORT_MARK);
    pw_buf_addf(&text, "imported from bundle '%s'\n", o->bundle);
    int fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = fd < 0 || pw_fs_write_all(fd, text.buf, text.len) < 0
                 ? pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", path.buf)
                 : 0;
    if (fd >= 0)
        close(fd);
    pw_buf_release(&path);
    pw_buf_release(&text);
    return rc;
}

int pw_bundle_import(const struct pw_bundle_opts *o, struct pw_bundle_info *info,
                     struct pw_err *err)
{
    size_t n = strlen(o->repo);
    while (n > 1 && o->repo[n - 1] == '/')
        n--;
    char *target = pw_xstrndup(o->repo, n);
    char *dir = make_staging(target, err);
    if (!dir) {
        free(target);
        return -err->code;
    }
    struct pw_buf tree = PW_BUF_INIT, old = PW_BUF_INIT;
    pw_buf_addf(&tree, "%s/%s", dir, PW_BUNDLE_REPO_PREFIX);
    pw_buf_setlen(&tree, tree.len - 1); /* no trailing '/' */
    pw_buf_addf(&old, "%s/old", dir);
    int rc = stage(o, dir, info, err);
    if (rc == 0)
        rc = mark_import(tree.buf, o, err);
    if (rc == 0)
        rc = pw_fs_fsync_dir_of(tree.buf) < 0 ? 0 : 0;
    if (rc == 0 && (rc = switch_in(tree.buf, target, old.buf, err)) < 0)
        pw_err_prefix(err, "importing into '%s': ", target);
    struct pw_err ignored;
    pw_fs_remove_tree(dir, &ignored);
    pw_buf_release(&tree);
    pw_buf_release(&old);
    free(dir);
    free(target);
    return rc;
}
