/* Generations, the publish lock and garbage collection.
 *
 * Each family directory (REPO/deb, REPO/rpm) holds its metadata generations in .gen/ID/; the
 * public name (deb/dists, rpm/repodata) is a symbolic link to .gen/ID/ENTRY, replaced with
 * one rename(2) per family when the next generation is complete and verified. .gen/ID/index
 * is that generation's index (the metadata cache), .gen/ID/pool lists the package files it
 * references and .gen/ID/published the time it went live. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/fs.h"
#include "repo_gen.h"

void pw_repo_gen_dir(const struct pw_repo_state *s, long id, struct pw_buf *out)
{
    pw_buf_reset(out);
    pw_buf_addf(out, "%s/.gen/%ld", s->dir, id);
}

void pw_repo_gen_entry(const struct pw_repo_state *s, long id, struct pw_buf *out)
{
    pw_repo_gen_dir(s, id, out);
    pw_buf_addf(out, "/%s", s->fam->entry);
}

int pw_repo_gen_live(const struct pw_repo_state *s, long *id, struct pw_err *err)
{
    struct pw_buf link = PW_BUF_INIT;
    pw_buf_addf(&link, "%s/%s", s->dir, s->fam->entry);
    char target[512];
    ssize_t n = readlink(link.buf, target, sizeof(target) - 1);
    int rc = 0;
    *id = 0;
    if (n < 0) {
        if (errno == EINVAL)
            rc = pw_err_set(err, PW_E_EXISTS,
                            "'%s' is not managed by packwright (a directory, not a link to a "
                            "generation); move it away first",
                            link.buf);
        else if (errno != ENOENT)
            rc = pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", link.buf);
    } else {
        target[n] = '\0';
        char *end;
        if (strncmp(target, ".gen/", 5) || (*id = strtol(target + 5, &end, 10)) <= 0 ||
            *end != '/')
            rc = pw_err_set(err, PW_E_FORMAT, "'%s' points at '%s', not a generation",
                            link.buf, target);
    }
    pw_buf_release(&link);
    return rc;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

size_t pw_repo_gen_list(const struct pw_repo_state *s, long **ids)
{
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/.gen", s->dir);
    DIR *d = opendir(p.buf);
    pw_buf_release(&p);
    size_t n = 0, cap = 16;
    *ids = pw_xmalloc(cap * sizeof(**ids));
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        char *end;
        long id = strtol(de->d_name, &end, 10);
        if (id <= 0 || *end)
            continue;
        if (n == cap)
            *ids = pw_xrealloc(*ids, (cap *= 2) * sizeof(**ids));
        (*ids)[n++] = id;
    }
    closedir(d);
    qsort(*ids, n, sizeof(**ids), cmp_long);
    return n;
}

int64_t pw_repo_gen_published(const struct pw_repo_state *s, long id)
{
    struct pw_buf p = PW_BUF_INIT, data = PW_BUF_INIT;
    pw_repo_gen_dir(s, id, &p);
    pw_buf_adds(&p, "/published");
    struct pw_err ignored;
    int64_t t = 0;
    if (pw_fs_read_file(p.buf, &data, &ignored) == 0)
        t = strtoll(data.buf, NULL, 10);
    pw_buf_release(&p);
    pw_buf_release(&data);
    return t;
}

int pw_repo_gen_retained(const struct pw_repo *r, const struct pw_repo_state *s,
                         const long *ids, size_t n, size_t i)
{
    if (ids[i] > s->live)
        return 0;
    if (ids[i] == s->live)
        return 1;
    /* superseded when the next generation went live */
    int64_t superseded = i + 1 < n ? pw_repo_gen_published(s, ids[i + 1]) : r->clock;
    return superseded == 0 || superseded + r->o->grace > r->clock;
}

int pw_repo_gen_clean_stale(const struct pw_repo_state *s, struct pw_err *err)
{
    long *ids;
    size_t n = pw_repo_gen_list(s, &ids);
    struct pw_buf p = PW_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (ids[i] > s->live) { /* staged by a publisher that did not finish */
            pw_repo_gen_dir(s, ids[i], &p);
            rc = pw_fs_remove_tree(p.buf, err);
        }
    free(ids);
    pw_buf_release(&p);
    return rc;
}

long pw_repo_gen_next(const struct pw_repo_state *s)
{
    long *ids;
    size_t n = pw_repo_gen_list(s, &ids);
    long next = n ? ids[n - 1] + 1 : 1;
    free(ids);
    return next > s->live ? next : s->live + 1;
}

/* Hard-links into the new generation every content-addressed file an entry point of a retained
 * generation references, so that a client holding an older entry point still finds it. */
