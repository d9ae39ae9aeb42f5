/* Small helpers shared by the repository modules: hashing, pool placement, dates, names. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/fs.h"
#include "hash.h"
#include "repo_int.h"

void pw_repo_note(const struct pw_repo *r, const char *fmt, ...)
{
    if (!r->o->note)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->o->note(r->o->note_data, msg);
}

struct sums_state {
    struct pw_hash h[4];
    unsigned mask;
    uint64_t size;
};

static const enum pw_hash_algo sum_algos[4] = {PW_HASH_MD5, PW_HASH_SHA1, PW_HASH_SHA256,
                                               PW_HASH_SHA512};

/* Bit i of a mask is sum_algos[i]. */
static void sums_start(struct sums_state *st, unsigned mask)
{
    st->mask = mask;
    for (int i = 0; i < 4; i++)
        if (mask & (1u << i))
            pw_hash_init(&st->h[i], sum_algos[i]);
    st->size = 0;
}

static void sums_update(struct sums_state *st, const void *data, size_t len)
{
    for (int i = 0; i < 4; i++)
        if (st->mask & (1u << i))
            pw_hash_update(&st->h[i], data, len);
    st->size += len;
}

static void sums_finish(struct sums_state *st, struct pw_repo_sums *s)
{
    char *outs[4] = {s->md5, s->sha1, s->sha256, s->sha512};
    for (int i = 0; i < 4; i++) {
        outs[i][0] = '\0';
        if (!(st->mask & (1u << i)))
            continue;
        unsigned char d[PW_HASH_MAX_LEN];
        pw_hash_final(&st->h[i], d);
        pw_hex(d, pw_hash_len(sum_algos[i]), outs[i]);
    }
    s->size = st->size;
}

static void sums_abort(struct sums_state *st)
{
    for (int i = 0; i < 4; i++)
        if (st->mask & (1u << i))
            pw_hash_release(&st->h[i]);
}

void pw_repo_sums_buffer(const void *data, size_t len, unsigned mask, struct pw_repo_sums *s)
{
    struct sums_state st;
    sums_start(&st, mask);
    sums_update(&st, data, len);
    sums_finish(&st, s);
}

#define CHUNK (120 * 1024) /* below malloc's mmap threshold: no page faults per file */

/* Streams fd through the hashes, and into out_fd when it is >= 0. */
static int pump_hash(int fd, int out_fd, unsigned mask, struct pw_repo_sums *s)
{
    struct sums_state st;
    sums_start(&st, mask);
    char *buf = pw_xmalloc(CHUNK);
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (n > 0 && out_fd >= 0 && pw_fs_write_all(out_fd, buf, (size_t)n) < 0)) {
            rc = -1;
            break;
        }
        if (n == 0)
            break;
        sums_update(&st, buf, (size_t)n);
    }
    free(buf);
    if (rc < 0) {
        int e = errno;
        sums_abort(&st);
        errno = e;
        return -1;
    }
    sums_finish(&st, s);
    return 0;
}

int pw_repo_sums_file(const char *path, unsigned mask, struct pw_repo_sums *s,
                      struct pw_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", path);
    int rc = pump_hash(fd, -1, mask, s);
    int e = errno;
    close(fd);
    if (rc < 0)
        return pw_err_errno(err, PW_E_IO, e, "cannot read '%s'", path);
    return 0;
}

#define INGEST_TAIL (256u << 10)

void pw_repo_ingest_init(struct pw_repo_ingest *in, int tmp_fd, int fix_mode)
{
    memset(in, 0, sizeof(*in));
    in->buf = pw_xmalloc(PW_REPO_INGEST_HEAD + INGEST_TAIL);
    in->fd = -1;
    in->tmp_fd = tmp_fd;
    in->fix_mode = fix_mode;
}

void pw_repo_ingest_release(struct pw_repo_ingest *in)
{
    pw_repo_ingest_close(in);
    free(in->buf);
    in->buf = NULL;
}

void pw_repo_ingest_close(struct pw_repo_ingest *in)
{
    if (in->fd >= 0)
        close(in->fd);
    in->fd = -1;
}

