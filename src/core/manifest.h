/* The typed manifest (pkg/<name>/package.json). manifest.c is the only cJSON user: a field
 * table drives parsing, validation and doc/manifest.md. Loading resolves ${vars} and the
 * per-format overrides, so each format gets one complete struct pw_package. */
#ifndef PW_CORE_MANIFEST_H
#define PW_CORE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/strvec.h"

enum pw_entry_type {
    PW_ENTRY_FILE,
    PW_ENTRY_CONFIG,
    PW_ENTRY_CONFIG_NOREPLACE,
    PW_ENTRY_DIR,
    PW_ENTRY_SYMLINK,
    PW_ENTRY_GHOST,
    PW_ENTRY_TREE,
};

/* One `contents` entry as the manifest wrote it (after ${var} expansion). */
struct pw_content_spec {
    enum pw_entry_type type;
    char *src;       /* absolute path on disk (resolved, inside the manifest dir), or NULL;
                        "source:NAME/path" references stay as written until sources resolve */
    char *target;    /* symlink target, or NULL */
    char *dst;       /* absolute, normalised package path */
    int mode;        /* permission bits, -1 when not given */
    char *owner;     /* NULL: root */
    char *group;     /* NULL: root */
    int64_t mtime;   /* -1 when not given */
    char *json_path; /* "contents[3]", for messages */
    /* `content`: the file's bytes (decoded per `encoding`) when has_content; src is NULL then */
    int has_content;
    unsigned char *content;
    size_t content_len;
    int base64;   /* `encoding: base64` (content is decoded at load) */
    int optional; /* a source: src the fetched source may lack: the entry is skipped then */
};

/* A source is one download (url and one digest, optionally extract), a list of downloads
 * (files: each an url and one digest, named by the url's last component), or alternative
 * layouts of either kind (layouts, chosen by layout: "auto" tries them in order). */
struct pw_source_spec {
    char *name; /* the source's name; a layout's name; NULL for a files entry */
    char *url;
    char *sha256;             /* lowercase hex or NULL */
    char *sha512;             /* lowercase hex or NULL */
    char *sha512_url;         /* sha512sum-format file, or NULL */
    struct pw_strvec extract; /* members to take from a tar archive; empty: not an archive */
    struct pw_strvec extract_optional; /* members taken when the archive has them */
    struct pw_source_spec *files;      /* loose downloads, or NULL */
    size_t nfiles;
    char *layout; /* "auto" or the name of one of layouts; NULL without layouts */
    struct pw_source_spec *layouts;
    size_t nlayouts;
    char *json_path;
};

enum pw_script_kind {
    PW_SCRIPT_PREINST,
    PW_SCRIPT_POSTINST,
    PW_SCRIPT_PRERM,
    PW_SCRIPT_POSTRM,
    PW_SCRIPT_PRETRANS,  /* rpm only */
    PW_SCRIPT_POSTTRANS, /* rpm only */
    PW_SCRIPT_COUNT
};

struct pw_script {
    char *path;         /* file it came from, NULL when absent */
    struct pw_buf body; /* the author's script, starting with "#!" */
    char *interpreter;  /* from the "#!" line, e.g. "/bin/sh" */
};

struct pw_changelog_entry {
    char *version;
    char *date;   /* as written (RFC 3339 date or date-time) */
    int64_t time; /* the same, in seconds since the epoch, UTC */
    char *author; /* "Name <email>" */
    char *text;   /* one or more lines */
};

/* Portable dependency: "name", "name (>= 1.2)", or alternatives "a | b (<< 2)". Kept as
 * validated strings; per-format translation lives in deps.h. */
struct pw_package {
    char *manifest_path;
    char *manifest_dir;

    char *name;
    char *version;
    char *release; /* default "1" */
    int64_t epoch; /* -1 when absent */
    char *arch;    /* canonical: amd64, arm64, all, ... (deb spelling); see arch.h */
    char *summary;
    char *description; /* extended description, may hold several lines and blank lines */
    char *maintainer;
    char *vendor;
    char *homepage;
    char *license;
    char *section;
    char *priority;
    char *group; /* rpm group */

    struct pw_strvec depends, recommends, suggests, conflicts, provides, replaces, breaks;
    struct pw_strvec enhances;

    struct pw_content_spec *contents;
    size_t ncontents;
    struct pw_source_spec *sources;
    size_t nsources;
    struct pw_script scripts[PW_SCRIPT_COUNT];
    struct pw_changelog_entry *changelog; /* newest first, as written */
    size_t nchangelog;
    char *copyright; /* absolute path of the copyright file, or NULL */
};

struct pw_vars; /* see vars.h */

struct pw_manifest {
    struct pw_package deb; /* base fields with overrides.deb applied */
    struct pw_package rpm; /* base fields with overrides.rpm applied */
    int enabled;           /* result of `when` (1 when absent) */
    /* When enabled is 0: the `when` value as written. Only name (best effort),
     * manifest_path and manifest_dir of deb and rpm are set then. */
    char *when;
};

struct pw_manifest_opts {
    const struct pw_vars *vars; /* --vars/--var values, winning over the manifest's; or NULL */
    /* --arch: replaces the manifest's arch unless that is "all", and is the default when the
     * manifest has none; NULL: the build host's architecture is the default. */
    const char *arch;
    /* A directory that `src` may name besides the manifest's own (realpath), or NULL: the
     * build tree the running packwright comes from, so pkg/packwright can package the
     * binaries built beside it (chosen by the CLI, never by a manifest). */
    const char *build_tree;
};

/* Loads PATH (a package.json, or a directory holding one) with variables from vars.
 * On error, err holds "FILE: json.path: message" (or "FILE:LINE:COL: message" for JSON syntax)
 * and the code is PW_E_MANIFEST. */
int pw_manifest_load(struct pw_manifest *m, const char *path, const struct pw_vars *vars,
                     struct pw_err *err);
int pw_manifest_load_opts(struct pw_manifest *m, const char *path,
                          const struct pw_manifest_opts *opts, struct pw_err *err);
/* The same from memory: file names the manifest (messages, and its directory anchors
 * relative paths; that directory must exist). data need not be NUL-terminated. */
int pw_manifest_load_mem(struct pw_manifest *m, const char *file, const char *data, size_t len,
                         const struct pw_manifest_opts *opts, struct pw_err *err);
void pw_manifest_release(struct pw_manifest *m);
void pw_package_release(struct pw_package *p);

/* Markdown reference of every field, generated from the parser's field table. */
void pw_manifest_doc(struct pw_buf *out);

const char *pw_script_name(enum pw_script_kind k); /* "preinst" ... */
const char *pw_entry_type_name(enum pw_entry_type t);

#endif
