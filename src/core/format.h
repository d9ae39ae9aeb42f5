/* Package formats behind one small const vtable; format.c holds the explicit table. */
#ifndef PW_CORE_FORMAT_H
#define PW_CORE_FORMAT_H

#include "../base/buf.h"
#include "../base/err.h"
#include "contents.h"
#include "ctx.h"
#include "manifest.h"
#include "pkginfo.h"

struct pw_format {
    const char *name; /* "deb", "rpm" */
    /* Conventional file name: NAME_VERSION-RELEASE_DEBARCH.deb, NAME-VERSION-RELEASE.ARCH.rpm */
    void (*file_name)(const struct pw_package *pkg, struct pw_buf *out);
    /* Checks what only this format cares about (name and version syntax, ...). */
    int (*validate)(const struct pw_package *pkg, struct pw_err *err);
    /* Writes the whole package to fd (a temp file the caller renames on success). */
    int (*write)(const struct pw_package *pkg, const struct pw_contents *contents,
                 const struct pw_ctx *ctx, int fd, struct pw_err *err);
    /* Reads a package file back into the common inspect model. */
    int (*read)(const char *path, struct pw_pkginfo *info, struct pw_err *err);
    /* Does this file look like one of ours (by magic bytes)? */
    int (*probe)(const unsigned char *head, size_t len);
};

extern const struct pw_format pw_format_deb;
extern const struct pw_format pw_format_rpm;

const struct pw_format *pw_format_lookup(const char *name);
/* Finds the format of an existing file by its first bytes. */
const struct pw_format *pw_format_probe_file(const char *path, struct pw_err *err);
/* Iteration: returns NULL past the end. */
const struct pw_format *pw_format_at(size_t i);

/* Builds one package: contents, writer into a temp file in out_dir, rename. On success
 * out_path holds the final path. */
int pw_format_build(const struct pw_format *fmt, const struct pw_package *pkg,
                    const struct pw_sources *sources, const struct pw_ctx *ctx, const char *out_dir,
                    struct pw_buf *out_path, struct pw_err *err);

/* One package of one format, for pw_format_build_jobs. */
struct pw_format_job {
    const struct pw_format *fmt;
    const struct pw_package *pkg;
    const struct pw_sources *sources;
    struct pw_buf path; /* out: the package written (init with PW_BUF_INIT) */
    struct pw_err err;  /* out: why it failed */
    int rc;             /* out: 0 or a negative PW_E_* */
};

/* Builds every job at once, each on its own thread, so the formats' compressors run side by
 * side; ctx->threads (0: the online CPUs) is shared out between the compressors. The bytes do
 * not depend on how many threads there are. Returns the first failing job's rc, or 0. */
int pw_format_build_jobs(struct pw_format_job *jobs, size_t n, const struct pw_ctx *ctx,
                         const char *out_dir);

#endif
