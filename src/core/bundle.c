/* Creating an air-gap bundle (see bundle.h): collect what clients reach from the repository's
 * entry points, hash it into the manifest, sign the manifest, write one tar.zst atomically. */
#define _POSIX_C_SOURCE 200809L
#include "bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/fs.h"
#include "archive_dl.h"
#include "bundle_int.h"
#include "gpg.h"
#include "hash.h"
#include "mirror_int.h"
#include "upstream.h"

void pw_bundle_opts_init(struct pw_bundle_opts *o)
{
    memset(o, 0, sizeof(*o));
}

/* ---- collecting the files ---- */

struct collect {
    const char *root;       /* absolute REPO */
    struct pw_strvec names; /* relative to root */
};

static void add_name(struct collect *c, const char *rel)
{
    if (!pw_strvec_contains(&c->names, rel))
        pw_strvec_push(&c->names, rel);
}

/* Every regular file below root/rel (symbolic links followed), as relative names. */
static int walk(struct collect *c, const char *rel, struct pw_err *err)
{
    struct pw_buf abs = PW_BUF_INIT, sub = PW_BUF_INIT;
    pw_buf_addf(&abs, "%s/%s", c->root, rel);
    DIR *d = opendir(abs.buf);
    int rc = d ? 0 : pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", abs.buf);
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        pw_buf_reset(&sub);
        pw_buf_addf(&sub, "%s/%s", rel, de->d_name);
        struct stat st;
        pw_buf_reset(&abs);
        pw_buf_addf(&abs, "%s/%s", c->root, sub.buf);
        if (stat(abs.buf, &st) < 0)
            rc = pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", abs.buf);
        else if (S_ISDIR(st.st_mode))
            rc = walk(c, sub.buf, err);
        else if (S_ISREG(st.st_mode))
            add_name(c, sub.buf);
    }
    if (d)
        closedir(d);
    pw_buf_release(&abs);
    pw_buf_release(&sub);
    return rc;
}

/* The client files at the top: keys, .sources, .repo. */
static int top_files(struct collect *c, struct pw_err *err)
{
    static const char *const suffixes[] = {"-archive-keyring.gpg", "-archive-keyring.asc",
                                           ".sources", ".repo"};
    DIR *d = opendir(c->root);
    if (!d)
        return pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", c->root);
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        for (size_t i = 0; de->d_name[0] != '.' && i < 4; i++) {
            size_t k = strlen(suffixes[i]);
            if (n > k && !strcmp(de->d_name + n - k, suffixes[i]))
                add_name(c, de->d_name);
        }
    }
    closedir(d);
    return 0;
}

static void add_locations(struct collect *c, const char *prefix, const struct pw_upkgs *u)
{
    struct pw_buf b = PW_BUF_INIT;
    for (size_t i = 0; i < u->n; i++) {
        pw_buf_reset(&b);
        pw_buf_addf(&b, "%s%s", prefix, u->v[i].location);
        add_name(c, b.buf);
    }
    pw_buf_release(&b);
}

static int is_packages_index(const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    return !strstr(name, "/by-hash/") &&
           (!strcmp(base, "Packages") || !strcmp(base, "Packages.gz") ||
            !strcmp(base, "Packages.xz"));
}

/* Pool files: the Filename of every stanza of every Packages index under prefix/dists. */
static int apt_pool(struct collect *c, const char *prefix, size_t from, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT;
    struct pw_upkgs u;
    pw_upkgs_init(&u);
    int rc = 0;
    size_t n = c->names.n;
    for (size_t i = from; i < n && rc == 0; i++) {
        if (!is_packages_index(c->names.v[i]))
            continue;
        pw_buf_reset(&path);
        pw_buf_addf(&path, "%s/%s", c->root, c->names.v[i]);
        rc = pw_mirror_read_packages(path.buf, &u, err);
    }
    if (rc == 0)
        add_locations(c, prefix, &u);
    pw_upkgs_release(&u);
    pw_buf_release(&path);
    return rc;
}

