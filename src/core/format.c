#include "format.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
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
                    const struct pw_sources *sources, const struct pw_ctx *ctx, const char *out_dir,
                    struct pw_buf *out_path, struct pw_err *err)
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

struct job_run {
    struct pw_format_job *job;
    struct pw_ctx ctx; /* a copy with this job's compressor threads */
    const char *out_dir;
};

static void *run_job(void *arg)
{
    struct job_run *jr = arg;
    struct pw_format_job *j = jr->job;
    pw_err_init(&j->err);
    j->rc = pw_format_build(j->fmt, j->pkg, j->sources, &jr->ctx, jr->out_dir, &j->path, &j->err);
    return NULL;
}

static int online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

int pw_format_build_jobs(struct pw_format_job *jobs, size_t n, const struct pw_ctx *ctx,
                         const char *out_dir)
{
    int threads = ctx->threads > 0 ? ctx->threads : online_cpus();
    int each = n ? threads / (int)n : 1;
    struct job_run *runs = pw_xcalloc(n ? n : 1, sizeof(*runs));
    pthread_t *tids = pw_xcalloc(n ? n : 1, sizeof(*tids));
    int *started = pw_xcalloc(n ? n : 1, sizeof(*started));
    for (size_t i = 0; i < n; i++) {
        runs[i] = (struct job_run){&jobs[i], *ctx, out_dir};
        runs[i].ctx.deb_compression.threads = each < 1 ? 1 : each;
        runs[i].ctx.rpm_compression.threads = each < 1 ? 1 : each;
        /* the last job runs on this thread; a failed thread start runs inline too */
        started[i] = i + 1 < n && pthread_create(&tids[i], NULL, run_job, &runs[i]) == 0;
        if (!started[i])
            run_job(&runs[i]);
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (started[i])
            pthread_join(tids[i], NULL);
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = jobs[i].rc;
    free(runs);
    free(tids);
    free(started);
    return rc;
}
