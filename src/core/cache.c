#define _POSIX_C_SOURCE 200809L
#include "cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void pw_cache_object_path(const char *dir, enum pw_hash_algo algo, const char *hex,
                          struct pw_buf *out)
{
    pw_buf_addf(out, "%s/%s/%.2s/%s", dir, pw_hash_name(algo), hex, hex);
}

static void url_entry_path(const char *dir, const char *url, struct pw_buf *out)
{
    unsigned char md[PW_HASH_MAX_LEN];
    char hex[2 * PW_HASH_MAX_LEN + 1];
    pw_hash_buffer(PW_HASH_SHA256, url, strlen(url), md);
    pw_hex(md, pw_hash_len(PW_HASH_SHA256), hex);
    pw_buf_addf(out, "%s/url/%.2s/%s", dir, hex, hex);
}

/* Creates the directory that will hold path. */
static int make_parent(const char *path, struct pw_err *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char *parent = pw_xstrndup(path, (size_t)(slash - path));
    int rc = pw_fs_mkdir_p(parent, 0755, err);
    free(parent);
    return rc;
}

int pw_cache_lookup(const char *dir, enum pw_hash_algo algo, const char *hex, struct pw_buf *path,
                    int *corrupt, struct pw_err *err)
{
    *corrupt = 0;
    struct pw_buf p = PW_BUF_INIT;
    pw_cache_object_path(dir, algo, hex, &p);
    struct stat st;
    if (stat(p.buf, &st) < 0 || !S_ISREG(st.st_mode)) {
        pw_buf_release(&p);
        return 0;
    }
    unsigned char md[PW_HASH_MAX_LEN];
    char got[2 * PW_HASH_MAX_LEN + 1];
    int rc = pw_hash_file(algo, p.buf, md, err);
    if (rc < 0) {
        pw_buf_release(&p);
        return rc;
    }
    pw_hex(md, pw_hash_len(algo), got);
    if (strcmp(got, hex) != 0) {
        *corrupt = 1;
        pw_buf_release(&p);
        return 0;
    }
    pw_buf_add(path, p.buf, p.len);
    pw_buf_release(&p);
    return 1;
}

int pw_cache_writer_open(struct pw_cache_writer *w, const char *dir, enum pw_hash_algo algo,
                         const char *hex, struct pw_err *err)
{
    memset(w, 0, sizeof(*w));
    w->file = (struct pw_atomic_file)PW_ATOMIC_FILE_INIT;
    struct pw_buf path = PW_BUF_INIT;
    pw_cache_object_path(dir, algo, hex, &path);
    int rc = make_parent(path.buf, err);
    if (rc == 0)
        rc = pw_atomic_open(&w->file, path.buf, 0644, err);
    pw_buf_release(&path);
    if (rc < 0)
        return rc;
    w->algo = algo;
    w->want = pw_xstrdup(hex);
    pw_hash_init(&w->hash, algo);
    return 0;
}

int pw_cache_writer_write(struct pw_cache_writer *w, const void *data, size_t len,
                          struct pw_err *err)
{
    if (pw_fs_write_all(w->file.fd, data, len) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", w->file.tmp);
    pw_hash_update(&w->hash, data, len);
    w->size += len;
    return 0;
}

int pw_cache_writer_reset(struct pw_cache_writer *w, struct pw_err *err)
{
    if (ftruncate(w->file.fd, 0) < 0 || lseek(w->file.fd, 0, SEEK_SET) < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot truncate '%s'", w->file.tmp);
    pw_hash_release(&w->hash);
    pw_hash_init(&w->hash, w->algo);
    w->size = 0;
    return 0;
}

int pw_cache_writer_commit(struct pw_cache_writer *w, struct pw_buf *path, struct pw_err *err)
{
    unsigned char md[PW_HASH_MAX_LEN];
    char got[2 * PW_HASH_MAX_LEN + 1];
    pw_hash_final(&w->hash, md);
    pw_hex(md, pw_hash_len(w->algo), got);
    int rc;
    if (strcmp(got, w->want) != 0) {
        rc = pw_err_set(err, PW_E_CHECKSUM, "%s mismatch: expected %s, got %s",
                        pw_hash_name(w->algo), w->want, got);
        pw_cache_writer_abort(w);
        return rc;
    }
    char *final = pw_xstrdup(w->file.path);
    rc = pw_atomic_commit(&w->file, err);
    if (rc == 0)
        pw_buf_adds(path, final);
    free(final);
    pw_cache_writer_abort(w);
    return rc;
}

void pw_cache_writer_abort(struct pw_cache_writer *w)
{
    if (!w->want)
        return;
    pw_atomic_abort(&w->file);
    if (w->hash.impl)
        pw_hash_release(&w->hash);
    free(w->want);
    w->want = NULL;
}

int pw_cache_url_load(const char *dir, const char *url, struct pw_buf *out, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT;
    url_entry_path(dir, url, &path);
    int rc = 0;
    if (pw_fs_exists(path.buf))
        rc = pw_fs_read_file(path.buf, out, err) < 0 ? -err->code : 1;
    pw_buf_release(&path);
    return rc;
}

int pw_cache_url_store(const char *dir, const char *url, const void *data, size_t len,
                       struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT;
    struct pw_atomic_file af = PW_ATOMIC_FILE_INIT;
    url_entry_path(dir, url, &path);
    int rc = make_parent(path.buf, err);
    if (rc == 0)
        rc = pw_atomic_open(&af, path.buf, 0644, err);
    if (rc == 0 && pw_fs_write_all(af.fd, data, len) < 0)
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", path.buf);
    if (rc == 0)
        rc = pw_atomic_commit(&af, err);
    pw_atomic_abort(&af);
    pw_buf_release(&path);
    return rc;
}
