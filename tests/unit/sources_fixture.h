/* Fixtures for the sources tests: hand-made packages (no manifest loader needed), tar archives
 * written with libarchive, digests. */
#ifndef PW_TESTS_SOURCES_FIXTURE_H
#define PW_TESTS_SOURCES_FIXTURE_H

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/manifest.h"
#include "sandbox.h"

struct tar_member {
    const char *name;
    const char *body;     /* NULL: a directory (unless a link) */
    const char *symlink;  /* target of a symbolic link */
    const char *hardlink; /* earlier member this one is a hard link to */
};

static inline void fixture_tar_entry(struct archive *a, const struct tar_member *m)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, m->name);
    archive_entry_set_perm(e, 0755);
    if (m->symlink) {
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, m->symlink);
    } else if (m->hardlink) {
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, m->hardlink);
    } else {
        archive_entry_set_filetype(e, m->body ? AE_IFREG : AE_IFDIR);
        archive_entry_set_size(e, m->body ? (la_int64_t)strlen(m->body) : 0);
    }
    archive_write_header(a, e);
    if (m->body && !m->symlink && !m->hardlink)
        archive_write_data(a, m->body, strlen(m->body));
    archive_entry_free(e);
}

/* Writes a tar archive compressed with filter (ARCHIVE_FILTER_GZIP, ...). */
static inline void fixture_tar(const char *path, int filter, const struct tar_member *m)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter(a, filter);
    if (archive_write_open_filename(a, path) != ARCHIVE_OK) {
        fprintf(stderr, "%s: %s\n", path, archive_error_string(a));
        abort();
    }
    for (; m->name; m++)
        fixture_tar_entry(a, m);
    archive_write_close(a);
    archive_write_free(a);
}

static inline void fixture_file_hex(enum pw_hash_algo algo, const char *path, char *hex)
{
    unsigned char md[PW_HASH_MAX_LEN];
    struct pw_err err;
    pw_err_init(&err);
    if (pw_hash_file(algo, path, md, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        abort();
    }
    pw_hex(md, pw_hash_len(algo), hex);
}

/* A package with up to 4 sources, filled by fixture_source(). */
struct fixture_pkg {
    struct pw_package pkg;
    struct pw_source_spec src[4];
};

static inline void fixture_pkg_init(struct fixture_pkg *f)
{
    memset(f, 0, sizeof(*f));
    f->pkg.manifest_path = "pkg/demo/package.json";
    f->pkg.name = "demo";
    f->pkg.sources = f->src;
}

/* Adds a source; checksum_kind is "sha256", "sha512" or "sha512_url". Strings are borrowed. */
static inline struct pw_source_spec *fixture_source(struct fixture_pkg *f, const char *name,
                                                    const char *url, const char *checksum_kind,
                                                    const char *checksum)
{
    struct pw_source_spec *s = &f->src[f->pkg.nsources++];
    s->name = (char *)name;
    s->url = (char *)url;
    if (!strcmp(checksum_kind, "sha256"))
        s->sha256 = (char *)checksum;
    else if (!strcmp(checksum_kind, "sha512"))
        s->sha512 = (char *)checksum;
    else
        s->sha512_url = (char *)checksum;
    return s;
}

static inline void fixture_pkg_release(struct fixture_pkg *f)
{
    for (size_t i = 0; i < f->pkg.nsources; i++)
        pw_strvec_release(&f->src[i].extract);
}

#endif