/* Pool files: every location of primary.xml. */
static int rpm_pool(struct collect *c, const char *prefix, struct pw_err *err)
{
    struct pw_buf root = PW_BUF_INIT;
    struct pw_upkgs u;
    pw_upkgs_init(&u);
    pw_buf_addf(&root, "%s/%s", c->root, prefix);
    pw_buf_setlen(&root, root.len - 1); /* prefix ends in '/' */
    int rc = pw_mirror_read_rpmmd(root.buf, &u, err);
    if (rc == 0)
        add_locations(c, prefix, &u);
    pw_upkgs_release(&u);
    pw_buf_release(&root);
    return rc;
}

static int collect_family(struct collect *c, const char *prefix, int apt, struct pw_err *err)
{
    struct pw_buf rel = PW_BUF_INIT, abs = PW_BUF_INIT;
    pw_buf_addf(&rel, "%s%s", prefix, apt ? "dists" : "repodata");
    pw_buf_addf(&abs, "%s/%s", c->root, rel.buf);
    int rc = 0;
    if (pw_fs_exists(abs.buf)) {
        size_t from = c->names.n;
        rc = walk(c, rel.buf, err);
        if (rc == 0)
            rc = apt ? apt_pool(c, prefix, from, err) : rpm_pool(c, prefix, err);
    }
    pw_buf_release(&rel);
    pw_buf_release(&abs);
    return rc;
}

int pw_bundle_collect(const char *root, struct pw_strvec *names, struct pw_err *err)
{
    struct collect c = {root, PW_STRVEC_INIT};
    int rc = top_files(&c, err);
    if (rc == 0)
        rc = collect_family(&c, "deb/", 1, err);
    if (rc == 0)
        rc = collect_family(&c, "rpm/", 0, err);
    if (rc == 0 && !c.names.n)
        rc = pw_err_set(err, PW_E_FAIL, "'%s' holds no published repository", root);
    pw_strvec_sort(&c.names);
    *names = c.names;
    return rc;
}

/* ---- the manifest ---- */

static int hash_file(const char *path, char *hex, uint64_t *size, struct pw_err *err)
{
    unsigned char md[32];
    struct stat st;
    if (stat(path, &st) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", path);
    int rc = pw_hash_file(PW_HASH_SHA256, path, md, err);
    if (rc == 0)
        pw_hex(md, 32, hex);
    *size = (uint64_t)st.st_size;
    return rc;
}

struct entry {
    char *name; /* member name */
    char *path; /* file on disk */
    char sha256[65];
    uint64_t size;
};

struct plan {
    struct entry *v;
    size_t n;
    struct pw_buf manifest, signature;
};

static int plan_add(struct plan *p, const char *name, const char *path, struct pw_err *err)
{
    p->v = pw_xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
    struct entry *e = &p->v[p->n++];
    memset(e, 0, sizeof(*e));
    e->name = pw_xstrdup(name);
    e->path = pw_xstrdup(path);
    return hash_file(path, e->sha256, &e->size, err);
}

static void plan_release(struct plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].name);
        free(p->v[i].path);
    }
    free(p->v);
    pw_buf_release(&p->manifest);
    pw_buf_release(&p->signature);
}

/* The repository's public key: REPO/NAME-archive-keyring.gpg (one of them). */
static char *find_key(const char *root, const struct pw_strvec *names)
{
    for (size_t i = 0; i < names->n; i++) {
        const char *n = names->v[i];
        size_t len = strlen(n), k = strlen("-archive-keyring.gpg");
        if (!strchr(n, '/') && len > k && !strcmp(n + len - k, "-archive-keyring.gpg")) {
            struct pw_buf b = PW_BUF_INIT;
            pw_buf_addf(&b, "%s/%s", root, n);
            return pw_buf_detach(&b, NULL);
        }
    }
    return NULL;
}

