/* `repo add | remove | check`: opening a repository (settings, lock, live generations),
 * publishing the next generation of each changed family, and the client files. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/fs.h"
#include "compress.h"
#include "pkgread.h"
#include "repo_gen.h"
#include "repo_int.h"

#define NFAMS 2

static const struct pw_repo_family *const families[NFAMS] = {&pw_repo_family_apt,
                                                             &pw_repo_family_rpmmd};

void pw_repo_opts_init(struct pw_repo_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->suite = PW_REPO_DEFAULT_SUITE;
    o->component = PW_REPO_DEFAULT_COMPONENT;
    o->now = (int64_t)time(NULL);
    o->grace = PW_REPO_DEFAULT_GRACE;
    o->lock_timeout = PW_REPO_DEFAULT_LOCK_TIMEOUT;
    o->rpm_compression = -1;
    o->changelog_limit = 10;
}

/* ---- settings (REPO/.packwright/config: key=value lines) ------------------------------- */

static char *config_get(const struct pw_buf *cfg, const char *key)
{
    size_t kl = strlen(key);
    for (const char *line = cfg->buf; *line;) {
        size_t n = strcspn(line, "\n");
        if (n > kl && !strncmp(line, key, kl) && line[kl] == '=')
            return pw_xstrndup(line + kl + 1, n - kl - 1);
        line += n + (line[n] == '\n');
    }
    return NULL;
}

static int load_config(struct pw_repo *r, struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT, cfg = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/config", r->state);
    int rc = 0;
    if (pw_fs_exists(p.buf))
        rc = pw_fs_read_file(p.buf, &cfg, err);
    if (rc == 0) {
        r->name = config_get(&cfg, "name");
        r->url = config_get(&cfg, "url");
        r->sign_key = config_get(&cfg, "sign-key");
        char *comp = config_get(&cfg, "rpm-compression");
        r->rpm_compression = comp && !strcmp(comp, "zstd") ? PW_COMPRESS_ZSTD : PW_COMPRESS_GZIP;
        free(comp);
    }
    pw_buf_release(&p);
    pw_buf_release(&cfg);
    return rc;
}

static int save_config(const struct pw_repo *r, struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT, cfg = PW_BUF_INIT;
    pw_buf_addf(&cfg, "name=%s\n", r->name);
    if (r->url)
        pw_buf_addf(&cfg, "url=%s\n", r->url);
    if (r->sign_key)
        pw_buf_addf(&cfg, "sign-key=%s\n", r->sign_key);
    pw_buf_addf(&cfg, "rpm-compression=%s\n",
                r->rpm_compression == PW_COMPRESS_ZSTD ? "zstd" : "gzip");
    pw_buf_addf(&p, "%s/config", r->state);
    struct pw_atomic_file af = PW_ATOMIC_FILE_INIT;
    int rc = pw_atomic_open(&af, p.buf, 0644, err);
    if (rc == 0 && pw_fs_write_all(af.fd, cfg.buf, cfg.len) < 0) {
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", p.buf);
        pw_atomic_abort(&af);
    } else if (rc == 0) {
        rc = pw_atomic_commit(&af, err);
    }
    pw_buf_release(&p);
    pw_buf_release(&cfg);
    return rc;
}

static void replace_str(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? pw_xstrdup(src) : NULL;
}

/* Options override stored settings, except the name: Origin and Label come from it, and apt
 * stops updating a source whose Origin or Label changed. Returns 1 when the key changed. */
static int merge_settings(struct pw_repo *r, struct pw_err *err)
{
    const struct pw_repo_opts *o = r->o;
    if (o->name && r->name && strcmp(o->name, r->name))
        return pw_err_set(err, PW_E_USAGE,
                          "repository '%s' is named '%s': its Origin and Label cannot change "
                          "(apt clients would refuse the update)",
                          r->root, r->name);
    if (!r->name)
        r->name = pw_xstrdup(o->name ? o->name : PW_REPO_DEFAULT_NAME);
    if (!pw_repo_safe_name(r->name, "+-._"))
        return pw_err_set(err, PW_E_USAGE, "invalid repository name '%s'", r->name);
    if (o->url)
        replace_str(&r->url, o->url);
    if (o->rpm_compression >= 0)
        r->rpm_compression = o->rpm_compression;
    int key_changed = o->sign_key && (!r->sign_key || strcmp(o->sign_key, r->sign_key));
    if (o->sign_key)
        replace_str(&r->sign_key, o->sign_key);
    return key_changed;
}

/* ---- opening ---------------------------------------------------------------------------- */

static void repo_close(struct pw_repo *r)
{
    for (int i = 0; i < NFAMS; i++) {
        free(r->fams[i].dir);
        pw_repo_db_release(&r->fams[i].db);
        pw_repo_db_release(&r->fams[i].trusted);
    }
    if (r->keyring)
        unlink(r->keyring);
    pw_repo_unlock(r);
    free(r->root);
    free(r->state);
    free(r->tmp);
    free(r->name);
    free(r->url);
    free(r->sign_key);
    free(r->keyring);
    for (size_t i = 0; i < r->ntaken; i++) {
        free(r->taken[i].file);
        free(r->taken[i].placed);
    }
    free(r->taken);
}

