/* One mirror run (see mirror.h): lock the working directory, load the upstream indexes
 * (mirror_apt.c, mirror_rpm.c), choose the packages, fetch what the repository lacks, publish
 * the whole set as one generation, remember the entry point. */
#define _POSIX_C_SOURCE 200809L
#include "mirror.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/fs.h"
#include "depsolve.h"
#include "fetch.h"
#include "gpg.h"
#include "mirror_int.h"

#define ENTRY_MAX (16u << 20) /* InRelease, repomd.xml and their signatures */

void pw_mirror_opts_init(struct pw_mirror_opts *o)
{
    memset(o, 0, sizeof(*o));
}

void pw_mirror_result_init(struct pw_mirror_result *r)
{
    memset(r, 0, sizeof(*r));
}

void pw_mirror_result_release(struct pw_mirror_result *r)
{
    pw_strvec_release(&r->problems);
    pw_strvec_release(&r->packages);
    pw_mirror_result_init(r);
}

void pw_mirror_notef(void (*note)(void *data, const char *msg), void *data, const char *fmt, ...)
{
    if (!note)
        return;
    struct pw_buf b = PW_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    pw_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    note(data, b.buf);
    pw_buf_release(&b);
}

void pw_mirror_url(const struct pw_mirror *m, const char *rel, struct pw_buf *out)
{
    pw_buf_reset(out);
    pw_buf_addf(out, "%s/%s", m->url, rel);
}

static void work_path(const struct pw_mirror *m, const char *name, struct pw_buf *out)
{
    pw_buf_reset(out);
    pw_buf_addf(out, "%s/%s", m->work, name);
}

int pw_mirror_fetch_small(struct pw_mirror *m, const char *rel, int optional, struct pw_buf *out,
                          struct pw_err *err)
{
    struct pw_buf url = PW_BUF_INIT, dest = PW_BUF_INIT;
    pw_mirror_url(m, rel, &url);
    work_path(m, "entry.tmp", &dest);
    unlink(dest.buf);
    struct pw_fetch_job job = {
        .url = url.buf, .dest = dest.buf, .max_size = ENTRY_MAX, .optional = optional};
    struct pw_fetch_multi_opts fo = {1, m->o->ctx};
    int rc = pw_fetch_multi(&job, 1, &fo, err);
    m->res->requests += job.requests;
    if (rc == 0 && job.result == PW_FETCH_MISSING)
        rc = PW_FETCH_MISSING;
    else if (rc == 0)
        rc = pw_fs_read_file(dest.buf, out, err);
    unlink(dest.buf);
    pw_buf_release(&url);
    pw_buf_release(&dest);
    return rc;
}

int pw_mirror_fetch_index(struct pw_mirror *m, const char *rel, const char *by_hash, uint64_t size,
                          enum pw_hash_algo algo, const char *digest, struct pw_buf *path,
                          struct pw_err *err)
{
    struct pw_buf name = PW_BUF_INIT, url = PW_BUF_INIT;
    pw_buf_addf(&name, "indexes/%s-%s", pw_hash_name(algo), digest);
    work_path(m, name.buf, path);
    pw_strvec_push(&m->indexes, name.buf + strlen("indexes/"));
    pw_buf_release(&name);
    if (pw_fs_exists(path->buf)) {
        struct pw_err ignored;
        if (pw_fetch_verify_file(path->buf, size, algo, digest, &ignored) == 0)
            return 0;
        unlink(path->buf);
    }
    struct pw_fetch_job job = {.dest = path->buf, .size = size, .algo = algo, .digest = digest};
    struct pw_fetch_multi_opts fo = {1, m->o->ctx};
    int rc = PW_FETCH_MISSING;
    if (by_hash) { /* by-hash names cannot race an upstream publish */
        pw_mirror_url(m, by_hash, &url);
        job.url = url.buf;
        job.optional = 1;
        rc = pw_fetch_multi(&job, 1, &fo, err);
        m->res->requests += job.requests;
        if (rc == 0 && job.result == PW_FETCH_MISSING)
            rc = PW_FETCH_MISSING;
    }
    if (rc == PW_FETCH_MISSING) {
        pw_mirror_url(m, rel, &url);
        job.url = url.buf;
        job.optional = 0;
        rc = pw_fetch_multi(&job, 1, &fo, err);
        m->res->requests += job.requests;
    }
    pw_buf_release(&url);
    return rc;
}