/* The fingerprint of the (first) key in a keyring file, for signing with it. */
static int key_fingerprint(const char *keyfile, struct pw_buf *fpr, struct pw_err *err)
{
    char *argv[] = {"gpg",         "--batch",       "--no-tty", "--with-colons",
                    "--show-keys", (char *)keyfile, NULL};
    struct pw_buf out = PW_BUF_INIT, gerr = PW_BUF_INIT;
    int status = pw_run(argv, NULL, 0, &out, &gerr, err);
    int rc = status < 0 ? status : 0;
    const char *p = strstr(out.buf, "\nfpr:");
    if (rc == 0 && (status != 0 || !p))
        rc = pw_err_set(err, PW_E_SIGNATURE, "cannot read the key in '%s'", keyfile);
    if (rc == 0) {
        p += 5;
        for (int colons = 0; *p && colons < 8; p++)
            colons += *p == ':';
        pw_buf_reset(fpr);
        pw_buf_add(fpr, p, strcspn(p, ":\n"));
    }
    pw_buf_release(&out);
    pw_buf_release(&gerr);
    return rc;
}

static int sign_manifest(const struct pw_bundle_opts *o, struct plan *p, const char *keyfile,
                         struct pw_bundle_info *info, struct pw_err *err)
{
    struct pw_buf fpr = PW_BUF_INIT;
    int rc = 0;
    if (o->sign_key)
        pw_buf_adds(&fpr, o->sign_key);
    else if (keyfile)
        rc = key_fingerprint(keyfile, &fpr, err);
    if (rc == 0 && fpr.len) {
        struct pw_gpg_opts go = {fpr.buf};
        rc = pw_gpg_sign(&go, PW_GPG_DETACHED_ARMOR, p->manifest.buf, p->manifest.len,
                         &p->signature, err);
        if (rc == 0) {
            info->signed_manifest = 1;
            snprintf(info->signer, sizeof(info->signer), "%s", fpr.buf);
        }
    }
    pw_buf_release(&fpr);
    return rc < 0 ? pw_err_prefix(err, "signing the bundle manifest: ") : 0;
}

static int make_plan(const struct pw_bundle_opts *o, const char *root, struct plan *p,
                     struct pw_bundle_info *info, struct pw_err *err)
{
    struct pw_strvec names = PW_STRVEC_INIT;
    struct pw_buf name = PW_BUF_INIT, path = PW_BUF_INIT;
    int rc = pw_bundle_collect(root, &names, err);
    char *keyfile = rc == 0 ? find_key(root, &names) : NULL;
    if (rc == 0 && keyfile)
        rc = plan_add(p, PW_BUNDLE_KEY, keyfile, err);
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        pw_buf_reset(&name);
        pw_buf_reset(&path);
        pw_buf_addf(&name, "%s%s", PW_BUNDLE_REPO_PREFIX, names.v[i]);
        pw_buf_addf(&path, "%s/%s", root, names.v[i]);
        rc = plan_add(p, name.buf, path.buf, err);
        info->files++;
        info->bytes += p->v[p->n - 1].size;
    }
    if (rc == 0) {
        pw_buf_adds(&p->manifest, PW_BUNDLE_MAGIC "\n");
        for (size_t i = 0; i < p->n; i++)
            pw_buf_addf(&p->manifest, "%s %llu %s\n", p->v[i].sha256,
                        (unsigned long long)p->v[i].size, p->v[i].name);
        rc = sign_manifest(o, p, keyfile, info, err);
    }
    free(keyfile);
    pw_strvec_release(&names);
    pw_buf_release(&name);
    pw_buf_release(&path);
    return rc;
}

/* ---- writing the tar.zst ---- */

static struct archive_entry *member(const char *name, uint64_t size, int64_t mtime)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)size);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, (time_t)mtime, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_set_uname(e, "root");
    archive_entry_set_gname(e, "root");
    return e;
}

static int write_buffer(struct archive *a, const char *name, const struct pw_buf *b, int64_t mtime,
                        struct pw_err *err)
{
    struct archive_entry *e = member(name, b->len, mtime);
    int ok = archive_write_header(a, e) == ARCHIVE_OK &&
             archive_write_data(a, b->buf, b->len) == (la_ssize_t)b->len;
    archive_entry_free(e);
    return ok ? 0 : pw_err_set(err, PW_E_IO, "writing '%s': %s", name, archive_error_string(a));
}

/* Copies one file into the archive, hashing it again: a file that changed since the manifest
 * was made would make a bundle that fails its own check. */
