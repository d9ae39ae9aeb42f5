/* The exit statuses documented in doc/exit-codes.md match the error table, and the error
 * helpers compose messages as the CLI prints them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "tap.h"

static int documented(const char *doc, int status)
{
    char row[16];
    snprintf(row, sizeof(row), "\n| %d |", status);
    return strstr(doc, row) != NULL;
}

int main(void)
{
    const char *src = getenv("PW_SOURCE_DIR");
    struct pw_buf doc = PW_BUF_INIT, path = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    pw_buf_addf(&path, "%s/doc/exit-codes.md", src ? src : ".");
    TAP_INT_EQ(pw_fs_read_file(path.buf, &doc, &err), 0, "doc/exit-codes.md readable");
    int max = 0;
    for (int code = 1; code < PW_E_COUNT; code++) {
        int st = pw_err_exit_status(code);
        TAP_OK(documented(doc.buf, st), "%s exits %d, documented", pw_err_name(code), st);
        if (st > max)
            max = st;
    }
    /* Every documented status is produced by some class (no stale rows). */
    for (int st = 1; st <= 9; st++) {
        int used = 0;
        for (int code = 1; code < PW_E_COUNT; code++)
            used |= pw_err_exit_status(code) == st;
        TAP_OK(used == documented(doc.buf, st), "status %d documented iff used", st);
    }
    TAP_INT_EQ(pw_err_exit_status(PW_E_USAGE), 2, "usage is 2");
    TAP_INT_EQ(pw_err_set(&err, PW_E_IO, "cannot open '%s'", "x"), -PW_E_IO, "set returns -code");
    pw_err_prefix(&err, "building '%s' (deb): ", "p");
    TAP_STR_EQ(err.msg, "building 'p' (deb): cannot open 'x'", "prefix composes");
    pw_buf_release(&doc);
    pw_buf_release(&path);
    (void)max;
    return tap_done();
}