static int resolve_root(struct pw_repo *r, const char *path, int create, struct pw_err *err)
{
    if (create && !pw_fs_exists(path)) {
        int rc = pw_fs_mkdir_p(path, 0755, err);
        if (rc < 0)
            return rc;
    }
    char *abs = realpath(path, NULL);
    if (!abs)
        return pw_err_errno(err, create ? PW_E_IO : PW_E_FAIL, errno, "cannot open repository '%s'",
                            path);
    r->root = abs;
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/.packwright", abs);
    r->state = pw_buf_detach(&p, NULL);
    pw_buf_addf(&p, "%s/.packwright/tmp", abs);
    r->tmp = pw_buf_detach(&p, NULL);
    return 0;
}

static int open_families(struct pw_repo *r, struct pw_err *err)
{
    for (int i = 0; i < NFAMS; i++) {
        struct pw_repo_state *s = &r->fams[i];
        s->fam = families[i];
        struct pw_buf p = PW_BUF_INIT;
        pw_buf_addf(&p, "%s/%s", r->root, s->fam->name);
        s->dir = pw_buf_detach(&p, NULL);
        int rc = pw_repo_gen_live(s, &s->live, err);
        if (rc == 0)
            rc = pw_repo_gen_clean_stale(s, err);
        if (rc == 0)
            rc = pw_repo_gen_load(s, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Publishing opens: the repository directory (created), the exclusive lock, the settings and
 * the live generations. Leftovers of a killed publisher are cleared under the lock. */
static void repo_init(struct pw_repo *r, const struct pw_repo_opts *o)
{
    memset(r, 0, sizeof(*r));
    r->o = o;
    r->lock_fd = -1;
    r->clock = (int64_t)time(NULL);
}

/* r comes from repo_init; repo_close releases it whatever happened. */
static int repo_open(struct pw_repo *r, const struct pw_repo_opts *o, int create,
                     int *key_changed, struct pw_err *err)
{
    int rc = resolve_root(r, o->path, create, err);
    if (rc == 0 && !create && !pw_fs_exists(r->state))
        rc = pw_err_set(err, PW_E_FAIL, "'%s' is not a packwright repository", o->path);
    if (rc == 0)
        rc = pw_fs_mkdir_p(r->tmp, 0755, err);
    if (rc == 0)
        rc = pw_repo_lock(r, 0, err);
    if (rc == 0)
        rc = pw_fs_remove_tree(r->tmp, err);
    if (rc == 0)
        rc = pw_fs_mkdir_p(r->tmp, 0700, err);
    if (rc == 0)
        rc = load_config(r, err);
    if (rc == 0) {
        rc = merge_settings(r, err);
        if (rc > 0)
            *key_changed = 1;
    }
    if (rc >= 0)
        rc = open_families(r, err);
    return rc < 0 ? rc : 0;
}

/* ---- client files ----------------------------------------------------------------------- */

static int write_atomic(const char *path, const void *data, size_t len, struct pw_err *err)
{
    struct pw_atomic_file af = PW_ATOMIC_FILE_INIT;
    int rc = pw_atomic_open(&af, path, 0644, err);
    if (rc < 0)
        return rc;
    if (pw_fs_write_all(af.fd, data, len) < 0) {
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", path);
        pw_atomic_abort(&af);
        return rc;
    }
    return pw_atomic_commit(&af, err);
}

static int write_root_file(const struct pw_repo *r, const char *name, const char *suffix,
                           const struct pw_buf *data, struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/%s%s", r->root, name, suffix);
    int rc = write_atomic(p.buf, data->buf, data->len, err);
    pw_buf_release(&p);
    return rc;
}

static void base_url(const struct pw_repo *r, struct pw_buf *out)
{
    if (r->url) {
        size_t n = strlen(r->url);
        while (n > 1 && r->url[n - 1] == '/')
            n--;
        pw_buf_add(out, r->url, n);
    } else {
        /* percent-encoded: apt and dnf read these as URLs */
        pw_buf_adds(out, "file://");
        for (const unsigned char *c = (const unsigned char *)r->root; *c; c++)
            if (isalnum(*c) || strchr("/._~-", *c))
                pw_buf_addc(out, (char)*c);
            else
                pw_buf_addf(out, "%%%02X", *c);
    }
}

static void sources_stanza(const struct pw_repo *r, const struct pw_repo_rec *suite,
                           int enabled, struct pw_buf *out)
{
    if (out->len)
        pw_buf_addc(out, '\n');
    pw_buf_adds(out, "Types: deb\nURIs: ");
    base_url(r, out);
    pw_buf_addf(out, "/deb\nSuites: %s\nComponents: %s\n", pw_repo_rec_str(suite, "name"),
                pw_repo_rec_str(suite, "components"));
    if (r->sign_key)
        pw_buf_addf(out, "Signed-By: /etc/apt/keyrings/%s-archive-keyring.gpg\n", r->name);
    else
        pw_buf_adds(out, "Trusted: yes\n");
    if (!enabled)
        pw_buf_adds(out, "Enabled: no\n");
}

/* deb822 .sources: one stanza per suite, the default suite (or the first) enabled. */
static int write_sources(const struct pw_repo *r, const struct pw_repo_db *db,
                         struct pw_err *err)
{
    struct pw_buf out = PW_BUF_INIT;
    const struct pw_repo_rec *first = pw_repo_db_find(db, "suite", "name", PW_REPO_DEFAULT_SUITE);
    if (!first)
        first = pw_repo_db_find(db, "suite", "type", "suite");
    if (first)
        sources_stanza(r, first, 1, &out);
    for (size_t i = 0; i < db->n; i++)
        if (db->recs[i] != first && !strcmp(pw_repo_rec_str(db->recs[i], "type"), "suite"))
            sources_stanza(r, db->recs[i], 0, &out);
    int rc = out.len ? write_root_file(r, r->name, ".sources", &out, err) : 0;
    pw_buf_release(&out);
    return rc;
}

static int write_repo_file(const struct pw_repo *r, struct pw_err *err)
{
    struct pw_buf out = PW_BUF_INIT;
    pw_buf_addf(&out, "[%s]\nname=%s\nbaseurl=", r->name, r->name);
    base_url(r, &out);
    pw_buf_adds(&out, "/rpm\nenabled=1\n");
    if (r->sign_key) {
        pw_buf_adds(&out, "gpgcheck=1\nrepo_gpgcheck=1\ngpgkey=");
        base_url(r, &out);
        pw_buf_addf(&out, "/%s-archive-keyring.asc\n", r->name);
    } else {
        pw_buf_adds(&out, "gpgcheck=0\nrepo_gpgcheck=0\n");
    }
    int rc = write_root_file(r, r->name, ".repo", &out, err);
    pw_buf_release(&out);
    return rc;
}

/* The public key in both forms apt reads (binary and armored; never a keybox). */
static int write_keys(struct pw_repo *r, struct pw_err *err)
{
    struct pw_buf key = PW_BUF_INIT;
    int rc = pw_gpg_export(r->sign_key, 0, &key, err);
    if (rc == 0)
        rc = write_root_file(r, r->name, "-archive-keyring.gpg", &key, err);
    if (rc == 0) {
        struct pw_buf p = PW_BUF_INIT;
        pw_buf_addf(&p, "%s/keyring.gpg", r->tmp);
        rc = pw_repo_write(p.buf, key.buf, key.len, err);
        r->keyring = pw_buf_detach(&p, NULL);
    }
    if (rc == 0)
        rc = pw_gpg_export(r->sign_key, 1, &key, err);
    if (rc == 0)
        rc = write_root_file(r, r->name, "-archive-keyring.asc", &key, err);
    pw_buf_release(&key);
    return rc < 0 ? pw_err_prefix(err, "exporting the repository key: ") : 0;
}

static int has_packages(const struct pw_repo_state *s)
{
    return s->live || s->db.n;
}

static int write_client_files(const struct pw_repo *r, struct pw_err *err)
{
    int rc = save_config(r, err);
    if (rc == 0 && has_packages(&r->fams[0]))
        rc = write_sources(r, &r->fams[0].db, err);
    if (rc == 0 && has_packages(&r->fams[1]))
        rc = write_repo_file(r, err);
    return rc;
}

/* ---- publishing ------------------------------------------------------------------------- */

/* Writes generation id of one family beside the live one and checks it as a client would. */
struct state_writer {
    const struct pw_repo_state *s;
    long id;
    int rc;
    struct pw_err err;
};

static void *write_state_thread(void *arg)
{
    struct state_writer *w = arg;
    w->rc = pw_repo_gen_write_state(w->s, w->id, &w->err);
    return NULL;
}

/* The generation's own index is written while its metadata is carried and checked: both only
 * read the records, and the check never looks at the index. */
static int stage_checked(struct pw_repo *r, struct pw_repo_state *s, long id, const char *entry,
                         const char *prev, struct pw_err *err)
{
    struct state_writer w = {s, id, 0, {0}};
    pw_err_init(&w.err);
    pthread_t tid;
    int threaded = pthread_create(&tid, NULL, write_state_thread, &w) == 0;
    if (!threaded)
        write_state_thread(&w);
    int rc = pw_repo_gen_carry(r, s, entry, err);
    if (rc == 0)
        pw_repo_gen_advance_mtimes(entry, prev);
    if (rc == 0) {
        /* package files were hashed as they were copied in (new ones) or when an earlier
         * publish did (the rest): the index is trusted for them while size and mtime agree;
         * repo check hashes everything */
        struct pw_repo_verify v = {.root = s->dir, .keyring = r->keyring, .now = r->clock,
                                   .trusted = &s->db, .staged = &s->db};
        rc = s->fam->verify(&v, entry, err);
        pw_repo_map_release(&v.checked);
        if (rc < 0)
            pw_err_prefix(err, "the new %s metadata failed its client check: ", s->fam->name);
    }
    if (threaded)
        pthread_join(tid, NULL);
    if (rc == 0 && w.rc < 0) {
        *err = w.err;
        rc = w.rc;
    }
    return rc;
}

static int stage(struct pw_repo *r, struct pw_repo_state *s, long id, struct pw_err *err)
{
    struct pw_buf entry = PW_BUF_INIT, prev = PW_BUF_INIT;
    pw_repo_gen_entry(s, id, &entry);
    if (s->live)
        pw_repo_gen_entry(s, s->live, &prev);
    int rc = pw_fs_mkdir_p(entry.buf, 0755, err);
    if (rc == 0)
        rc = s->fam->render(r, s, entry.buf, s->live ? prev.buf : NULL, err);
    if (rc == 0)
        rc = stage_checked(r, s, id, entry.buf, s->live ? prev.buf : NULL, err);
    pw_buf_release(&entry);
    pw_buf_release(&prev);
    return rc;
}

/* Makes the staged files durable before any public name points at them. */
static void sync_repo(const struct pw_repo *r)
{
    int fd = open(r->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        syncfs(fd);
        close(fd);
    }
}

static int publish(struct pw_repo *r, struct pw_err *err)
{
    long ids[NFAMS] = {0};
    int rc = r->sign_key ? write_keys(r, err) : 0;
    for (int i = 0; i < NFAMS && rc == 0; i++)
        if (r->fams[i].changed) {
            ids[i] = pw_repo_gen_next(&r->fams[i]);
            rc = stage(r, &r->fams[i], ids[i], err);
        }
    if (rc == 0)
        rc = write_client_files(r, err);
    if (rc < 0)
        return rc;
    sync_repo(r);
    for (int i = 0; i < NFAMS && rc == 0; i++)
        if (ids[i]) {
            rc = pw_repo_gen_switch(r, &r->fams[i], ids[i], err);
            if (rc == 0)
                pw_repo_note(r, "published %s generation %ld", r->fams[i].fam->name, ids[i]);
        }
    for (int i = 0; i < NFAMS && rc == 0; i++)
        rc = pw_repo_gen_collect(r, &r->fams[i], err);
    return rc;
}

static int check_scope(const struct pw_repo_opts *o, struct pw_err *err)
{
    if (o->suite && !pw_repo_safe_name(o->suite, "+-._/"))
        return pw_err_set(err, PW_E_USAGE, "invalid suite '%s'", o->suite);
    if (o->component && !pw_repo_safe_name(o->component, "+-._/"))
        return pw_err_set(err, PW_E_USAGE, "invalid component '%s'", o->component);
    for (size_t i = 0; i < o->narchs; i++)
        if (!pw_repo_safe_name(o->archs[i], "-") || !strcmp(o->archs[i], "all"))
            return pw_err_set(err, PW_E_USAGE, "invalid architecture '%s'", o->archs[i]);
    return 0;
}

static const struct pw_repo_family *probe_head(const unsigned char *head, size_t n)
{
    n = n > 64 ? 64 : n;
    for (int i = 0; i < NFAMS && n > 0; i++)
        if (families[i]->probe(head, n))
            return families[i];
    return NULL;
}

static int not_a_package(const char *file, struct pw_err *err)
{
    return pw_err_set(err, PW_E_FORMAT, "'%s' is neither a .deb nor an .rpm package", file);
}

static const struct pw_repo_family *probe(const char *file, struct pw_err *err)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", file);
        return NULL;
    }
    unsigned char head[64];
    ssize_t n = read(fd, head, sizeof(head));
    close(fd);
    const struct pw_repo_family *fam = probe_head(head, n > 0 ? (size_t)n : 0);
    if (!fam)
        not_a_package(file, err);
    return fam;
}

static int family_index(const struct pw_repo_family *fam)
{
    return fam == families[0] ? 0 : 1;
}

/* ---- adding: packages are probed, copied, read and rendered by worker threads, then
 * committed in the order given ----------------------------------------------------------- */

/* What a worker keeps from package to package: its read buffer, the last directory it
 * resolved and the last pool directory it created. */
struct prepare_worker {
    struct pw_repo_ingest in;
    char *dir, *real_dir;
    char *made;
};

static void worker_release(struct prepare_worker *w)
{
    pw_repo_ingest_release(&w->in);
    free(w->dir);
    free(w->real_dir);
    free(w->made);
}

/* file's resolved path. Files come in runs from one directory: the directory is resolved
 * once per run, and only a file that is itself a symbolic link is resolved whole. */
static char *resolve(struct prepare_worker *w, const char *file, int is_link)
{
    if (is_link)
        return realpath(file, NULL);
    const char *slash = strrchr(file, '/');
    char *dir =
        !slash ? pw_xstrdup(".") : pw_xstrndup(file, slash == file ? 1 : (size_t)(slash - file));
    if (w->dir && !strcmp(w->dir, dir)) {
        free(dir);
    } else {
        free(w->dir);
        free(w->real_dir);
        w->dir = dir;
        w->real_dir = realpath(dir, NULL);
    }
    if (!w->real_dir)
        return NULL;
    size_t n = strlen(w->real_dir);
    struct pw_buf b = PW_BUF_INIT;
    pw_buf_addf(&b, "%s%s%s", w->real_dir, n && w->real_dir[n - 1] == '/' ? "" : "/",
                slash ? slash + 1 : file);
    return pw_buf_detach(&b, NULL);
}

/* A file already under the family's pool directory (placed there by other means) is indexed
 * where it lies; its resolved path, else NULL. */
static char *in_pool(const struct pw_repo *r, struct prepare_worker *w,
                     const struct pw_repo_pending *p, int is_link)
{
    char *real = resolve(w, p->file, is_link);
    struct pw_buf prefix = PW_BUF_INIT;
    pw_buf_addf(&prefix, "%s/%s/%s/", r->root, p->fam->name, p->fam->pool);
    if (real && strncmp(real, prefix.buf, prefix.len)) {
        free(real);
        real = NULL;
    }
    pw_buf_release(&prefix);
    return real;
}

/* The package's pool directory, created ahead of the (serial) commit; commit creates it
 * itself when this did not work. */
static void make_pool_dir(const struct pw_repo *r, struct prepare_worker *w,
                          const struct pw_repo_pending *p)
{
    struct pw_buf abs = PW_BUF_INIT;
    pw_buf_addf(&abs, "%s/%s", r->fams[family_index(p->fam)].dir, pw_repo_rec_str(p->rec, "path"));
    char *slash = strrchr(abs.buf, '/');
    *slash = '\0';
    if (!w->made || strcmp(w->made, abs.buf)) {
        struct pw_err ignored;
        *slash = '/';
        if (pw_repo_mkdirs_for(abs.buf, &ignored) == 0) {
            *slash = '\0';
            free(w->made);
            w->made = pw_xstrdup(abs.buf);
        }
    }
    pw_buf_release(&abs);
}

/* Lets the family read the package from the bytes just hashed (the rest, if any, from the
 * copy). */
static int read_package(const struct pw_repo *r, struct prepare_worker *w,
                        struct pw_repo_pending *p, const struct pw_repo_sums *sums,
                        const struct stat *st, struct pw_err *err)
{
    struct pw_pkgbytes bytes = {p->path, w->in.buf, w->in.head_len, sums->size};
    p->bytes = &bytes;
    int rc = p->fam->read(r, p, sums, st, err);
    p->bytes = NULL;
    if (rc < 0)
        return pw_err_prefix(err, "reading '%s': ", p->file);
    make_pool_dir(r, w, p);
    return 0;
}

/* --move: notes which name to remove once published (the name itself, even when it is a
 * symbolic link), then takes the file as the pool copy where it can: 1 taken, 0 copy it. */
static int take_input(const struct pw_repo *r, struct prepare_worker *w, struct pw_repo_pending *p,
                      int is_link, struct pw_buf *tmp, struct pw_repo_sums *sums, struct stat *st,
                      struct pw_err *err)
{
    struct stat own = w->in.st; /* opened without following: the name's own file */
    if (is_link && lstat(p->file, &own) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", p->file);
    p->taken = 1;
    p->dev = own.st_dev;
    p->ino = own.st_ino;
    int rc =
        is_link ? 0 : pw_repo_ingest_take(r, &w->in, p->file, p->fam->sums, tmp, sums, st, err);
    p->linked = rc > 0;
    return rc;
}

/* Opens the package once: probes it, copies it into r->tmp while hashing it (or hashes it in
 * the pool), then lets its family read it. A probe failure leaves p->fam NULL. */
static int prepare_one(const struct pw_repo *r, struct prepare_worker *w, struct pw_repo_pending *p,
                       struct pw_err *err)
{
    int is_link;
    int rc = pw_repo_ingest_open(&w->in, p->file, &is_link, err);
    if (rc < 0)
        return rc;
    p->fam = probe_head(w->in.buf, w->in.head_len);
    if (!p->fam) {
        pw_repo_ingest_close(&w->in);
        return not_a_package(p->file, err);
    }
    struct pw_buf tmp = PW_BUF_INIT;
    struct pw_repo_sums sums;
    struct stat st;
    p->inplace = w->in.regular ? in_pool(r, w, p, is_link) : NULL;
    if (p->inplace) {
        rc = pw_repo_ingest_hash(&w->in, p->inplace, p->fam->sums, &sums, &st, err);
        p->path = p->inplace;
    } else {
        rc = r->o->move ? take_input(r, w, p, is_link, &tmp, &sums, &st, err) : 0;
        if (rc == 0)
            rc = pw_repo_ingest_copy(r, &w->in, p->file, p->fam->sums, &tmp, &sums, &st, err);
        if (rc >= 0) {
            p->path = p->tmp = pw_buf_detach(&tmp, NULL);
            rc = 0;
        }
    }
    pw_repo_ingest_close(&w->in);
    pw_buf_release(&tmp);
    return rc < 0 ? rc : read_package(r, w, p, &sums, &st, err);
}

/* Directories the adding works in, opened once (-1 where that failed: full paths then). */
struct add_dirs {
    int tmp;
    int fam[NFAMS];
    int tried[NFAMS];
};

static int fam_dir_fd(struct add_dirs *d, const struct pw_repo_state *s, int f)
{
    if (!d->tried[f]) { /* opened late: the workers have created it by now */
        d->tried[f] = 1;
        d->fam[f] = open(s->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    return d->fam[f];
}

/* Write-once checks, then the pool, then the index. */
static int commit_one(struct pw_repo *r, struct add_dirs *d, struct pw_repo_pending *p,
                      struct pw_err *err)
{
    int f = family_index(p->fam);
    struct pw_repo_state *s = &r->fams[f];
    int rc = pw_repo_check_identity(s, p, err);
    if (rc == 0)
        rc = pw_repo_pool_commit(s, p, d->tmp, fam_dir_fd(d, s, f), err);
    char *placed = NULL;
    if (rc > 0) { /* the copy is in the pool now */
        if (p->linked) {
            struct pw_buf abs = PW_BUF_INIT;
            pw_buf_addf(&abs, "%s/%s", s->dir, pw_repo_rec_str(p->rec, "path"));
            placed = pw_buf_detach(&abs, NULL);
        }
        free(p->tmp);
        p->tmp = NULL;
        p->path = NULL;
        rc = 0;
    }
    if (rc == 0)
        p->fam->record(r, s, p);
    if (rc == 0 && p->taken) {
        r->taken = pw_xrealloc(r->taken, (r->ntaken + 1) * sizeof(*r->taken));
        r->taken[r->ntaken++] = (struct pw_repo_taken){pw_xstrdup(p->file), placed, p->dev, p->ino};
    } else {
        free(placed);
    }
    return rc;
}

/* --move, when the publish failed: the inputs stay, and a pool name given to an input itself
 * is taken back, so the pool never shares a file with a name outside the repository. */
static void unplace_taken(const struct pw_repo *r)
{
    for (size_t i = 0; i < r->ntaken; i++) {
        const struct pw_repo_taken *t = &r->taken[i];
        struct stat st;
        if (t->placed && lstat(t->placed, &st) == 0 && st.st_dev == t->dev &&
            st.st_ino == t->ino)
            unlink(t->placed);
    }
}

/* --move, once the packages are published: each input leaves the place it was named at,
 * unless that name has been given to another file meanwhile. */
static void remove_taken(const struct pw_repo *r)
{
    for (size_t i = 0; i < r->ntaken; i++) {
        const struct pw_repo_taken *t = &r->taken[i];
        struct stat st;
        if (lstat(t->file, &st) < 0) {
            if (errno != ENOENT) /* ENOENT: named twice, removed already */
                pw_ctx_warn(r->o->ctx, "cannot remove '%s' after publishing it: %s", t->file,
                            strerror(errno));
        } else if (st.st_dev != t->dev || st.st_ino != t->ino)
            pw_ctx_warn(r->o->ctx, "'%s' was replaced while it was being published; left as it is",
                        t->file);
        else if (unlink(t->file) < 0)
            pw_ctx_warn(r->o->ctx, "cannot remove '%s' after publishing it: %s", t->file,
                        strerror(errno));
    }
}

/* The packages are prepared by worker threads and committed, in order, by the calling thread
 * as soon as each is ready (it prepares packages too while the next in order is not ready):
 * the serial commits overlap the reading. */
struct prepare_pool {
    const struct pw_repo *r;
    struct pw_repo_pending *p;
    size_t n;
    int tmp_fd;
    int fix_mode;
    atomic_size_t next;
    atomic_uchar *ready; /* per package: prepared */
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* Prepares the next unclaimed package; 0 when none is left. */
static int prepare_next(struct prepare_pool *pool, struct prepare_worker *w)
{
    size_t i = atomic_fetch_add(&pool->next, 1);
    if (i >= pool->n)
        return 0;
    struct pw_repo_pending *p = &pool->p[i];
    pw_err_init(&p->err);
    p->rc = prepare_one(pool->r, w, p, &p->err);
    pthread_mutex_lock(&pool->mu);
    atomic_store(&pool->ready[i], 1);
    pthread_cond_broadcast(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
    return 1;
}

static void *prepare_worker(void *arg)
{
    struct prepare_pool *pool = arg;
    struct prepare_worker w = {0};
    pw_repo_ingest_init(&w.in, pool->tmp_fd, pool->fix_mode);
    while (prepare_next(pool, &w))
        ;
    worker_release(&w);
    return NULL;
}

static size_t worker_count(const struct pw_repo_opts *o, size_t nfiles)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = o->ctx && o->ctx->threads > 0 ? (size_t)o->ctx->threads
                                              : (size_t)(cpus > 4 ? 4 : cpus > 0 ? cpus : 1);
    return n > nfiles ? nfiles : n;
}

/* Commits the packages in order as they become ready, up to the first that failed (its
 * rc and err then say why; none is committed after it). */
static void commit_in_order(struct pw_repo *r, struct add_dirs *d, struct prepare_pool *pool)
{
    struct prepare_worker w = {0};
    pw_repo_ingest_init(&w.in, pool->tmp_fd, pool->fix_mode);
    int stopped = 0;
    for (size_t c = 0; c < pool->n;) {
        if (!atomic_load(&pool->ready[c])) {
            if (prepare_next(pool, &w))
                continue;
            pthread_mutex_lock(&pool->mu);
            while (!atomic_load(&pool->ready[c]))
                pthread_cond_wait(&pool->cv, &pool->mu);
            pthread_mutex_unlock(&pool->mu);
        }
        struct pw_repo_pending *p = &pool->p[c++];
        if (stopped || p->rc < 0)
            stopped = 1;
        else
            stopped = (p->rc = commit_one(r, d, p, &p->err)) < 0;
    }
    worker_release(&w);
}

static void prepare_and_commit(struct pw_repo *r, struct pw_repo_pending *p, size_t n,
                               struct add_dirs *d)
{
    mode_t mask = umask(022); /* read back at once: copies are made 0644 */
    umask(mask);
    struct prepare_pool pool = {.r = r, .p = p, .n = n, .tmp_fd = d->tmp,
                                .fix_mode = (mask & 0644) != 0};
    atomic_init(&pool.next, 0);
    pool.ready = pw_xcalloc(n ? n : 1, sizeof(*pool.ready));
    pthread_mutex_init(&pool.mu, NULL);
    pthread_cond_init(&pool.cv, NULL);
    size_t workers = worker_count(r->o, n);
    pthread_t tids[16];
    size_t started = 0;
    for (; started + 1 < workers && started < 16; started++)
        if (pthread_create(&tids[started], NULL, prepare_worker, &pool) != 0)
            break;
    commit_in_order(r, d, &pool); /* this thread prepares too */
    for (size_t i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    pthread_cond_destroy(&pool.cv);
    pthread_mutex_destroy(&pool.mu);
    free(pool.ready);
}

static void release_pending(struct pw_repo_pending *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i].tmp)
            unlink(p[i].tmp);
        free(p[i].tmp);
        free(p[i].inplace);
        pw_repo_rec_free(p[i].rec);
    }
    free(p);
}

/* Errors are reported as a serial run would meet them: any file that is no package first,
 * then the first that failed to read or commit (packages before it may be in the pool, never
 * in an index: the garbage collection takes them). */
static int add_files(struct pw_repo *r, char *const *files, size_t nfiles, struct pw_err *err)
{
    struct pw_repo_pending *p = pw_xcalloc(nfiles ? nfiles : 1, sizeof(*p));
    struct add_dirs d = {open(r->tmp, O_PATH | O_DIRECTORY | O_CLOEXEC), {-1, -1}, {0, 0}};
    int rc = 0;
    for (size_t i = 0; i < nfiles; i++)
        p[i].file = files[i];
    prepare_and_commit(r, p, nfiles, &d);
    for (size_t i = 0; i < nfiles && rc == 0; i++)
        if (!p[i].fam) {
            *err = p[i].err;
            rc = p[i].rc;
        }
    for (size_t i = 0; i < nfiles && rc == 0; i++)
        if (p[i].rc < 0) {
            *err = p[i].err;
            rc = p[i].rc;
        }
    release_pending(p, nfiles);
    for (int i = 0; i < NFAMS; i++)
        if (d.fam[i] >= 0)
            close(d.fam[i]);
    if (d.tmp >= 0)
        close(d.tmp);
    return rc;
}

int pw_repo_add(const struct pw_repo_opts *o, char *const *files, size_t nfiles,
                struct pw_err *err)
{
    struct pw_repo r;
    int key_changed = 0;
    repo_init(&r, o);
    int rc = check_scope(o, err);
    if (rc == 0)
        rc = repo_open(&r, o, 1, &key_changed, err);
    if (rc == 0)
        rc = add_files(&r, files, nfiles, err);
    int any = 0;
    for (int i = 0; i < NFAMS && rc == 0; i++) {
        if ((nfiles == 0 || key_changed) && r.fams[i].live)
            r.fams[i].changed = 1; /* republish: fresh Date, signatures with the current key */
        any |= r.fams[i].changed;
    }
    if (rc == 0 && nfiles == 0 && !any)
        rc = pw_err_set(err, PW_E_USAGE, "'%s' holds no packages yet: name .deb or .rpm files",
                        o->path);
    if (rc == 0 && !any)
        pw_repo_note(&r, "nothing changed");
    if (rc == 0)
        rc = any ? publish(&r, err) : write_client_files(&r, err);
    if (rc == 0)
        remove_taken(&r);
    else
        unplace_taken(&r);
    repo_close(&r);
    return rc;
}

static int remove_spec(struct pw_repo *r, const char *spec, struct pw_err *err)
{
    const char *eq = strchr(spec, '=');
    char *name = eq ? pw_xstrndup(spec, (size_t)(eq - spec)) : pw_xstrdup(spec);
    int count = 0, rc = 0;
    for (int i = 0; i < NFAMS && rc >= 0; i++) {
        rc = r->fams[i].fam->remove(r, &r->fams[i], name, eq ? eq + 1 : NULL, err);
        if (rc > 0)
            count += rc;
    }
    if (rc >= 0 && !count)
        rc = pw_err_set(err, PW_E_FAIL, "no package '%s' in '%s'%s%s", spec, r->o->path,
                        r->o->suite ? " suite " : "", r->o->suite ? r->o->suite : "");
    free(name);
    return rc < 0 ? rc : 0;
}

int pw_repo_remove(const struct pw_repo_opts *o, char *const *specs, size_t nspecs,
                   struct pw_err *err)
{
    struct pw_repo r;
    int key_changed = 0;
    repo_init(&r, o);
    int rc = repo_open(&r, o, 0, &key_changed, err);
    for (size_t i = 0; i < nspecs && rc == 0; i++)
        rc = remove_spec(&r, specs[i], err);
    for (int i = 0; i < NFAMS && rc == 0; i++)
        if (key_changed && r.fams[i].live)
            r.fams[i].changed = 1;
    if (rc == 0)
        rc = publish(&r, err);
    repo_close(&r);
    return rc;
}

/* Every package of the family's scope leaves the next index (sync re-adds what stays). */
static int clear_scope(struct pw_repo *r, struct pw_repo_state *s, struct pw_err *err)
{
    struct pw_strvec names = PW_STRVEC_INIT;
    for (size_t i = 0; i < s->db.n; i++) {
        const char *name = pw_repo_rec_str(s->db.recs[i], "name");
        if (!strcmp(pw_repo_rec_str(s->db.recs[i], "type"), s->fam->name) && *name &&
            !pw_strvec_contains(&names, name))
            pw_strvec_push(&names, name);
    }
    int rc = 0;
    for (size_t i = 0; i < names.n && rc >= 0; i++)
        rc = s->fam->remove(r, s, names.v[i], NULL, err);
    pw_strvec_release(&names);
    return rc < 0 ? rc : 0;
}

/* Adds the files of one family, in groups of one component (prepare reads r->o). */
static int sync_files(struct pw_repo *r, const struct pw_repo_family *fam, char *const *files,
                      const char *const *components, size_t nfiles, struct pw_err *err)
{
    struct pw_repo_opts each = *r->o;
    const struct pw_repo_opts *saved = r->o;
    char **group = pw_xcalloc(nfiles + 1, sizeof(*group));
    unsigned char *done = pw_xcalloc(nfiles + 1, 1);
    int rc = 0;
    for (size_t i = 0; i < nfiles && rc == 0; i++) {
        const struct pw_repo_family *f = probe(files[i], err);
        if (!f)
            rc = -err->code;
        else if (f != fam)
            rc = pw_err_set(err, PW_E_USAGE, "'%s' is not a %s package", files[i], fam->name);
    }
    for (size_t i = 0; i < nfiles && rc == 0; i++) {
        if (done[i])
            continue;
        each.component = components ? components[i] : saved->component;
        size_t n = 0;
        for (size_t k = i; k < nfiles; k++)
            if (!done[k] && (!components || !strcmp(components[k], each.component))) {
                group[n++] = files[k];
                done[k] = 1;
            }
        r->o = &each;
        rc = add_files(r, group, n, err);
        r->o = saved;
    }
    free(group);
    free(done);
    return rc;
}

int pw_repo_sync(const struct pw_repo_opts *o, const char *family, char *const *files,
                 const char *const *components, size_t nfiles, struct pw_err *err)
{
    struct pw_repo r;
    int key_changed = 0, f = !strcmp(family, families[0]->name) ? 0 : 1;
    struct pw_repo_opts each = *o;
    repo_init(&r, o);
    int rc = check_scope(o, err);
    for (size_t i = 0; rc == 0 && components && i < nfiles; i++) {
        each.component = components[i];
        rc = check_scope(&each, err);
    }
    if (rc == 0)
        rc = repo_open(&r, o, 1, &key_changed, err);
    struct pw_repo_state *s = &r.fams[f];
    if (rc == 0)
        rc = clear_scope(&r, s, err);
    if (rc == 0)
        rc = sync_files(&r, s->fam, files, components, nfiles, err);
    if (rc == 0 && (key_changed || !s->live))
        s->changed = 1;
    if (rc == 0)
        rc = s->changed ? publish(&r, err) : write_client_files(&r, err);
    repo_close(&r);
    return rc;
}

/* ---- checking --------------------------------------------------------------------------- */

static char *default_keyring(struct pw_repo *r)
{
    struct pw_err ignored;
    if (load_config(r, &ignored) < 0 || !r->name)
        return NULL;
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/%s-archive-keyring.gpg", r->root, r->name);
    if (pw_fs_exists(p.buf))
        return pw_buf_detach(&p, NULL);
    pw_buf_release(&p);
    return NULL;
}

static int check_family(struct pw_repo_verify *v, const char *famdir, const char *entry,
                        const struct pw_repo_family *fam, int *found, struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/%s", famdir, entry);
    int rc = 0;
    if (pw_fs_exists(p.buf)) {
        (*found)++;
        v->root = famdir;
        rc = fam->verify(v, p.buf, err);
    }
    pw_buf_release(&p);
    return rc;
}

int pw_repo_check(const struct pw_repo_check_opts *o, struct pw_err *err)
{
    struct pw_repo r;
    struct pw_repo_opts ro;
    pw_repo_opts_init(&ro);
    memset(&r, 0, sizeof(r));
    r.o = &ro;
    r.lock_fd = -1;
    int rc = resolve_root(&r, o->path, 0, err);
    char *keyring = NULL;
    if (rc == 0)
        rc = pw_repo_lock(&r, 1, err); /* a publisher may be switching: wait for it */
    if (rc == 0 && o->keyring && !(keyring = realpath(o->keyring, NULL)))
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot open keyring '%s'", o->keyring);
    if (rc == 0 && !keyring)
        keyring = default_keyring(&r);
    if (rc == 0 && !keyring && !o->allow_unsigned)
        rc = pw_err_set(err, PW_E_SIGNATURE,
                        "no keyring for '%s': pass --keyring (or --allow-unsigned for an "
                        "unsigned repository, which apt accepts only with [trusted=yes])",
                        o->path);
    struct pw_repo_verify v = {
        .keyring = keyring, .now = o->now, .problem = o->problem, .data = o->data};
    int found = 0;
    for (int i = 0; i < NFAMS && rc == 0; i++) {
        struct pw_buf famdir = PW_BUF_INIT;
        pw_buf_addf(&famdir, "%s/%s", r.root, families[i]->name);
        rc = check_family(&v, famdir.buf, families[i]->entry, families[i], &found, err);
        /* a plain apt or rpm-md tree (a mirror) may sit directly in REPO */
        if (rc == 0)
            rc = check_family(&v, r.root, families[i]->entry, families[i], &found, err);
        pw_buf_release(&famdir);
    }
    if (rc == 0 && !found)
        rc = pw_err_set(err, PW_E_FAIL, "'%s' holds no apt or rpm-md repository", o->path);
    if (rc == 0 && v.first)
        rc = pw_err_set(err, v.first, "'%s': %zu problem%s found", o->path, v.problems,
                        v.problems == 1 ? "" : "s");
    pw_repo_map_release(&v.checked);
    free(keyring);
    pw_repo_unlock(&r);
    free(r.root);
    free(r.state);
    free(r.tmp);
    free(r.name);
    free(r.url);
    free(r.sign_key);
    return rc;
}