static int write_file(struct archive *a, const struct entry *en, int64_t mtime, struct pw_err *err)
{
    int fd = open(en->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", en->path);
    struct archive_entry *e = member(en->name, en->size, mtime);
    int rc = archive_write_header(a, e) == ARCHIVE_OK
                 ? 0
                 : pw_err_set(err, PW_E_IO, "writing '%s': %s", en->name, archive_error_string(a));
    archive_entry_free(e);
    struct pw_hash h;
    pw_hash_init(&h, PW_HASH_SHA256);
    uint64_t total = 0;
    char buf[65536];
    ssize_t n;
    while (rc == 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
        pw_hash_update(&h, buf, (size_t)n);
        total += (uint64_t)n;
        if (total > en->size || archive_write_data(a, buf, (size_t)n) != n)
            rc = pw_err_set(err, PW_E_IO, "writing '%s' failed or it grew", en->name);
    }
    unsigned char md[32];
    char hex[65];
    pw_hash_final(&h, md);
    pw_hex(md, 32, hex);
    if (rc == 0 && (total != en->size || strcmp(hex, en->sha256)))
        rc = pw_err_set(err, PW_E_FAIL, "'%s' changed while it was bundled", en->path);
    close(fd);
    return rc;
}

static int write_archive(int fd, const struct plan *p, int64_t mtime, struct pw_err *err)
{
    if (pw_archive_dl_load(err) < 0)
        return -PW_E_FAIL;
    struct archive *a = archive_write_new();
    int rc = 0;
    if (archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
        archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_open_fd(a, fd) != ARCHIVE_OK)
        rc = pw_err_set(err, PW_E_IO, "cannot start the bundle: %s", archive_error_string(a));
    if (rc == 0)
        rc = write_buffer(a, PW_BUNDLE_MANIFEST, &p->manifest, mtime, err);
    if (rc == 0 && p->signature.len)
        rc = write_buffer(a, PW_BUNDLE_SIGNATURE, &p->signature, mtime, err);
    for (size_t i = 0; rc == 0 && i < p->n; i++)
        rc = write_file(a, &p->v[i], mtime, err);
    if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
        rc = pw_err_set(err, PW_E_IO, "cannot finish the bundle: %s", archive_error_string(a));
    archive_write_free(a);
    return rc;
}

/* The publish lock of a packwright repository (REPO/.packwright/lock, see repo_gen.c), held
 * shared while the bundle is made so that no publisher switches generations or collects pool
 * files under it. -1 for a tree without one. */
static int read_lock(const char *root)
{
    struct pw_buf path = PW_BUF_INIT;
    pw_buf_addf(&path, "%s/.packwright/lock", root);
    int fd = open(path.buf, O_RDONLY | O_CLOEXEC);
    pw_buf_release(&path);
    while (fd >= 0 && flock(fd, LOCK_SH) < 0 && errno == EINTR)
        ;
    return fd;
}

int pw_bundle_create(const struct pw_bundle_opts *o, struct pw_bundle_info *info,
                     struct pw_err *err)
{
    memset(info, 0, sizeof(*info));
    char *root = realpath(o->repo, NULL);
    if (!root)
        return pw_err_errno(err, PW_E_FAIL, errno, "cannot open repository '%s'", o->repo);
    struct plan p;
    memset(&p, 0, sizeof(p));
    int lock = read_lock(root);
    int rc = make_plan(o, root, &p, info, err);
    struct pw_atomic_file af = PW_ATOMIC_FILE_INIT;
    if (rc == 0)
        rc = pw_atomic_open(&af, o->bundle, 0644, err);
    int64_t mtime = o->ctx ? o->ctx->source_date_epoch : 0;
    if (rc == 0)
        rc = write_archive(af.fd, &p, mtime, err);
    if (rc == 0)
        rc = pw_atomic_commit(&af, err);
    pw_atomic_abort(&af);
    plan_release(&p);
    free(root);
    if (lock >= 0)
        close(lock);
    return rc < 0 ? pw_err_prefix(err, "bundling '%s': ", o->repo) : 0;
}
