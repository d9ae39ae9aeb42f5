/* libarchive through dlopen: one table of the functions packwright uses, resolved once, and
 * forwarders under libarchive's own names (see archive_dl.h). */
#include "archive_dl.h"

#include <archive.h>
#include <archive_entry.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "dl.h"

#define ARCHIVE_SONAME "libarchive.so.13"
#define ARCHIVE_PACKAGE "libarchive13"

/* Every libarchive function packwright calls, by shape, so that one line makes its table
 * entry and its forwarder (a new call elsewhere fails to link until it has a line here):
 *   OWN(name)                        forwarder written out below
 *   ONE(name)                        int name(struct archive *)
 *   GET(type, name)                  type name(struct archive_entry *)
 *   SET(name, type)                  void name(struct archive_entry *, type)
 *   FN(type, name, (params), (args)) anything else
 *   VFN(name, (params), (args))      anything else returning void */
#define ARCHIVE_FUNCTIONS(OWN, ONE, GET, SET, FN, VFN)                                             \
    OWN(archive_read_new)                                                                          \
    OWN(archive_read_free)                                                                         \
    OWN(archive_write_new)                                                                         \
    OWN(archive_write_disk_new)                                                                    \
    OWN(archive_write_free)                                                                        \
    OWN(archive_entry_new)                                                                         \
    OWN(archive_entry_free)                                                                        \
    OWN(archive_set_error)                                                                         \
    ONE(archive_errno)                                                                             \
    ONE(archive_read_support_filter_all)                                                           \
    ONE(archive_read_support_filter_bzip2)                                                         \
    ONE(archive_read_support_filter_gzip)                                                          \
    ONE(archive_read_support_filter_xz)                                                            \
    ONE(archive_read_support_filter_zstd)                                                          \
    ONE(archive_read_support_format_ar)                                                            \
    ONE(archive_read_support_format_cpio)                                                          \
    ONE(archive_read_support_format_empty)                                                         \
    ONE(archive_read_support_format_gnutar)                                                        \
    ONE(archive_read_support_format_raw)                                                           \
    ONE(archive_read_support_format_tar)                                                           \
    ONE(archive_write_add_filter_none)                                                             \
    ONE(archive_write_add_filter_zstd)                                                             \
    ONE(archive_write_close)                                                                       \
    ONE(archive_write_finish_entry)                                                                \
    ONE(archive_write_set_format_cpio_newc)                                                        \
    ONE(archive_write_set_format_gnutar)                                                           \
    ONE(archive_write_set_format_pax_restricted)                                                   \
    GET(struct archive_entry *, archive_entry_clear)                                               \
    GET(mode_t, archive_entry_filetype)                                                            \
    GET(la_int64_t, archive_entry_gid)                                                             \
    GET(const char *, archive_entry_gname)                                                         \
    GET(const char *, archive_entry_hardlink)                                                      \
    GET(time_t, archive_entry_mtime)                                                               \
    GET(const char *, archive_entry_pathname)                                                      \
    GET(mode_t, archive_entry_perm)                                                                \
    GET(la_int64_t, archive_entry_size)                                                            \
    GET(int, archive_entry_size_is_set)                                                            \
    GET(const char *, archive_entry_symlink)                                                       \
    GET(la_int64_t, archive_entry_uid)                                                             \
    GET(const char *, archive_entry_uname)                                                         \
    SET(archive_entry_copy_gname, const char *)                                                    \
    SET(archive_entry_copy_pathname, const char *)                                                 \
    SET(archive_entry_copy_symlink, const char *)                                                  \
    SET(archive_entry_copy_uname, const char *)                                                    \
    SET(archive_entry_set_filetype, unsigned int)                                                  \
    SET(archive_entry_set_gid, la_int64_t)                                                         \
    SET(archive_entry_set_gname, const char *)                                                     \
    SET(archive_entry_set_hardlink, const char *)                                                  \
    SET(archive_entry_set_ino, la_int64_t)                                                         \
    SET(archive_entry_set_ino64, la_int64_t)                                                       \
    SET(archive_entry_set_mode, mode_t)                                                            \
    SET(archive_entry_set_nlink, unsigned int)                                                     \
    SET(archive_entry_set_pathname, const char *)                                                  \
    SET(archive_entry_set_perm, mode_t)                                                            \
    SET(archive_entry_set_size, la_int64_t)                                                        \
    SET(archive_entry_set_uid, la_int64_t)                                                         \
    SET(archive_entry_set_uname, const char *)                                                     \
    VFN(archive_entry_set_mtime, (struct archive_entry * e, time_t t, long ns), (e, t, ns))        \
    FN(const char *, archive_error_string, (struct archive * a), (a))                              \
    FN(la_ssize_t, archive_read_data, (struct archive * a, void *buf, size_t len), (a, buf, len))  \
    FN(int, archive_read_data_block,                                                               \
       (struct archive * a, const void **buf, size_t *len, la_int64_t *offset),                    \
       (a, buf, len, offset))                                                                      \
    FN(int, archive_read_next_header, (struct archive * a, struct archive_entry * *e), (a, e))     \
    FN(int, archive_read_open,                                                                     \
       (struct archive * a, void *data, archive_open_callback *on_open,                            \
        archive_read_callback *on_read, archive_close_callback *on_close),                         \
       (a, data, on_open, on_read, on_close))                                                      \
    FN(int, archive_read_open_filename, (struct archive * a, const char *path, size_t block),      \
       (a, path, block))                                                                           \
    FN(int, archive_read_open_memory, (struct archive * a, const void *buf, size_t len),           \
       (a, buf, len))                                                                              \
    FN(la_ssize_t, archive_write_data, (struct archive * a, const void *buf, size_t len),          \
       (a, buf, len))                                                                              \
    FN(la_ssize_t, archive_write_data_block,                                                       \
       (struct archive * a, const void *buf, size_t len, la_int64_t offset),                       \
       (a, buf, len, offset))                                                                      \
    FN(int, archive_write_disk_set_options, (struct archive * a, int flags), (a, flags))           \
    FN(int, archive_write_header, (struct archive * a, struct archive_entry * e), (a, e))          \
    FN(int, archive_write_open,                                                                    \
       (struct archive * a, void *data, archive_open_callback *on_open,                            \
        archive_write_callback *on_write, archive_close_callback *on_close),                       \
       (a, data, on_open, on_write, on_close))                                                     \
    FN(int, archive_write_open2,                                                                   \
       (struct archive * a, void *data, archive_open_callback *on_open,                            \
        archive_write_callback *on_write, archive_close_callback *on_close,                        \
        archive_free_callback *on_free),                                                           \
       (a, data, on_open, on_write, on_close, on_free))                                            \
    FN(int, archive_write_open_fd, (struct archive * a, int fd), (a, fd))                          \
    FN(int, archive_write_set_bytes_in_last_block, (struct archive * a, int n), (a, n))            \
    FN(int, archive_write_set_bytes_per_block, (struct archive * a, int n), (a, n))

