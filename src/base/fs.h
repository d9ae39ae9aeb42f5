/* File-system helpers: whole-file reads, mkdir -p, and the atomic output file
 * (temp file in the target's directory, fsync, rename, fsync of the directory). */
#ifndef PW_BASE_FS_H
#define PW_BASE_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "err.h"

int pw_fs_read_file(const char *path, struct pw_buf *out, struct pw_err *err);
int pw_fs_write_all(int fd, const void *data, size_t len);
/* Reads until len bytes or end of file (EINTR retried); the count read, or -1 on error. */
ssize_t pw_fs_read_full(int fd, void *buf, size_t len);
int pw_fs_mkdir_p(const char *path, mode_t mode, struct pw_err *err);
int pw_fs_fsync_dir_of(const char *path);
/* Removes a directory tree; missing paths are not an error. */
int pw_fs_remove_tree(const char *path, struct pw_err *err);
int pw_fs_exists(const char *path);

#define PW_ATOMIC_FILE_INIT {NULL, NULL, -1}

struct pw_atomic_file {
    char *path; /* final name */
    char *tmp;  /* temp name in the same directory */
    int fd;
};

/* Creates PATH.tmp-XXXXXX beside path, mode applied on commit. */
int pw_atomic_open(struct pw_atomic_file *af, const char *path, mode_t mode, struct pw_err *err);
/* fsync, rename over path, fsync the directory; always releases af. */
int pw_atomic_commit(struct pw_atomic_file *af, struct pw_err *err);
/* Removes the temp file; safe after commit or on a PW_ATOMIC_FILE_INIT struct. */
void pw_atomic_abort(struct pw_atomic_file *af);
/* The three above for a file whose whole content is in memory. */
int pw_atomic_write_file(const char *path, const void *data, size_t len, mode_t mode,
                         struct pw_err *err);
/* Optional hook for tests: when the environment variable PW_FAIL_BEFORE_RENAME is set,
 * commit fails after writing the temp file and before the rename. */

#endif