int pw_repo_ingest_open(struct pw_repo_ingest *in, const char *file, int *is_link,
                        struct pw_err *err)
{
    pw_repo_ingest_close(in);
    in->head_len = 0;
    in->read_errno = 0;
    *is_link = 0;
    in->fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in->fd < 0 && errno == ELOOP) {
        *is_link = 1;
        in->fd = open(file, O_RDONLY | O_CLOEXEC);
    }
    if (in->fd < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", file);
    in->regular = fstat(in->fd, &in->st) == 0 && S_ISREG(in->st.st_mode);
    /* anything else is only probed (and then refused), as a 64-byte read would */
    size_t want = !in->regular                                     ? 64
                  : (uint64_t)in->st.st_size < PW_REPO_INGEST_HEAD ? (size_t)in->st.st_size
                                                                   : PW_REPO_INGEST_HEAD;
    ssize_t n = pw_fs_read_full(in->fd, in->buf, want);
    if (n < 0)
        in->read_errno = errno;
    in->head_len = n > 0 ? (size_t)n : 0;
    return 0;
}

/* The bytes after the head, through the hashes and into out (when >= 0); -1 with errno. */
static int ingest_tail(struct pw_repo_ingest *in, int out, struct sums_state *st)
{
    uint64_t total = in->head_len, size = (uint64_t)in->st.st_size;
    unsigned char *chunk = in->buf + PW_REPO_INGEST_HEAD;
    while (total < size) {
        size_t want = size - total < INGEST_TAIL ? (size_t)(size - total) : INGEST_TAIL;
        ssize_t n = read(in->fd, chunk, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || (n > 0 && out >= 0 && pw_fs_write_all(out, chunk, (size_t)n) < 0))
            return -1;
        if (n == 0)
            break;
        sums_update(st, chunk, (size_t)n);
        total += (uint64_t)n;
    }
    return 0;
}

static int ingest_all(struct pw_repo_ingest *in, int out, unsigned mask, struct pw_repo_sums *s)
{
    if (in->read_errno) {
        errno = in->read_errno;
        return -1;
    }
    struct sums_state st;
    sums_start(&st, mask);
    sums_update(&st, in->buf, in->head_len);
    if ((out >= 0 && pw_fs_write_all(out, in->buf, in->head_len) < 0) ||
        ingest_tail(in, out, &st) < 0) {
        int e = errno;
        sums_abort(&st);
        errno = e;
        return -1;
    }
    sums_finish(&st, s);
    return 0;
}