int pw_mirror_verify_signature(struct pw_mirror *m, const char *what, const void *data, size_t len,
                               const void *sig, size_t siglen, struct pw_err *err)
{
    struct pw_buf signer = PW_BUF_INIT;
    int rc = pw_gpg_verify(m->keyring, data, len, sig, siglen, &signer, err);
    if (rc < 0)
        pw_err_prefix(err, "upstream '%s/%s': ", m->url, what);
    else
        pw_mirror_notef(m->o->note, m->o->note_data, "%s: good signature by %s", what, signer.buf);
    pw_buf_release(&signer);
    return rc;
}

int pw_mirror_fetch_signature(struct pw_mirror *m, const char *rel, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT, prev = PW_BUF_INIT;
    struct pw_err ignored;
    work_path(m, "entry", &path);
    int same = pw_fs_read_file(path.buf, &prev, &ignored) == 0 && prev.len == m->entry.len &&
               !memcmp(prev.buf, m->entry.buf, prev.len);
    work_path(m, "entry.sig", &path);
    int rc = -1;
    if (same)
        rc = pw_fs_read_file(path.buf, &m->entry_sig, &ignored);
    if (rc < 0 || !m->entry_sig.len)
        rc = pw_mirror_fetch_small(m, rel, 0, &m->entry_sig, err);
    pw_buf_release(&path);
    pw_buf_release(&prev);
    return rc;
}

/* ---- state: small "key value" lines remembered between runs ---- */

int pw_mirror_state_get(const struct pw_mirror *m, const char *key, struct pw_buf *out)
{
    struct pw_buf path = PW_BUF_INIT, data = PW_BUF_INIT;
    struct pw_err ignored;
    pw_buf_reset(out);
    work_path(m, "state", &path);
    if (pw_fs_read_file(path.buf, &data, &ignored) == 0) {
        size_t klen = strlen(key);
        for (char *line = data.buf; *line;) {
            char *nl = strchr(line, '\n');
            size_t n = nl ? (size_t)(nl - line) : strlen(line);
            if (n > klen && !strncmp(line, key, klen) && line[klen] == ' ')
                pw_buf_add(out, line + klen + 1, n - klen - 1);
            line += n + (nl ? 1 : 0);
        }
    }
    pw_buf_release(&path);
    pw_buf_release(&data);
    return 0;
}

static int write_work_file(const struct pw_mirror *m, const char *name, const void *data,
                           size_t len, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT;
    work_path(m, name, &path);
    int rc = pw_atomic_write_file(path.buf, data, len, 0644, err);
    pw_buf_release(&path);
    return rc;
}

static int save_state(struct pw_mirror *m, struct pw_err *err)
{
    struct pw_buf s = PW_BUF_INIT;
    pw_buf_addf(&s, "url %s\ndate %lld\n", m->url, (long long)m->upstream_date);
    int rc = write_work_file(m, "state", s.buf, s.len, err);
    if (rc == 0)
        rc = write_work_file(m, "entry", m->entry.buf, m->entry.len, err);
    if (rc == 0 && m->entry_sig.len)
        rc = write_work_file(m, "entry.sig", m->entry_sig.buf, m->entry_sig.len, err);
    pw_buf_release(&s);
    return rc;
}

static int is_part(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && !strcmp(name + n - 5, ".part");
}

