/* archive_dl.c: libarchive is found at run time, a missing library or function is reported
 * with the package to install, loading is done once, and the forwarders reach the library.
 * (Archives read and written through it: test_archive.c and the deb, rpm, bundle tests.) */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>

#include "core/archive_dl.h"
#include "tap.h"

struct mem {
    char buf[10240 * 2];
    size_t len;
};

static la_ssize_t mem_write(struct archive *a, void *data, const void *buf, size_t len)
{
    struct mem *m = data;
    if (len > sizeof(m->buf) - m->len) {
        archive_set_error(a, ENOSPC, "%zu bytes do not fit", len);
        return -1;
    }
    memcpy(m->buf + m->len, buf, len);
    m->len += len;
    return (la_ssize_t)len;
}

int main(void)
{
    struct pw_err err;
    pw_err_init(&err);
    TAP_INT_EQ(pw_archive_dl_probe("libarchive.so.13", &err), 0,
               "libarchive.so.13 has every function: %s", err.msg);

    pw_err_init(&err);
    TAP_INT_EQ(pw_archive_dl_probe("libpw-no-such-archive.so.13", &err), -PW_E_FAIL,
               "a missing library is an error");
    TAP_STR_EQ(err.msg,
               "cannot load libpw-no-such-archive.so.13: cannot open shared object file: No such "
               "file or directory; install libarchive13",
               "it names the library, the cause once, and the package");

    pw_err_init(&err);
    TAP_INT_EQ(pw_archive_dl_probe("libz.so.1", &err), -PW_E_FAIL,
               "a library without libarchive's functions is refused");
    TAP_OK(strstr(err.msg, "undefined symbol: archive_read_new") != NULL &&
               strstr(err.msg, "; install libarchive13") != NULL,
           "it names the first missing function: %s", err.msg);

    TAP_INT_EQ(archive_read_free(NULL), ARCHIVE_OK, "freeing nothing needs no library");
    archive_entry_free(NULL);

    pw_err_init(&err);
    TAP_INT_EQ(pw_archive_dl_load(&err), 0, "libarchive loads: %s", err.msg);
    TAP_INT_EQ(pw_archive_dl_load(&err), 0, "a second load is a no-op");

    /* One round trip through the forwarders: an entry written to memory and read back. */
    static struct mem tar;
    struct archive *w = archive_write_new();
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "hello");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, 5);
    int ok = archive_write_set_format_gnutar(w) == ARCHIVE_OK &&
             archive_write_open(w, &tar, NULL, mem_write, NULL) == ARCHIVE_OK &&
             archive_write_header(w, e) == ARCHIVE_OK && archive_write_data(w, "world", 5) == 5 &&
             archive_write_close(w) == ARCHIVE_OK;
    archive_entry_free(e);
    archive_write_free(w);
    TAP_OK(ok, "an archive is written through the forwarders");

    struct archive *r = archive_read_new();
    archive_read_support_format_tar(r);
    char body[8] = {0};
    ok = archive_read_open_memory(r, tar.buf, tar.len) == ARCHIVE_OK &&
         archive_read_next_header(r, &e) == ARCHIVE_OK &&
         !strcmp(archive_entry_pathname(e), "hello") && archive_read_data(r, body, 8) == 5;
    TAP_STR_EQ(body, "world", "and read back: %s", ok ? "ok" : archive_error_string(r));
    archive_read_free(r);
    return tap_done();
}