int pw_repo_ingest_hash(struct pw_repo_ingest *in, const char *path, unsigned mask,
                        struct pw_repo_sums *s, struct stat *st, struct pw_err *err)
{
    if (!in->regular)
        return pw_err_errno(err, PW_E_IO, EINVAL, "cannot read '%s'", path);
    if (ingest_all(in, -1, mask, s) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", path);
    *st = in->st;
    return 0;
}

/* The next name in r->tmp into path (names from a counter: the directory is private to the
 * lock holder and emptied when it is taken, so no random names and no retries in the common
 * case); returns the name's offset in path, to open it relative to in->tmp_fd when there is
 * one (a shorter path walk). */
static size_t next_tmp_name(const struct pw_repo *r, struct pw_buf *path)
{
    static atomic_ulong seq;
    pw_buf_reset(path);
    pw_buf_addf(path, "%s/", r->tmp);
    size_t dir_len = path->len;
    pw_buf_addf(path, "in-%lu", atomic_fetch_add(&seq, 1));
    return dir_len;
}

/* A new file in r->tmp, open for reading and writing (a clone is read back to hash it). */
static int create_tmp(const struct pw_repo *r, const struct pw_repo_ingest *in, struct pw_buf *path)
{
    for (;;) {
        size_t dir_len = next_tmp_name(r, path);
        int flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
        int fd = in->tmp_fd >= 0 ? openat(in->tmp_fd, path->buf + dir_len, flags, 0644)
                                 : open(path->buf, flags, 0644);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
}

/* Hashes a clone of the open file (made by the file system, sharing its blocks) by reading
 * the clone: the pool then holds what was hashed. The head already in memory is what the
 * package is parsed from, so it must be what the clone starts with. -1 with errno; ESTALE when
 * the file changed in between. */
static int hash_clone(struct pw_repo_ingest *in, int clone, unsigned mask, struct pw_repo_sums *s)
{
    uint64_t total = 0, size = (uint64_t)in->st.st_size;
    unsigned char *chunk = in->buf + PW_REPO_INGEST_HEAD;
    struct stat cs;
    if (fstat(clone, &cs) < 0)
        return -1;
    if ((uint64_t)cs.st_size != size) { /* grown or cut since it was opened */
        errno = ESTALE;
        return -1;
    }
    struct sums_state st;
    sums_start(&st, mask);
    while (total < size) {
        size_t want = size - total < INGEST_TAIL ? (size_t)(size - total) : INGEST_TAIL;
        ssize_t n = pread(clone, chunk, want, (off_t)total);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || (total < in->head_len &&
                       memcmp(chunk, in->buf + total,
                              in->head_len - total < (uint64_t)n ? in->head_len - total
                                                                 : (size_t)n))) {
            int e = n < 0 ? errno : ESTALE;
            sums_abort(&st);
            errno = e;
            return -1;
        }
        sums_update(&st, chunk, (size_t)n);
        total += (uint64_t)n;
    }
    sums_finish(&st, s);
    return 0;
}

/* The copy's bytes: a clone where the file system can make one (btrfs, XFS: no data is
 * written), else written from the very bytes that are hashed. */
static int fill_copy(struct pw_repo_ingest *in, int out, unsigned mask, struct pw_repo_sums *s)
{
    if (in->st.st_size > 0 && !in->read_errno && ioctl(out, FICLONE, in->fd) == 0)
        return hash_clone(in, out, mask, s);
    return ingest_all(in, out, mask, s);
}

int pw_repo_ingest_copy(const struct pw_repo *r, struct pw_repo_ingest *in, const char *src,
                        unsigned mask, struct pw_buf *tmp_path, struct pw_repo_sums *s,
                        struct stat *st, struct pw_err *err)
{
    if (!in->regular)
        return pw_err_errno(err, PW_E_IO, EINVAL, "cannot read '%s'", src);
    int out = create_tmp(r, in, tmp_path);
    if (out < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot create a file in '%s'", r->tmp);
    /* the copy keeps the source's times and gets 0644 whatever the umask */
    struct timespec times[2] = {in->st.st_atim, in->st.st_mtim};
    int rc = fill_copy(in, out, mask, s);
    if (rc == 0 &&
        ((in->fix_mode && fchmod(out, 0644) < 0) || futimens(out, times) < 0 || fstat(out, st) < 0))
        rc = -1;
    int e = errno;
    close(out);
    if (rc < 0) {
        unlink(tmp_path->buf);
        if (e == ESTALE)
            return pw_err_set(err, PW_E_IO, "'%s' changed while it was being read", src);
        return pw_err_errno(err, PW_E_IO, e, "cannot copy '%s' into the pool", src);
    }
    return 0;
}

int pw_repo_ingest_take(const struct pw_repo *r, struct pw_repo_ingest *in, const char *src,
                        unsigned mask, struct pw_buf *tmp_path, struct pw_repo_sums *s,
                        struct stat *st, struct pw_err *err)
{
    if (!in->regular || in->st.st_nlink != 1 || (in->st.st_mode & 07777) != 0644 ||
        in->st.st_uid != geteuid())
        return 0;
    /* the open file itself where we may (CAP_DAC_READ_SEARCH), else its name, which may have
     * been given to another file since it was opened: checked */
    static atomic_int by_fd = 1;
    int via_fd;
    for (;;) {
        size_t dir_len = next_tmp_name(r, tmp_path);
        int dir = in->tmp_fd >= 0 ? in->tmp_fd : AT_FDCWD;
        const char *name = in->tmp_fd >= 0 ? tmp_path->buf + dir_len : tmp_path->buf;
        via_fd = atomic_load(&by_fd);
        int rc = via_fd ? linkat(in->fd, "", dir, name, AT_EMPTY_PATH)
                        : linkat(AT_FDCWD, src, dir, name, 0);
        if (rc == 0)
            break;
        if (via_fd && (errno == ENOENT || errno == EPERM || errno == EINVAL)) {
            atomic_store(&by_fd, 0);
            continue;
        }
        if (errno != EEXIST)
            return 0; /* another file system, or links not allowed: copy */
    }
    struct stat linked;
    if (!via_fd && (lstat(tmp_path->buf, &linked) < 0 || linked.st_ino != in->st.st_ino ||
                    linked.st_dev != in->st.st_dev)) {
        unlink(tmp_path->buf);
        return 0;
    }
    if (ingest_all(in, -1, mask, s) < 0) {
        int e = errno;
        unlink(tmp_path->buf);
        return pw_err_errno(err, PW_E_IO, e, "cannot read '%s'", src);
    }
    *st = in->st;
    return 1;
}

/* mkdir -p of path's parent, starting from the deepest directory: in a populated pool the
 * parent usually exists and one mkdir call settles it. */
static int mkdir_parents(char *dir, struct pw_err *err)
{
    if (mkdir(dir, 0755) == 0 || errno == EEXIST)
        return 0;
    char *slash = strrchr(dir, '/');
    if (errno != ENOENT || !slash || slash == dir)
        return pw_err_errno(err, PW_E_IO, errno, "cannot create directory '%s'", dir);
    *slash = '\0';
    int rc = mkdir_parents(dir, err);
    *slash = '/';
    if (rc == 0 && mkdir(dir, 0755) < 0 && errno != EEXIST)
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot create directory '%s'", dir);
    return rc;
}

struct pw_repo_rec *pw_repo_file_rec(const char *type, const char *dest, const char *ident,
                                     const struct pw_repo_sums *sums, const struct stat *st)
{
    struct pw_repo_rec *rec = pw_repo_rec_new();
    pw_repo_rec_set(rec, "type", type);
    pw_repo_rec_set(rec, "path", dest);
    pw_repo_rec_set(rec, "ident", ident);
    pw_repo_rec_set_int(rec, "size", (int64_t)sums->size);
    pw_repo_rec_set_int(rec, "mtime", st->st_mtim.tv_sec);
    pw_repo_rec_set_int(rec, "mtime_ns", st->st_mtim.tv_nsec);
    pw_repo_rec_set(rec, "sha256", sums->sha256);
    return rec;
}

int pw_repo_mkdirs_for(const char *path, struct pw_err *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char *dir = pw_xstrndup(path, (size_t)(slash - path));
    int rc = mkdir_parents(dir, err);
    free(dir);
    return rc;
}

static int stat_matches(const struct pw_repo_rec *rec, const struct stat *st)
{
    return rec && (uint64_t)st->st_size == (uint64_t)pw_repo_rec_int(rec, "size") &&
           st->st_mtim.tv_sec == pw_repo_rec_int(rec, "mtime") &&
           st->st_mtim.tv_nsec == pw_repo_rec_int(rec, "mtime_ns");
}

/* 1 when the pool file at dest holds sha256 (trusting the index's size and mtime), 0 when
 * not, <0 on errors. */
static int pool_same(struct pw_repo_state *s, const char *dest, const char *sha256,
                     struct pw_err *err)
{
    struct pw_buf abs = PW_BUF_INIT;
    pw_buf_addf(&abs, "%s/%s", s->dir, dest);
    struct stat st;
    int rc;
    const struct pw_repo_rec *rec = pw_repo_db_lookup(&s->trusted, "path", dest);
    if (stat(abs.buf, &st) < 0) {
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot stat '%s'", abs.buf);
    } else if (stat_matches(rec, &st)) {
        rc = !strcmp(pw_repo_rec_str(rec, "sha256"), sha256);
    } else {
        struct pw_repo_sums sums;
        rc = pw_repo_sums_file(abs.buf, PW_REPO_SUM_SHA256, &sums, err);
        if (rc == 0)
            rc = !strcmp(sums.sha256, sha256);
    }
    pw_buf_release(&abs);
    return rc;
}

/* Moves (or links) src to dst unless something is there already: 0 placed, 1 taken, <0 on
 * errors. Never over an existing file: rename without replacing, or link (+ unlink) where the
 * file system lacks RENAME_NOREPLACE. A missing directory (abs is dst in full) is created
 * (workers usually did). */
static int pool_put(int src_dir, const char *src, int dst_dir, const char *dst, const char *abs,
                    const char *dest, int move, struct pw_err *err)
{
    for (int tries = 0;; tries++) {
        int rc = move ? renameat2(src_dir, src, dst_dir, dst, RENAME_NOREPLACE)
                      : linkat(src_dir, src, dst_dir, dst, 0);
        if (rc < 0 && move && (errno == EINVAL || errno == ENOSYS)) {
            rc = linkat(src_dir, src, dst_dir, dst, 0);
            if (rc == 0)
                unlinkat(src_dir, src, 0);
        }
        if (rc == 0)
            return 0;
        if (errno == EEXIST)
            return 1;
        if (errno != ENOENT || tries > 0)
            return pw_err_errno(err, PW_E_IO, errno, "cannot place '%s' in the pool", dest);
        rc = pw_repo_mkdirs_for(abs, err);
        if (rc < 0)
            return rc;
    }
}

static int same_inode(const char *a, const char *b)
{
    struct stat at, bt;
    return lstat(a, &at) == 0 && stat(b, &bt) == 0 && at.st_ino == bt.st_ino &&
           at.st_dev == bt.st_dev;
}

int pw_repo_pool_commit(struct pw_repo_state *s, const struct pw_repo_pending *p, int tmp_fd,
                        int fam_fd, struct pw_err *err)
{
    const char *dest = pw_repo_rec_str(p->rec, "path");
    const char *sha256 = pw_repo_rec_str(p->rec, "sha256");
    struct pw_buf abs = PW_BUF_INIT;
    pw_buf_addf(&abs, "%s/%s", s->dir, dest);
    const char *slash = p->tmp ? strrchr(p->tmp, '/') : NULL;
    int dst_dir = fam_fd >= 0 ? fam_fd : AT_FDCWD;
    const char *dst = fam_fd >= 0 ? dest : abs.buf;
    int rc = p->tmp && tmp_fd >= 0 && slash
                 ? pool_put(tmp_fd, slash + 1, dst_dir, dst, abs.buf, dest, 1, err)
                 : pool_put(AT_FDCWD, p->tmp ? p->tmp : p->inplace, dst_dir, dst, abs.buf, dest,
                            p->tmp != NULL, err);
    int same_file = rc == 1 && p->inplace && same_inode(abs.buf, p->inplace);
    pw_buf_release(&abs);
    if (rc <= 0)
        return rc < 0 ? rc : p->tmp ? 1 : 0;
    if (same_file)
        return 0; /* indexed where it lies */
    int same = pool_same(s, dest, sha256, err);
    if (same < 0)
        return same;
    if (!same)
        return pw_err_set(err, PW_E_EXISTS,
                          "'%s' already exists in the pool with different content; the pool "
                          "is write-once: publish a new version",
                          dest);
    return 0;
}

int pw_repo_check_identity(struct pw_repo_state *s, const struct pw_repo_pending *p,
                           struct pw_err *err)
{
    const struct pw_repo_rec *rec =
        pw_repo_db_lookup(&s->db, "ident", pw_repo_rec_str(p->rec, "ident"));
    const char *version = pw_repo_rec_get(p->rec, "evr");
    if (!version)
        version = pw_repo_rec_str(p->rec, "version");
    if (rec && strcmp(pw_repo_rec_str(rec, "sha256"), pw_repo_rec_str(p->rec, "sha256")))
        return pw_err_set(err, PW_E_EXISTS,
                          "'%s' %s (%s) is already published with different content ('%s'); "
                          "the pool is write-once: publish a new version",
                          pw_repo_rec_str(p->rec, "name"), version,
                          pw_repo_rec_str(p->rec, "arch"), pw_repo_rec_str(rec, "path"));
    return 0;
}

int pw_repo_write(const char *path, const void *data, size_t len, struct pw_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot create '%s'", path);
    if (pw_fs_write_all(fd, data, len) < 0) {
        int e = errno;
        close(fd);
        return pw_err_errno(err, PW_E_IO, e, "cannot write '%s'", path);
    }
    if (close(fd) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", path);
    return 0;
}

int pw_repo_link(const char *src, const char *dst, struct pw_err *err)
{
    if (link(src, dst) == 0)
        return 0;
    if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != EOPNOTSUPP)
        return pw_err_errno(err, PW_E_IO, errno, "cannot link '%s' to '%s'", dst, src);
    struct pw_buf data = PW_BUF_INIT;
    int rc = pw_fs_read_file(src, &data, err);
    if (rc == 0)
        rc = pw_repo_write(dst, data.buf, data.len, err);
    pw_buf_release(&data);
    return rc;
}

static const char *const day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void pw_repo_rfc1123(int64_t t, struct pw_buf *out)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    pw_buf_addf(out, "%s, %02d %s %04d %02d:%02d:%02d UTC", day_names[tm.tm_wday], tm.tm_mday,
                month_names[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int pw_repo_parse_rfc1123(const char *s, int64_t *out)
{
    char day[4], mon[4], zone[8];
    int mday, year, hh, mm, ss, used = 0;
    if (sscanf(s, "%3[A-Za-z], %2d %3s %4d %2d:%2d:%2d %7s%n", day, &mday, mon, &year, &hh,
               &mm, &ss, zone, &used) != 8 ||
        s[used] != '\0')
        return -1;
    int known_day = 0;
    for (int i = 0; i < 7; i++)
        known_day |= !strcmp(day, day_names[i]);
    if (!known_day)
        return -1;
    if (strcmp(zone, "UTC") && strcmp(zone, "GMT") && strcmp(zone, "+0000") && strcmp(zone, "Z"))
        return -1;
    int m = -1;
    for (int i = 0; i < 12; i++)
        if (!strcmp(mon, month_names[i]))
            m = i;
    if (m < 0 || mday < 1 || mday > 31 || hh > 23 || mm > 59 || ss > 60)
        return -1;
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = m;
    tm.tm_mday = mday;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    *out = (int64_t)timegm(&tm);
    return 0;
}

int pw_repo_safe_name(const char *s, const char *extra)
{
    if (!*s || *s == '.' || *s == '-' || *s == '/' || strstr(s, "..") || strstr(s, "//"))
        return 0;
    for (const char *p = s; *p; p++) {
        int alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9');
        if (!alnum && !strchr(extra, *p))
            return 0;
    }
    return s[strlen(s) - 1] != '/';
}

int pw_repo_safe_relpath(const char *p)
{
    if (!*p || *p == '/' || strstr(p, "//"))
        return 0;
    for (const char *c = p; *c;) {
        size_t n = strcspn(c, "/");
        if ((n == 2 && !strncmp(c, "..", 2)) || (n == 1 && *c == '.'))
            return 0;
        c += n;
        if (*c == '/')
            c++;
    }
    return 1;
}

int pw_repo_sign(const struct pw_repo *r, enum pw_gpg_mode mode, const void *data, size_t len,
                 struct pw_buf *out, struct pw_err *err)
{
    struct pw_gpg_opts go = {r->sign_key};
    return pw_gpg_sign(&go, mode, data, len, out, err);
}

int pw_repo_problem(struct pw_repo_verify *v, struct pw_err *err, int code, const char *fmt,
                    ...)
{
    char msg[PW_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    v->problems++;
    if (!v->first)
        v->first = code;
    if (v->problem) {
        v->problem(v->data, msg);
        return 0;
    }
    return pw_err_set(err, code, "%s", msg);
}

static int compare_digest(struct pw_repo_verify *v, const char *rel, const char *algo,
                          const char *want, const char *got, struct pw_err *err)
{
    if (!want || !strcmp(want, got))
        return 0;
    int rc = pw_repo_problem(v, err, PW_E_CHECKSUM, "'%s': %s mismatch (index %s, file %s)",
                             rel, algo, want, got);
    return rc < 0 ? rc : 1;
}

int pw_repo_verify_pool_file(struct pw_repo_verify *v, const char *rel, uint64_t size,
                             const char *sha256, const char *sha512, const char *md5,
                             const char *sha1, struct pw_err *err)
{
    if (!pw_repo_safe_relpath(rel))
        return pw_repo_problem(v, err, PW_E_FORMAT, "'%s': unsafe package path", rel);
    struct pw_buf key = PW_BUF_INIT;
    pw_buf_addf(&key, "%s %s", rel, sha256 ? sha256 : "");
    int rc = 0;
    if (pw_repo_map_get(&v->checked, key.buf))
        goto out;
    struct pw_buf abs = PW_BUF_INIT;
    pw_buf_addf(&abs, "%s/%s", v->root, rel);
    struct stat st;
    if (stat(abs.buf, &st) < 0) {
        rc = pw_repo_problem(v, err, PW_E_IO, "'%s': listed in the index but missing (%s)", rel,
                             strerror(errno));
        goto done;
    }
    if ((uint64_t)st.st_size != size) {
        rc = pw_repo_problem(v, err, PW_E_CHECKSUM,
                             "'%s': size %llu, the index says %llu", rel,
                             (unsigned long long)st.st_size, (unsigned long long)size);
        goto done;
    }
    const struct pw_repo_rec *t = v->trusted ? pw_repo_db_lookup(v->trusted, "path", rel) : NULL;
    if (t && sha256 && !strcmp(pw_repo_rec_str(t, "sha256"), sha256) && stat_matches(t, &st)) {
        pw_repo_map_add(&v->checked, key.buf, v);
        goto done;
    }
    struct pw_repo_sums s;
    unsigned mask = (md5 ? PW_REPO_SUM_MD5 : 0) | (sha1 ? PW_REPO_SUM_SHA1 : 0) |
                    (sha256 ? PW_REPO_SUM_SHA256 : 0) | (sha512 ? PW_REPO_SUM_SHA512 : 0);
    rc = pw_repo_sums_file(abs.buf, mask, &s, err);
    if (rc < 0) {
        rc = pw_repo_problem(v, err, PW_E_IO, "%s", err->msg);
        goto done;
    }
    int bad = 0;
    const char *names[4] = {"SHA256", "SHA512", "MD5", "SHA1"};
    const char *want[4] = {sha256, sha512, md5, sha1};
    const char *got[4] = {s.sha256, s.sha512, s.md5, s.sha1};
    for (int i = 0; i < 4 && !bad; i++) {
        bad = compare_digest(v, rel, names[i], want[i], got[i], err);
        if (bad < 0) {
            rc = bad;
            goto done;
        }
    }
    if (!bad)
        pw_repo_map_add(&v->checked, key.buf, v);
done:
    pw_buf_release(&abs);
out:
    pw_buf_release(&key);
    return rc;
}

int pw_repo_verify_staged(struct pw_repo_verify *v, const char *type, struct pw_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < v->staged->n && rc == 0; i++) {
        const struct pw_repo_rec *rec = v->staged->recs[i];
        /* a record loaded from the live index names a pool file checked when it was added
         * (the pool is write-once) */
        if (rec->loaded || strcmp(pw_repo_rec_str(rec, "type"), type))
            continue;
        rc = pw_repo_verify_pool_file(v, pw_repo_rec_str(rec, "path"),
                                      (uint64_t)pw_repo_rec_int(rec, "size"),
                                      pw_repo_rec_str(rec, "sha256"), NULL, NULL, NULL, err);
    }
    return rc;
}
