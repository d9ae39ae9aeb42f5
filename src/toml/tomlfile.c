#include "tomlfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "../base/fs.h"

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return pw_xstrdup(".");
    if (slash == path)
        return pw_xstrdup("/");
    return pw_xstrndup(path, (size_t)(slash - path));
}

/* The file a symlink names; the path itself otherwise. */
static int resolve(const char *path, char **out, struct pw_err *err)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        char *real = realpath(path, NULL);
        if (!real)
            return pw_err_errno(err, PW_E_IO, errno, "cannot follow the symlink '%s'", path);
        *out = real;
        return 0;
    }
    *out = pw_xstrdup(path);
    return 0;
}

static int lock_dir(struct pw_tomlfile *f, const char *dir, unsigned timeout, struct pw_err *err)
{
    struct timespec pause = {0, 20 * 1000 * 1000};
    unsigned long waited_ms = 0;
    while (flock(f->dir_fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            return pw_err_errno(err, PW_E_IO, errno, "cannot lock '%s'", dir);
        if (waited_ms >= (unsigned long)timeout * 1000)
            return pw_err_set(err, PW_E_LOCKED,
                              "'%s' is locked by another packwright-toml (waited %u s)", f->path,
                              timeout);
        nanosleep(&pause, NULL);
        waited_ms += 20;
    }
    return 0;
}

static int same_dir(const struct pw_tomlfile *a, const struct pw_tomlfile *b)
{
    struct stat x, y;
    return a && b && a->dir_fd >= 0 && b->dir_fd >= 0 && fstat(a->dir_fd, &x) == 0 &&
           fstat(b->dir_fd, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int pw_tomlfile_open(struct pw_tomlfile *f, const char *path, unsigned flags, unsigned lock_timeout,
                     const struct pw_tomlfile *held, struct pw_err *err)
{
    int rc = resolve(path, &f->path, err);
    if (rc)
        return rc;
    char *dir = dir_of(f->path);
    if ((flags & PW_TOMLFILE_MKDIR) && !pw_fs_exists(dir))
        rc = pw_fs_mkdir_p(dir, 0755, err);
    if (!rc) {
        f->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (f->dir_fd < 0 && errno != ENOENT)
            rc = pw_err_errno(err, PW_E_IO, errno, "cannot open the directory '%s'", dir);
    }
    if (!rc && f->dir_fd >= 0 && (flags & PW_TOMLFILE_LOCK) && !same_dir(f, held))
        rc = lock_dir(f, dir, lock_timeout, err);
    free(dir);
    if (rc || f->dir_fd < 0)
        return rc;
    if (stat(f->path, &f->st) < 0) {
        if (errno != ENOENT)
            return pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", f->path);
        return 0;
    }
    if (!S_ISREG(f->st.st_mode))
        return pw_err_set(err, PW_E_IO, "'%s' is not a regular file", f->path);
    f->exists = 1;
    return pw_fs_read_file(f->path, &f->text, err);
}

static int write_temp(struct pw_tomlfile *f, const char *tmp, int fd, const char *text, size_t len,
                      struct pw_err *err)
{
    mode_t mode = f->exists ? f->st.st_mode & 07777 : 0644;
    if (fchmod(fd, mode) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot set the mode of '%s'", tmp);
    if (f->exists && (f->st.st_uid != geteuid() || f->st.st_gid != getegid()) &&
        fchown(fd, f->st.st_uid, f->st.st_gid) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot keep the owner of '%s'", f->path);
    if (pw_fs_write_all(fd, text, len) < 0 || fsync(fd) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", tmp);
    return 0;
}

int pw_tomlfile_write(struct pw_tomlfile *f, const char *text, size_t len, struct pw_err *err)
{
    char *dir = dir_of(f->path);
    const char *base = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
    struct pw_buf tmp = PW_BUF_INIT;
    pw_buf_addf(&tmp, "%s/.%s.tmp-XXXXXX", dir, base);
    free(dir);
    int fd = mkstemp(tmp.buf);
    if (fd < 0) {
        int rc = pw_err_errno(err, PW_E_IO, errno, "cannot create a temporary file beside '%s'",
                              f->path);
        pw_buf_release(&tmp);
        return rc;
    }
    int rc = write_temp(f, tmp.buf, fd, text, len, err);
    if (close(fd) < 0 && !rc)
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", tmp.buf);
    if (!rc && getenv("PW_FAIL_BEFORE_RENAME"))
        rc = pw_err_set(err, PW_E_IO, "cannot write '%s': failure injected before rename", f->path);
    if (!rc && rename(tmp.buf, f->path) < 0)
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot rename '%s' to '%s'", tmp.buf, f->path);
    if (rc)
        unlink(tmp.buf);
    else if (f->dir_fd >= 0)
        fsync(f->dir_fd);
    pw_buf_release(&tmp);
    if (!rc && !f->exists) {
        f->exists = 1;
        stat(f->path, &f->st);
    }
    return rc;
}

int pw_tomlfile_remove(struct pw_tomlfile *f, struct pw_err *err)
{
    if (unlink(f->path) < 0 && errno != ENOENT)
        return pw_err_errno(err, PW_E_IO, errno, "cannot remove '%s'", f->path);
    if (f->dir_fd >= 0)
        fsync(f->dir_fd);
    f->exists = 0;
    return 0;
}

void pw_tomlfile_release(struct pw_tomlfile *f)
{
    if (f->dir_fd >= 0)
        close(f->dir_fd);
    f->dir_fd = -1;
    free(f->path);
    f->path = NULL;
    pw_buf_release(&f->text);
    f->exists = 0;
}
