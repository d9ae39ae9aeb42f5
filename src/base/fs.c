#define _POSIX_C_SOURCE 200809L
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pw_fs_read_file(const char *path, struct pw_buf *out, struct pw_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", path);
    /* read straight into the buffer, sized once from fstat (files may still grow) */
    struct stat st;
    size_t want = fstat(fd, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536;
    for (;;) {
        pw_buf_grow(out, want);
        ssize_t n = read(fd, out->buf + out->len, out->cap - out->len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return pw_err_errno(err, PW_E_IO, e, "cannot read '%s'", path);
        }
        if (n == 0)
            break;
        pw_buf_setlen(out, out->len + (size_t)n);
        want = 65536;
    }
    close(fd);
    return 0;
}

ssize_t pw_fs_read_full(int fd, void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, (char *)buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

int pw_fs_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int pw_fs_mkdir_p(const char *path, mode_t mode, struct pw_err *err)
{
    char *tmp = pw_xstrdup(path);
    for (char *p = tmp + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(tmp, mode) < 0 && errno != EEXIST) {
            int e = errno;
            int rc = pw_err_errno(err, PW_E_IO, e, "cannot create directory '%s'", tmp);
            free(tmp);
            return rc;
        }
        if (saved == '\0')
            break;
        *p = saved;
    }
    free(tmp);
    return 0;
}

int pw_fs_fsync_dir_of(const char *path)
{
    char *dir = pw_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int pw_fs_remove_tree(const char *path, struct pw_err *err)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return 0;
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot remove '%s'", path);
    return 0;
}

int pw_fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int pw_atomic_open(struct pw_atomic_file *af, const char *path, mode_t mode, struct pw_err *err)
{
    struct pw_buf tmp = PW_BUF_INIT;
    pw_buf_addf(&tmp, "%s.tmp-XXXXXX", path);
    af->path = pw_xstrdup(path);
    af->tmp = pw_buf_detach(&tmp, NULL);
    af->fd = mkstemp(af->tmp);
    if (af->fd < 0) {
        int e = errno;
        free(af->tmp);
        af->tmp = NULL;
        free(af->path);
        af->path = NULL;
        return pw_err_errno(err, PW_E_IO, e, "cannot create a temporary file for '%s'", path);
    }
    if (fchmod(af->fd, mode) < 0) {
        int e = errno;
        pw_atomic_abort(af);
        return pw_err_errno(err, PW_E_IO, e, "cannot set the mode of '%s'", path);
    }
    return 0;
}

int pw_atomic_commit(struct pw_atomic_file *af, struct pw_err *err)
{
    int rc = 0;
    if (fsync(af->fd) < 0) {
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", af->path);
        goto out;
    }
    if (close(af->fd) < 0) {
        af->fd = -1;
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", af->path);
        goto out;
    }
    af->fd = -1;
    if (getenv("PW_FAIL_BEFORE_RENAME")) {
        rc = pw_err_set(err, PW_E_IO, "cannot write '%s': failure injected before rename",
                        af->path);
        goto out;
    }
    if (rename(af->tmp, af->path) < 0) {
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot rename '%s' to '%s'", af->tmp, af->path);
        goto out;
    }
    free(af->tmp);
    af->tmp = NULL;
    pw_fs_fsync_dir_of(af->path);
out:
    pw_atomic_abort(af);
    return rc;
}

void pw_atomic_abort(struct pw_atomic_file *af)
{
    if (af->fd >= 0)
        close(af->fd);
    af->fd = -1;
    if (af->tmp) {
        unlink(af->tmp);
        free(af->tmp);
        af->tmp = NULL;
    }
    free(af->path);
    af->path = NULL;
}

int pw_atomic_write_file(const char *path, const void *data, size_t len, mode_t mode,
                         struct pw_err *err)
{
    struct pw_atomic_file af = PW_ATOMIC_FILE_INIT;
    int rc = pw_atomic_open(&af, path, mode, err);
    if (rc == 0 && pw_fs_write_all(af.fd, data, len) < 0)
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", path);
    if (rc == 0)
        rc = pw_atomic_commit(&af, err);
    pw_atomic_abort(&af);
    return rc;
}
