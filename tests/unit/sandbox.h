/* Temp directories and file helpers for unit tests that touch the file system. */
#ifndef PW_TESTS_SANDBOX_H
#define PW_TESTS_SANDBOX_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"

/* A fresh directory under $TMPDIR; the caller frees the string. */
static inline char *sandbox_new(const char *tag)
{
    const char *tmp = getenv("TMPDIR");
    struct pw_buf b = PW_BUF_INIT;
    pw_buf_addf(&b, "%s/pw-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag);
    if (!mkdtemp(b.buf)) {
        perror("mkdtemp");
        abort();
    }
    return pw_buf_detach(&b, NULL);
}

static inline void sandbox_remove(char *dir)
{
    struct pw_err err;
    pw_err_init(&err);
    if (!getenv("PW_KEEP"))
        pw_fs_remove_tree(dir, &err);
    free(dir);
}

static inline void sandbox_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

static inline char *sandbox_read(const char *path)
{
    struct pw_buf b = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    if (pw_fs_read_file(path, &b, &err) < 0) {
        pw_buf_release(&b);
        return NULL;
    }
    return pw_buf_detach(&b, NULL);
}

static int sandbox_files_seen;
static int sandbox_count_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)p;
    (void)st;
    (void)ftw;
    if (flag == FTW_F || flag == FTW_SL)
        sandbox_files_seen++;
    return 0;
}

/* Number of non-directories below dir (0 when dir is missing). */
static inline int sandbox_count_files(const char *dir)
{
    sandbox_files_seen = 0;
    struct stat st;
    if (lstat(dir, &st) < 0)
        return 0;
    nftw(dir, sandbox_count_one, 16, FTW_PHYS);
    return sandbox_files_seen;
}

#endif