/* Removes the files of work/sub that keep() refuses. */
static void prune_dir(struct pw_mirror *m, const char *sub,
                      int (*keep)(const struct pw_mirror *m, const char *name))
{
    struct pw_buf dir = PW_BUF_INIT, path = PW_BUF_INIT;
    work_path(m, sub, &dir);
    DIR *d = opendir(dir.buf);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.' || keep(m, de->d_name))
            continue;
        pw_buf_reset(&path);
        pw_buf_addf(&path, "%s/%s", dir.buf, de->d_name);
        unlink(path.buf);
    }
    if (d)
        closedir(d);
    pw_buf_release(&dir);
    pw_buf_release(&path);
}

static int index_listed(const struct pw_mirror *m, const char *name)
{
    return pw_strvec_contains(&m->indexes, name);
}

static int partial_download(const struct pw_mirror *m, const char *name)
{
    (void)m;
    return is_part(name);
}

void pw_mirror_prune(struct pw_mirror *m)
{
    prune_dir(m, "indexes", index_listed);
    prune_dir(m, "packages", partial_download);
}

/* ---- setup ---- */

static int lock_work(struct pw_mirror *m, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT;
    work_path(m, "lock", &path);
    m->lock_fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    int rc = 0;
    if (m->lock_fd < 0)
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", path.buf);
    else if (flock(m->lock_fd, LOCK_EX | LOCK_NB) < 0)
        rc = pw_err_set(err, PW_E_LOCKED, "another mirror run holds '%s'", path.buf);
    pw_buf_release(&path);
    return rc;
}

