/* The config file being edited: a lock on its directory (held until release, so concurrent
 * helpers take turns and none loses an update), its bytes, and an atomic replacement that
 * keeps its mode and owner: temp file in the same directory, fsync, rename, fsync of the
 * directory. Symlinks are followed to the file they name. */
#ifndef PW_TOML_TOMLFILE_H
#define PW_TOML_TOMLFILE_H

#include <sys/stat.h>

#include "../base/buf.h"
#include "../base/err.h"

struct pw_tomlfile {
    char *path; /* the file itself, symlinks resolved */
    int dir_fd; /* its directory; locked when the file was opened for writing */
    int exists;
    struct stat st;     /* of the file, when it exists */
    struct pw_buf text; /* its bytes; empty when it does not exist */
};

#define PW_TOMLFILE_INIT                                                                           \
    {                                                                                              \
        NULL, -1, 0, {0}, PW_BUF_INIT                                                              \
    }

enum pw_tomlfile_flags {
    PW_TOMLFILE_LOCK = 1,  /* lock the directory (wait up to lock_timeout seconds) */
    PW_TOMLFILE_MKDIR = 2, /* create the directory (mode 0755) when it is missing */
};

/* Reads path (flags: enum pw_tomlfile_flags). The lock is not taken again when `held` (may be
 * NULL) is a file of the same directory whose lock this process holds already; nor when the
 * directory does not exist and is not to be created (then the file does not exist either).
 * PW_E_LOCKED when the lock cannot be had in time. */
int pw_tomlfile_open(struct pw_tomlfile *f, const char *path, unsigned flags, unsigned lock_timeout,
                     const struct pw_tomlfile *held, struct pw_err *err);
/* Replaces the file with text. A new file gets mode 0644. When the environment variable
 * PW_FAIL_BEFORE_RENAME is set, fails after writing the temp file and before the rename
 * (for tests). */
int pw_tomlfile_write(struct pw_tomlfile *f, const char *text, size_t len, struct pw_err *err);
int pw_tomlfile_remove(struct pw_tomlfile *f, struct pw_err *err);
void pw_tomlfile_release(struct pw_tomlfile *f);

#endif