int pw_repo_gen_carry(const struct pw_repo *r, const struct pw_repo_state *s, const char *entry,
                      struct pw_err *err)
{
    long *ids;
    size_t n = pw_repo_gen_list(s, &ids);
    struct pw_buf old = PW_BUF_INIT, src = PW_BUF_INIT, dst = PW_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!pw_repo_gen_retained(r, s, ids, n, i))
            continue;
        struct pw_strvec refs = PW_STRVEC_INIT;
        struct pw_err ignored;
        pw_repo_gen_entry(s, ids[i], &old);
        if (s->fam->referenced(old.buf, &refs, &ignored) < 0) {
            pw_strvec_release(&refs);
            continue; /* an unreadable old generation has nothing worth keeping */
        }
        for (size_t j = 0; j < refs.n && rc == 0; j++) {
            pw_buf_reset(&src);
            pw_buf_addf(&src, "%s/%s", old.buf, refs.v[j]);
            pw_buf_reset(&dst);
            pw_buf_addf(&dst, "%s/%s", entry, refs.v[j]);
            if (pw_fs_exists(dst.buf) || !pw_fs_exists(src.buf))
                continue;
            rc = pw_repo_mkdirs_for(dst.buf, err);
            if (rc == 0)
                rc = pw_repo_link(src.buf, dst.buf, err);
        }
        pw_strvec_release(&refs);
    }
    free(ids);
    pw_buf_release(&old);
    pw_buf_release(&src);
    pw_buf_release(&dst);
    return rc;
}

static void advance_dir(const char *dir, const char *prev, int depth)
{
    DIR *d = depth < 8 ? opendir(dir) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.' || !strcmp(de->d_name, "by-hash"))
            continue; /* content-addressed: one name, one content */
        struct pw_buf a = PW_BUF_INIT, b = PW_BUF_INIT;
        pw_buf_addf(&a, "%s/%s", dir, de->d_name);
        pw_buf_addf(&b, "%s/%s", prev, de->d_name);
        struct stat now, old;
        if (lstat(a.buf, &now) == 0 && S_ISDIR(now.st_mode))
            advance_dir(a.buf, b.buf, depth + 1);
        else if (S_ISREG(now.st_mode) && lstat(b.buf, &old) == 0 &&
                 (now.st_ino != old.st_ino || now.st_dev != old.st_dev) &&
                 now.st_mtim.tv_sec <= old.st_mtim.tv_sec) {
            struct timespec t[2] = {{old.st_mtim.tv_sec + 1, 0}, {old.st_mtim.tv_sec + 1, 0}};
            utimensat(AT_FDCWD, a.buf, t, AT_SYMLINK_NOFOLLOW);
        }
        pw_buf_release(&a);
        pw_buf_release(&b);
    }
    if (d)
        closedir(d);
}

void pw_repo_gen_advance_mtimes(const char *entry, const char *prev)
{
    if (prev)
        advance_dir(entry, prev, 0);
}

int pw_repo_gen_write_state(const struct pw_repo_state *s, long id, struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT, data = PW_BUF_INIT;
    pw_repo_gen_dir(s, id, &p);
    pw_buf_adds(&p, "/index");
    int rc = pw_repo_db_write(&s->db, p.buf, err);
    for (size_t i = 0; i < s->db.n; i++) {
        const char *path = pw_repo_rec_get(s->db.recs[i], "path");
        if (path)
            pw_buf_addf(&data, "%s\n", path);
    }
    pw_repo_gen_dir(s, id, &p);
    pw_buf_adds(&p, "/pool");
    if (rc == 0)
        rc = pw_repo_write(p.buf, data.buf, data.len, err);
    pw_buf_release(&p);
    pw_buf_release(&data);
    return rc;
}

int pw_repo_gen_load(struct pw_repo_state *s, struct pw_err *err)
{
    if (!s->live)
        return 0;
    struct pw_buf p = PW_BUF_INIT;
    pw_repo_gen_dir(s, s->live, &p);
    pw_buf_adds(&p, "/index");
    int rc = pw_repo_db_load(&s->db, p.buf, 0, err);
    if (rc == 0)
        pw_repo_db_copy_small(&s->trusted, &s->db);
    pw_buf_release(&p);
    return rc;
}

int pw_repo_gen_switch(const struct pw_repo *r, struct pw_repo_state *s, long id,
                       struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT, link = PW_BUF_INIT, tmp = PW_BUF_INIT, target = PW_BUF_INIT;
    pw_repo_gen_dir(s, id, &p);
    pw_buf_adds(&p, "/published");
    char stamp[32];
    int len = snprintf(stamp, sizeof(stamp), "%" PRId64 "\n", r->clock);
    int rc = pw_repo_write(p.buf, stamp, (size_t)len, err);
    pw_buf_addf(&link, "%s/%s", s->dir, s->fam->entry);
    pw_buf_addf(&tmp, "%s/.%s.new", s->dir, s->fam->entry);
    pw_buf_addf(&target, ".gen/%ld/%s", id, s->fam->entry);
    unlink(tmp.buf);
    if (rc == 0 && symlink(target.buf, tmp.buf) < 0)
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot create '%s'", tmp.buf);
    if (rc == 0 && rename(tmp.buf, link.buf) < 0) {
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot switch '%s' to generation %ld", link.buf,
                          id);
        unlink(tmp.buf);
    }
    if (rc == 0) {
        pw_fs_fsync_dir_of(link.buf);
        s->live = id;
    }
    pw_buf_release(&p);
    pw_buf_release(&link);
    pw_buf_release(&tmp);
    pw_buf_release(&target);
    return rc;
}

