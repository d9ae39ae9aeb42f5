#include "format.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/fs.h"

static const struct pw_format *const formats[] = {
    &pw_format_deb,
    &pw_format_rpm,
};

const struct pw_format *pw_format_at(size_t i)
{
    return i < sizeof(formats) / sizeof(formats[0]) ? formats[i] : NULL;
}

const struct pw_format *pw_format_lookup(const char *name)
{
    for (size_t i = 0; pw_format_at(i); i++)
        if (!strcmp(formats[i]->name, name))
            return formats[i];
    return NULL;
}

const struct pw_format *pw_format_probe_file(const char *path, struct pw_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", path);
        return NULL;
    }
    unsigned char head[512];
    ssize_t n = read(fd, head, sizeof(head));
    close(fd);
    if (n < 0) {
        pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", path);
        return NULL;
    }
    for (size_t i = 0; pw_format_at(i); i++)
        if (formats[i]->probe && formats[i]->probe(head, (size_t)n))
            return formats[i];
    pw_err_set(err, PW_E_FORMAT, "'%s' is neither a .deb nor an .rpm package", path);
    return NULL;
}

int pw_format_build(const struct pw_format *fmt, const struct pw_package *pkg,
                    const struct pw_sources *sources, const struct pw_ctx *ctx, const char *out_dir, struct pw_buf *out_path,
                    struct pw_err *err)
{
    int rc = fmt->validate ? fmt->validate(pkg, err) : 0;
    if (rc < 0)
        return rc;
    struct pw_contents contents;
    pw_contents_init(&contents);
    rc = pw_contents_build(&contents, pkg, sources, ctx, err);
    if (rc < 0)
        return rc;
    rc = pw_fs_mkdir_p(out_dir, 0755, err);
    if (rc < 0)
        goto out;
    struct pw_buf name = PW_BUF_INIT;
    fmt->file_name(pkg, &name);
    pw_buf_reset(out_path);
    pw_buf_addf(out_path, "%s/%s", out_dir, name.buf);
    pw_buf_release(&name);

    struct pw_atomic_file af = PW_ATOMIC_FILE_INIT;
    rc = pw_atomic_open(&af, out_path->buf, 0644, err);
    if (rc < 0)
        goto out;
    rc = fmt->write(pkg, &contents, ctx, af.fd, err);
    if (rc < 0) {
        pw_atomic_abort(&af);
        goto out;
    }
    rc = pw_atomic_commit(&af, err);
out:
    pw_contents_release(&contents);
    return rc;
}