/* gpgv reads binary keyrings: an armored one is converted into the working directory. */
static int prepare_keyring(struct pw_mirror *m, struct pw_err *err)
{
    char abs[PATH_MAX];
    struct pw_buf data = PW_BUF_INIT;
    if (!realpath(m->o->keyring, abs))
        return pw_err_errno(err, PW_E_IO, errno, "cannot read keyring '%s'", m->o->keyring);
    int rc = pw_fs_read_file(abs, &data, err);
    if (rc == 0 && !strstr(data.buf, "-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
        m->keyring = pw_xstrdup(abs);
    } else if (rc == 0) {
        struct pw_buf bin = PW_BUF_INIT, gerr = PW_BUF_INIT, path = PW_BUF_INIT;
        char *argv[] = {"gpg", "--batch", "--no-tty", "--dearmor", NULL};
        int status = pw_run(argv, data.buf, data.len, &bin, &gerr, err);
        if (status == 0 && bin.len) {
            work_path(m, "keyring.gpg", &path);
            rc = write_work_file(m, "keyring.gpg", bin.buf, bin.len, err);
            m->keyring = pw_buf_detach(&path, NULL);
        } else if (status >= 0) {
            rc = pw_err_set(err, PW_E_SIGNATURE, "cannot read armored keyring '%s': %s", abs,
                            gerr.buf);
        } else {
            rc = status;
        }
        pw_buf_release(&bin);
        pw_buf_release(&gerr);
        pw_buf_release(&path);
    }
    pw_buf_release(&data);
    return rc;
}

static char *work_dir_for(const struct pw_mirror_opts *o)
{
    struct pw_buf b = PW_BUF_INIT;
    pw_buf_addf(&b, "%s/.packwright/mirror/%s", o->repo,
                o->family == PW_FAMILY_DEB ? "deb-" : "rpm");
    if (o->family == PW_FAMILY_DEB)
        for (const char *c = o->suite; *c; c++)
            pw_buf_addc(&b, *c == '/' ? '_' : *c);
    return pw_buf_detach(&b, NULL);
}

static int setup(struct pw_mirror *m, struct pw_err *err)
{
    const struct pw_mirror_opts *o = m->o;
    if (!pw_fetch_scheme_allowed(o->url))
        return pw_err_set(err, PW_E_USAGE, "unsupported upstream URL '%s' (https, http or file)",
                          o->url);
    size_t n = strlen(o->url);
    while (n && o->url[n - 1] == '/')
        n--;
    m->url = pw_xstrndup(o->url, n);
    m->work = work_dir_for(o);
    struct pw_buf idx = PW_BUF_INIT;
    work_path(m, "indexes", &idx);
    int rc = pw_fs_mkdir_p(idx.buf, 0755, err);
    work_path(m, "packages", &idx);
    if (rc == 0)
        rc = pw_fs_mkdir_p(idx.buf, 0755, err);
    pw_buf_release(&idx);
    if (rc == 0)
        rc = lock_work(m, err);
    if (rc == 0)
        rc = prepare_keyring(m, err);
    return rc;
}

static void teardown(struct pw_mirror *m)
{
    if (m->lock_fd >= 0)
        close(m->lock_fd);
    free(m->url);
    free(m->work);
    free(m->keyring);
    pw_upkgs_release(&m->pkgs);
    pw_strvec_release(&m->origins);
    pw_strvec_release(&m->archs);
    pw_strvec_release(&m->indexes);
    pw_strvec_release(&m->local_keys);
    pw_strvec_release(&m->local_paths);
    pw_buf_release(&m->entry);
    pw_buf_release(&m->entry_sig);
    free(m->filelists.type);
    free(m->filelists.href);
    free(m->filelists.digest);
}

/* ---- choosing ---- */

/* Filter, then (with --with-deps) the closure; problems collects what it cannot satisfy. */
static void choose(struct pw_mirror *m, unsigned char *sel)
{
    const struct pw_mirror_opts *o = m->o;
    const struct pw_strvec *archs = o->family == PW_FAMILY_DEB ? &m->archs : o->archs;
    struct pw_depsolve_filter f = {o->include, archs, o->latest};
    pw_depsolve_filter(&m->pkgs, o->family, &f, sel);
    size_t chosen = 0;
    for (size_t i = 0; i < m->pkgs.n; i++)
        chosen += sel[i];
    pw_strvec_release(&m->res->problems);
    m->res->by_deps = 0;
    if (o->with_deps)
        m->res->by_deps = pw_depsolve_closure(&m->pkgs, o->family, sel, &m->res->problems);
    m->res->selected = chosen + m->res->by_deps;
}

static int file_problem(const struct pw_strvec *problems)
{
    for (size_t i = 0; i < problems->n; i++)
        if (strstr(problems->v[i], ": needs '/"))
            return 1;
    return 0;
}

static int select_packages(struct pw_mirror *m, const struct pw_mirror_family *fam,
                           unsigned char *sel, struct pw_err *err)
{
    choose(m, sel);
    /* file requirements beyond primary's short list: read the full file lists, then again */
    if (fam->more_files && file_problem(&m->res->problems)) {
        int rc = fam->more_files(m, err);
        if (rc < 0)
            return rc;
        if (rc > 0)
            choose(m, sel);
    }
    for (size_t i = 0; i < m->pkgs.n; i++) {
        if (!sel[i])
            continue;
        struct pw_buf d = PW_BUF_INIT;
        pw_upkg_describe(&m->pkgs.v[i], &d);
        pw_strvec_push_owned(&m->res->packages, pw_buf_detach(&d, NULL));
    }
    pw_strvec_sort(&m->res->packages);
    return 0;
}

/* ---- fetching packages ---- */

static void package_file(const struct pw_mirror *m, const struct pw_upkg *p, struct pw_buf *out)
{
    const char *base = strrchr(p->location, '/');
    pw_buf_reset(out);
    pw_buf_addf(out, "%s/packages/%.16s-%s", m->work, p->digest, base ? base + 1 : p->location);
}

static int check_digests(const struct pw_mirror *m, const unsigned char *sel, struct pw_err *err)
{
    for (size_t i = 0; i < m->pkgs.n; i++) {
        const struct pw_upkg *p = &m->pkgs.v[i];
        if (sel[i] && !p->digest)
            return pw_err_set(err, PW_E_CHECKSUM,
                              "upstream lists '%s %s %s' without a SHA256 or SHA512 digest; "
                              "refusing to mirror it unverified",
                              p->name, p->version, p->arch);
    }
    return 0;
}

/* Downloads every selected package not already verified locally. */
static int fetch_packages(struct pw_mirror *m, const unsigned char *sel, char **files,
                          struct pw_err *err)
{
    size_t n = 0;
    struct pw_fetch_job *jobs = pw_xcalloc(m->pkgs.n + 1, sizeof(*jobs));
    struct pw_strvec urls = PW_STRVEC_INIT;
    struct pw_buf b = PW_BUF_INIT;
    for (size_t i = 0; i < m->pkgs.n; i++) {
        const struct pw_upkg *p = &m->pkgs.v[i];
        if (!sel[i])
            continue;
        const char *local = pw_mirror_local_file(m, p);
        if (local) {
            files[i] = pw_xstrdup(local);
            continue;
        }
        package_file(m, p, &b);
        files[i] = pw_buf_detach(&b, NULL);
        struct pw_err ignored;
        if (pw_fs_exists(files[i]) &&
            pw_fetch_verify_file(files[i], p->size, p->algo, p->digest, &ignored) == 0)
            continue;
        pw_mirror_url(m, p->location, &b);
        pw_strvec_push(&urls, b.buf);
        jobs[n++] = (struct pw_fetch_job){
            .url = NULL, .dest = files[i], .size = p->size, .algo = p->algo, .digest = p->digest};
        m->res->downloaded++;
        m->res->bytes += p->size;
    }
    for (size_t k = 0; k < n; k++)
        jobs[k].url = urls.v[k];
    if (n)
        pw_mirror_notef(m->o->note, m->o->note_data, "downloading %zu packages (%llu bytes)", n,
                        (unsigned long long)m->res->bytes);
    struct pw_fetch_multi_opts fo = {m->o->parallel, m->o->ctx};
    int rc = pw_fetch_multi(jobs, n, &fo, err);
    for (size_t k = 0; k < n; k++)
        m->res->requests += jobs[k].requests;
    if (rc < 0)
        pw_err_prefix(err, "upstream package: ");
    free(jobs);
    pw_strvec_release(&urls);
    pw_buf_release(&b);
    return rc;
}

/* ---- the run ---- */

static int mirror_and_publish(struct pw_mirror *m, struct pw_err *err)
{
    const struct pw_mirror_family *fam =
        m->o->family == PW_FAMILY_DEB ? &pw_mirror_family_apt : &pw_mirror_family_rpm;
    int rc = fam->load(m, err);
    if (rc == 0)
        rc = pw_upkgs_dedupe(&m->pkgs, err);
    if (rc < 0)
        return rc;
    if ((rc = pw_mirror_local_load(m, err)) < 0)
        return rc;
    m->res->indexed = m->pkgs.n;
    unsigned char *sel = pw_xcalloc(m->pkgs.n + 1, 1);
    char **files = pw_xcalloc(m->pkgs.n + 1, sizeof(*files));
    rc = select_packages(m, fam, sel, err);
    if (rc == 0)
        rc = check_digests(m, sel, err);
    if (rc == 0 && !m->o->dry_run)
        rc = fetch_packages(m, sel, files, err);
    if (rc == 0 && !m->o->dry_run)
        rc = pw_mirror_publish(m, sel, files, err);
    if (rc == 0 && !m->o->dry_run)
        rc = save_state(m, err);
    for (size_t i = 0; i < m->pkgs.n; i++)
        free(files[i]);
    free(files);
    free(sel);
    return rc;
}

int pw_mirror_run(const struct pw_mirror_opts *o, struct pw_mirror_result *res, struct pw_err *err)
{
    struct pw_mirror m;
    memset(&m, 0, sizeof(m));
    m.o = o;
    m.res = res;
    m.lock_fd = -1;
    pw_upkgs_init(&m.pkgs);
    int rc = setup(&m, err);
    if (rc == 0)
        rc = mirror_and_publish(&m, err);
    if (rc == 0 && !o->dry_run)
        pw_mirror_prune(&m);
    teardown(&m);
    return rc;
}