/* The macros of one list entry that only need its name. */
#define NAME_1(name) X_NAME(name)
#define NAME_GET(type, name) X_NAME(name)
#define NAME_SET(name, type) X_NAME(name)
#define NAME_FN(type, name, params, args) X_NAME(name)
#define NAME_VFN(name, params, args) X_NAME(name)
#define FOR_EACH_NAME ARCHIVE_FUNCTIONS(NAME_1, NAME_1, NAME_GET, NAME_SET, NAME_FN, NAME_VFN)

struct archive_api {
#define X_NAME(name) __typeof__(name) *name;
    FOR_EACH_NAME
#undef X_NAME
};

static const struct pw_dl_fn functions[] = {
#define X_NAME(name) {#name, offsetof(struct archive_api, name)},
    FOR_EACH_NAME
#undef X_NAME
};
#define NFUNCTIONS (sizeof(functions) / sizeof(functions[0]))

int pw_archive_dl_probe(const char *soname, struct pw_err *err)
{
    struct archive_api api;
    return pw_dl_probe(soname, ARCHIVE_PACKAGE, functions, NFUNCTIONS, &api, err);
}

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static struct archive_api table;
static struct pw_err load_err;
/* Set once libarchive is loaded; the forwarders call through it. */
static const struct archive_api *lib;

/* Never unloaded: archives and entries may live until exit. */
static void load(void)
{
    struct pw_dl dl;
    if (pw_dl_load(&dl, ARCHIVE_SONAME, ARCHIVE_PACKAGE, functions, NFUNCTIONS, &table,
                   &load_err) == 0)
        lib = &table;
}

static int loaded(void)
{
    pthread_once(&load_once, load);
    return lib != NULL;
}

int pw_archive_dl_load(struct pw_err *err)
{
    if (!loaded())
        return pw_err_set(err, load_err.code, "%s", load_err.msg);
    return 0;
}

/* ---- forwarders: hidden, so they never interpose on libarchive's own exported names ---- */

#define FORWARDER __attribute__((visibility("hidden")))

/* Every call but the constructors and the destructors has an object, so libarchive is loaded. */
#define FORWARD_ONE(name) FN(int, name, (struct archive * a), (a))
#define FORWARD_GET(type, name) FN(type, name, (struct archive_entry * e), (e))
#define FORWARD_SET(name, type) VFN(name, (struct archive_entry * e, type v), (e, v))
#define FN(type, name, params, args)                                                               \
    FORWARDER type name params                                                                     \
    {                                                                                              \
        return lib->name args;                                                                     \
    }
#define VFN(name, params, args)                                                                    \
    FORWARDER void name params                                                                     \
    {                                                                                              \
        lib->name args;                                                                            \
    }
#define NONE(name)
ARCHIVE_FUNCTIONS(NONE, FORWARD_ONE, FORWARD_GET, FORWARD_SET, FN, VFN)

/* The constructors load libarchive themselves: NULL, as on a failed allocation, when it
 * cannot be loaded. */
FORWARDER struct archive *archive_read_new(void)
{
    return loaded() ? lib->archive_read_new() : NULL;
}

FORWARDER struct archive *archive_write_new(void)
{
    return loaded() ? lib->archive_write_new() : NULL;
}

FORWARDER struct archive *archive_write_disk_new(void)
{
    return loaded() ? lib->archive_write_disk_new() : NULL;
}

FORWARDER struct archive_entry *archive_entry_new(void)
{
    return loaded() ? lib->archive_entry_new() : NULL;
}

/* The destructors accept NULL, which is all there can be before libarchive is loaded. */
FORWARDER int archive_read_free(struct archive *a)
{
    return lib ? lib->archive_read_free(a) : ARCHIVE_OK;
}

FORWARDER int archive_write_free(struct archive *a)
{
    return lib ? lib->archive_write_free(a) : ARCHIVE_OK;
}

FORWARDER void archive_entry_free(struct archive_entry *e)
{
    if (lib)
        lib->archive_entry_free(e);
}

/* Formatted here: a va_list cannot be passed on to a variadic function. */
FORWARDER void archive_set_error(struct archive *a, int code, const char *fmt, ...)
{
    char msg[PW_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lib->archive_set_error(a, code, "%s", msg);
}
