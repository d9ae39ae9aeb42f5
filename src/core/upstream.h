/* Upstream repository metadata, parsed as untrusted input: apt's InRelease/Release and
 * Packages (deb822 stanzas) in upstream_apt.c, rpm-md's repomd.xml and primary.xml (expat) in
 * upstream_rpmmd.c. Pure parsers: no network, no disk; the mirror checks signatures and
 * hashes around them. Every location they return is a safe relative path (no "..", not
 * absolute), so it can name both a URL below the repository and a file below a directory. */
#ifndef PW_CORE_UPSTREAM_H
#define PW_CORE_UPSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/strvec.h"
#include "deps.h"
#include "hash.h"

enum pw_family { PW_FAMILY_DEB, PW_FAMILY_RPM };

/* One relation. version is a deb version ("1:2.0-1") or an rpm EVR ("[E:]V[-R]"); NULL with
 * PW_DEP_ANY. */
struct pw_urel {
    char *name;
    enum pw_dep_op op;
    char *version;
};

/* One dependency, satisfied by any of its alternatives (apt "a | b", rpm "(a or b)"). */
struct pw_uclause {
    struct pw_urel *alts;
    size_t nalts;
};

/* One package as an upstream index describes it. */
struct pw_upkg {
    char *name, *version, *arch; /* version: deb version, or rpm "[E:]V-R" (epoch when not 0) */
    char *location;              /* Filename: / location href, relative to the root */
    uint64_t size;
    enum pw_hash_algo algo;  /* the strongest digest the index gives */
    char *digest;            /* lowercase hex, NULL when the index gives no strong one */
    char *sha256;            /* lowercase hex SHA-256, when the index gives one */
    struct pw_uclause *deps; /* deb: Pre-Depends and Depends; rpm: requires */
    size_t ndeps;
    struct pw_urel *provides;
    size_t nprovides;
    struct pw_strvec files; /* rpm: the files primary.xml lists (for file requires) */
    size_t origin;          /* set by the caller: which index listed it (component) */
};

struct pw_upkgs {
    struct pw_upkg *v;
    size_t n, cap;
};

void pw_upkgs_init(struct pw_upkgs *l);
void pw_upkgs_release(struct pw_upkgs *l);
/* Appends a zeroed package owned by l; the pointer is valid until the next add. */
struct pw_upkg *pw_upkgs_add(struct pw_upkgs *l);
/* Sorts by name, arch, version (bytewise) and drops exact repeats (same name, version, arch
 * and digest, as `Architecture: all` packages in every binary-ARCH index). Two different
 * files under one name, version and arch are an error naming them. */
int pw_upkgs_dedupe(struct pw_upkgs *l, struct pw_err *err);
/* "name version arch" for messages, into out. */
void pw_upkg_describe(const struct pw_upkg *p, struct pw_buf *out);
/* Checks that a location is relative, has no "..", "." or empty components and no control
 * characters or backslashes. Returns NULL when safe, else the reason. */
const char *pw_upstream_location_check(const char *loc);
/* Parses "sha256" (and "sha512"; "sha" and "sha1" and "md5" are refused as weak). */
int pw_upstream_hash_algo(const char *name, enum pw_hash_algo *out);

/* ---- apt ---- */

/* One file listed in Release, with the strongest digest listed for it. */
struct pw_apt_relfile {
    char *path; /* relative to the directory holding Release */
    uint64_t size;
    enum pw_hash_algo algo;
    char *digest; /* lowercase hex */
};

struct pw_apt_release {
    char *origin, *label, *suite, *codename;
    time_t date;        /* 0 when absent */
    time_t valid_until; /* 0 when absent */
    struct pw_strvec architectures, components;
    int acquire_by_hash;
    struct pw_apt_relfile *files;
    size_t nfiles;
};

/* Splits an InRelease file as apt does in strict mode: one cleartext-signed message, nothing
 * before or after it, dash-escaping undone. content receives the signed text (every line ends
 * in '\n'). The signature itself is checked separately, over the whole file (gpg.h). */
int pw_apt_clearsigned_split(const char *data, size_t len, struct pw_buf *content,
                             struct pw_err *err);
void pw_apt_release_init(struct pw_apt_release *r);
void pw_apt_release_release(struct pw_apt_release *r);
/* Parses a Release file; refuses one without a SHA256 or SHA512 list. */
int pw_apt_release_parse(const char *text, size_t len, struct pw_apt_release *out,
                         struct pw_err *err);
const struct pw_apt_relfile *pw_apt_release_find(const struct pw_apt_release *r, const char *path);
/* Parses an RFC 1123 date in UTC ("Sat, 02 Mar 2024 10:00:00 UTC"); -1 when malformed. */
time_t pw_apt_date_parse(const char *s);
/* Appends every stanza of a Packages file to out. */
int pw_apt_packages_parse(const char *text, size_t len, struct pw_upkgs *out, struct pw_err *err);
/* Parses a Depends-style field ("a (>= 1) | b:any, c"); appends to *clauses. */
int pw_apt_relations_parse(const char *value, struct pw_uclause **clauses, size_t *n,
                           struct pw_err *err);

/* ---- rpm-md ---- */

struct pw_rpmmd_data {
    char *type; /* "primary", "filelists", ... */
    char *href; /* relative to the root */
    uint64_t size;
    enum pw_hash_algo algo;
    char *digest;
};

struct pw_rpmmd_repomd {
    char *revision;
    struct pw_rpmmd_data *v;
    size_t n;
};

void pw_rpmmd_repomd_init(struct pw_rpmmd_repomd *r);
void pw_rpmmd_repomd_release(struct pw_rpmmd_repomd *r);
int pw_rpmmd_repomd_parse(const char *xml, size_t len, struct pw_rpmmd_repomd *out,
                          struct pw_err *err);
const struct pw_rpmmd_data *pw_rpmmd_repomd_find(const struct pw_rpmmd_repomd *r, const char *type);

/* primary.xml, fed in chunks as it is decompressed; packages are appended to out. */
struct pw_rpmmd_primary;
struct pw_rpmmd_primary *pw_rpmmd_primary_new(struct pw_upkgs *out);
int pw_rpmmd_primary_feed(struct pw_rpmmd_primary *p, const void *data, size_t len, int last,
                          struct pw_err *err);
void pw_rpmmd_primary_free(struct pw_rpmmd_primary *p);

/* filelists.xml, fed in chunks: adds every file of a package to the files of the package of
 * pkgs whose digest is its pkgid (for file requirements outside primary's short list).
 * pkgs must not grow while the parser lives. */
struct pw_rpmmd_filelists;
struct pw_rpmmd_filelists *pw_rpmmd_filelists_new(struct pw_upkgs *pkgs);
int pw_rpmmd_filelists_feed(struct pw_rpmmd_filelists *f, const void *data, size_t len, int last,
                            struct pw_err *err);
void pw_rpmmd_filelists_free(struct pw_rpmmd_filelists *f);

#endif
