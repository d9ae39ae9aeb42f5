#include "format.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/fs.h"
#include "feed.h"
#include "zstream.h"

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

/* Validation and the contents: everything before the output file. */
static int prepare(const struct pw_format *fmt, const struct pw_package *pkg,
                   const struct pw_sources *sources, const struct pw_ctx *ctx,
                   struct pw_contents *contents, struct pw_err *err)
{
    pw_contents_init(contents);
    int rc = fmt->validate ? fmt->validate(pkg, err) : 0;
    return rc < 0 ? rc : pw_contents_build(contents, pkg, sources, ctx, err);
}

static int write_package(const struct pw_format *fmt, const struct pw_package *pkg,
                         const struct pw_contents *contents, const struct pw_ctx *ctx,
                         const char *out_dir, struct pw_buf *out_path, struct pw_err *err)
{
    int rc = pw_fs_mkdir_p(out_dir, 0755, err);
    if (rc < 0)
        return rc;
    struct pw_buf name = PW_BUF_INIT;
    fmt->file_name(pkg, &name);
    pw_buf_reset(out_path);
    pw_buf_addf(out_path, "%s/%s", out_dir, name.buf);
    pw_buf_release(&name);

    struct pw_atomic_file af = PW_ATOMIC_FILE_INIT;
    rc = pw_atomic_open(&af, out_path->buf, 0644, err);
    if (rc < 0)
        return rc;
    rc = fmt->write(pkg, contents, ctx, af.fd, err);
    if (rc < 0) {
        pw_atomic_abort(&af);
        return rc;
    }
    return pw_atomic_commit(&af, err);
}

int pw_format_build(const struct pw_format *fmt, const struct pw_package *pkg,
                    const struct pw_sources *sources, const struct pw_ctx *ctx, const char *out_dir,
                    struct pw_buf *out_path, struct pw_err *err)
{
    struct pw_contents contents;
    int rc = prepare(fmt, pkg, sources, ctx, &contents, err);
    if (rc == 0)
        rc = write_package(fmt, pkg, &contents, ctx, out_dir, out_path, err);
    pw_contents_release(&contents);
    return rc;
}

struct job_run {
    struct pw_format_job *job;
    struct pw_ctx ctx; /* a copy with this job's compressor threads */
    const char *out_dir;
    struct pw_contents contents;
};

static void *run_job(void *arg)
{
    struct job_run *jr = arg;
    struct pw_format_job *j = jr->job;
    j->rc = write_package(j->fmt, j->pkg, &jr->contents, &jr->ctx, jr->out_dir, &j->path, &j->err);
    if (jr->contents.feed)
        pw_feed_detach(jr->contents.feed, jr->contents.feed_id);
    return NULL;
}

static int online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* The feed's ring for block-buffering compressors (xz's multi-threaded encoder takes a whole
 * block, 3 x its dictionary, before it waits): two blocks, because the tar and cpio streams
 * frame the same files differently and reach a block's end at different files (see
 * pw_feed_new). Without it, 5,000 small files at xz -6 build one format after the other. */
static size_t feed_ring(const struct pw_ctx *ctx)
{
    const struct pw_compression *c[2] = {&ctx->deb_compression, &ctx->rpm_compression};
    size_t ring = 0;
    for (int i = 0; i < 2; i++)
        if (c[i]->method == PW_COMPRESS_XZ) {
            uint64_t b = pw_zstream_xz_block_size(pw_compression_level(c[i]));
            if (b > ring)
                ring = (size_t)b * 2;
        }
    return ring;
}

/* Every job's contents first; then one reader for all of them (feed.h) when there are
 * several, so each source file is read and hashed once. */
static int prepare_all(struct pw_format_job *jobs, struct job_run *runs, size_t n,
                       const struct pw_ctx *ctx, struct pw_feed **feed)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        pw_err_init(&jobs[i].err);
        jobs[i].rc = prepare(jobs[i].fmt, jobs[i].pkg, jobs[i].sources, ctx, &runs[i].contents,
                             &jobs[i].err);
        if (jobs[i].rc < 0 && rc == 0)
            rc = jobs[i].rc;
    }
    *feed = NULL;
    if (rc < 0 || n < 2)
        return rc;
    const struct pw_contents **lists = pw_xcalloc(n, sizeof(*lists));
    for (size_t i = 0; i < n; i++)
        lists[i] = &runs[i].contents;
    *feed = pw_feed_new(lists, n, feed_ring(ctx));
    free(lists);
    for (size_t i = 0; *feed && i < n; i++) {
        runs[i].contents.feed = *feed;
        runs[i].contents.feed_id = (int)i;
    }
    return 0;
}

int pw_format_build_jobs(struct pw_format_job *jobs, size_t n, const struct pw_ctx *ctx,
                         const char *out_dir)
{
    int threads = ctx->threads > 0 ? ctx->threads : online_cpus();
    int each = n ? threads / (int)n : 1;
    size_t alloc = n ? n : 1;
    struct job_run *runs = pw_xcalloc(alloc, sizeof(*runs));
    pthread_t *tids = pw_xcalloc(alloc, sizeof(*tids));
    int *started = pw_xcalloc(alloc, sizeof(*started));
    struct pw_feed *feed = NULL;
    pthread_t reader;
    int reader_started = 0;
    int rc = prepare_all(jobs, runs, n, ctx, &feed);
    if (rc == 0 && feed) {
        reader_started = pthread_create(&reader, NULL, pw_feed_run, feed) == 0;
        if (!reader_started) {
            for (size_t i = 0; i < n; i++)
                runs[i].contents.feed = NULL; /* every writer reads for itself */
        }
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        runs[i].job = &jobs[i];
        runs[i].ctx = *ctx;
        runs[i].out_dir = out_dir;
        runs[i].ctx.deb_compression.threads = each < 1 ? 1 : each;
        runs[i].ctx.rpm_compression.threads = each < 1 ? 1 : each;
        /* the last job runs on this thread; a failed thread start runs inline too */
        started[i] = i + 1 < n && pthread_create(&tids[i], NULL, run_job, &runs[i]) == 0;
        if (!started[i])
            run_job(&runs[i]);
    }
    for (size_t i = 0; i < n; i++) {
        if (started[i])
            pthread_join(tids[i], NULL);
    }
    if (reader_started)
        pthread_join(reader, NULL);
    pw_feed_free(feed);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = jobs[i].rc;
    for (size_t i = 0; i < n; i++)
        pw_contents_release(&runs[i].contents);
    free(runs);
    free(tids);
    free(started);
    return rc;
}