static void read_pool_list(const struct pw_repo_state *s, long id, struct pw_strvec *keep)
{
    struct pw_buf p = PW_BUF_INIT, data = PW_BUF_INIT;
    pw_repo_gen_dir(s, id, &p);
    pw_buf_adds(&p, "/pool");
    struct pw_err ignored;
    if (pw_fs_read_file(p.buf, &data, &ignored) == 0)
        for (char *line = data.buf; *line;) {
            size_t n = strcspn(line, "\n");
            if (n)
                pw_strvec_push_owned(keep, pw_xstrndup(line, n));
            line += n + (line[n] == '\n');
        }
    pw_buf_release(&p);
    pw_buf_release(&data);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Deletes pool files no retained generation references; returns how many went. */
static int pool_sweep(const struct pw_repo_state *s, const char *rel, const struct pw_strvec *keep,
                      int depth)
{
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/%s", s->dir, rel);
    DIR *d = depth < 8 ? opendir(p.buf) : NULL;
    int removed = 0;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        struct pw_buf sub = PW_BUF_INIT;
        pw_buf_addf(&sub, "%s/%s", rel, de->d_name);
        char *key = sub.buf;
        if (de->d_type == DT_DIR) {
            removed += pool_sweep(s, sub.buf, keep, depth + 1);
        } else if (!bsearch(&key, keep->v, keep->n, sizeof(char *), cmp_str)) {
            struct pw_buf abs = PW_BUF_INIT;
            pw_buf_addf(&abs, "%s/%s", s->dir, sub.buf);
            removed += unlink(abs.buf) == 0;
            pw_buf_release(&abs);
        }
        pw_buf_release(&sub);
    }
    if (d)
        closedir(d);
    if (depth > 0)
        rmdir(p.buf); /* only succeeds once empty */
    pw_buf_release(&p);
    return removed;
}

int pw_repo_gen_collect(const struct pw_repo *r, const struct pw_repo_state *s,
                        struct pw_err *err)
{
    long *ids;
    size_t n = pw_repo_gen_list(s, &ids);
    struct pw_buf p = PW_BUF_INIT;
    int rc = 0, dropped = 0;
    struct pw_strvec keep = PW_STRVEC_INIT;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (pw_repo_gen_retained(r, s, ids, n, i)) {
            read_pool_list(s, ids[i], &keep);
            continue;
        }
        if (ids[i] > s->live)
            continue;
        pw_repo_gen_dir(s, ids[i], &p);
        rc = pw_fs_remove_tree(p.buf, err);
        dropped++;
    }
    if (rc == 0 && dropped) {
        qsort(keep.v, keep.n, sizeof(char *), cmp_str);
        int removed = pool_sweep(s, s->fam->pool, &keep, 0);
        pw_repo_note(r, "%s: dropped %d old generation%s and %d unreferenced package file%s",
                     s->fam->name, dropped, dropped == 1 ? "" : "s", removed,
                     removed == 1 ? "" : "s");
    }
    pw_strvec_release(&keep);
    free(ids);
    pw_buf_release(&p);
    return rc;
}

/* ---- the publish lock ------------------------------------------------------------------- */

static void holder_pid(int fd, char *out, size_t size)
{
    char buf[32] = {0};
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    snprintf(out, size, "%s", buf[0] ? buf : "unknown");
}

int pw_repo_lock(struct pw_repo *r, int shared, struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/lock", r->state);
    r->lock_fd = open(p.buf, (shared ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC, 0644);
    if (r->lock_fd < 0) {
        int rc = shared && errno == ENOENT
                     ? 0
                     : pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", p.buf);
        pw_buf_release(&p);
        return rc;
    }
    pw_buf_release(&p);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int noted = 0;
    while (flock(r->lock_fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            return pw_err_errno(err, PW_E_IO, errno, "cannot lock '%s'", r->root);
        char pid[32];
        holder_pid(r->lock_fd, pid, sizeof(pid));
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= r->o->lock_timeout)
            return pw_err_set(err, PW_E_LOCKED,
                              "repository '%s' is locked by another publisher (pid %s); it "
                              "was not changed",
                              r->root, pid);
        if (!noted++)
            pw_repo_note(r, "waiting for the publish lock of '%s' (held by pid %s)", r->root,
                         pid);
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    if (!shared) {
        char pid[32];
        int len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
        if (ftruncate(r->lock_fd, 0) == 0)
            (void)!pwrite(r->lock_fd, pid, (size_t)len, 0);
    }
    return 0;
}

void pw_repo_unlock(struct pw_repo *r)
{
    if (r->lock_fd >= 0)
        close(r->lock_fd); /* releases the flock */
    r->lock_fd = -1;
}
