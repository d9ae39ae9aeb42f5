/* Reading packages for indexing: the control stanza of a .deb (libarchive, pkgread_deb.c) and
 * the main header of an .rpm (librpm, pkgread_rpm.c, the only librpm user on this side).
 * What an indexer needs and nothing else: no payload is unpacked. */
#ifndef PW_CORE_PKGREAD_H
#define PW_CORE_PKGREAD_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "repo_deb822.h"

/* The start of one package file, already in memory: its first head_len bytes (the whole file
 * when head_len == size). */
struct pw_pkgbytes {
    const char *path;
    const unsigned char *head;
    size_t head_len;
    uint64_t size;
};

/* The readers below take the package's path and, when the caller already holds its first
 * bytes (the repository parses the bytes it has just hashed and copied), those bytes: path is
 * then read only for what lies beyond b->head_len. b may be NULL. */

/* Reads DEBIAN/control of a .deb into st (fields in file order). Package, Version and
 * Architecture must be present. PW_E_FORMAT when the file is not a .deb. */
int pw_pkgread_deb(const char *path, const struct pw_pkgbytes *b, struct pw_deb822 *st,
                   struct pw_err *err);
/* The same from a control.tar(.gz|.xz|.zst) member already in memory. */
int pw_pkgread_deb_control_tar(const void *data, size_t len, const char *what,
                               struct pw_deb822 *st, struct pw_err *err);

enum pw_rpmdep_kind {
    PW_RPMDEP_PROVIDES,
    PW_RPMDEP_REQUIRES,
    PW_RPMDEP_CONFLICTS,
    PW_RPMDEP_OBSOLETES,
    PW_RPMDEP_SUGGESTS,
    PW_RPMDEP_ENHANCES,
    PW_RPMDEP_RECOMMENDS,
    PW_RPMDEP_SUPPLEMENTS,
    PW_RPMDEP_KINDS
};

/* One dependency triplet as rpm-md writes it: flags "EQ" "LT" "LE" "GT" "GE" or NULL, and
 * epoch/ver/rel split from the version ("0" when a version has no epoch). */
struct pw_rpmdep {
    char *name;
    const char *flags; /* static string or NULL */
    char *epoch, *ver, *rel;
    int pre; /* requires needed by %pre/%post or marked PreReq */
};

struct pw_rpmdeps {
    struct pw_rpmdep *v;
    size_t n, cap;
};

struct pw_rpmfile {
    char *path;
    char type; /* 'f' file, 'd' directory, 'g' ghost */
};

struct pw_rpmchange {
    char *author;
    int64_t date;
    char *text;
};

struct pw_rpmhdr {
    char *name, *arch, *epoch, *version, *release; /* epoch "0" when absent */
    char *summary, *description, *packager, *url, *license, *vendor, *group, *buildhost,
        *sourcerpm; /* never NULL ("" when absent) */
    int64_t buildtime;
    uint64_t installed_size, archive_size;
    uint64_t header_start, header_end; /* rpm:header-range */
    int signed_pkg; /* the signature header carries an OpenPGP signature */
    /* Dependencies filtered the way createrepo_c does (rpmlib() and self-satisfied requires
     * dropped, duplicates skipped, only the highest libc.so.6 kept), in header order. */
    struct pw_rpmdeps deps[PW_RPMDEP_KINDS];
    struct pw_rpmfile *files;
    size_t nfiles;
    /* The newest changelog_limit entries, oldest first, as createrepo_c writes them. */
    struct pw_rpmchange *changes;
    size_t nchanges;
};

void pw_rpmhdr_init(struct pw_rpmhdr *h);
void pw_rpmhdr_release(struct pw_rpmhdr *h);
/* Reads the header of an .rpm. changelog_limit: entries to keep (createrepo_c keeps 10). */
int pw_pkgread_rpm(const char *path, const struct pw_pkgbytes *b, int changelog_limit,
                   struct pw_rpmhdr *h,
                   struct pw_err *err);
/* The byte range of the main header (start inclusive, end = first payload byte), computed from
 * the lead and the two header intros read from fd, and whether the signature header holds an
 * OpenPGP signature. PW_E_FORMAT when the bytes are not an rpm. */
int pw_rpm_header_range(int fd, uint64_t file_size, uint64_t *start, uint64_t *end,
                        int *signed_pkg, struct pw_err *err);
/* yum's "primary file" rule: /etc/..., any path containing "bin/", /usr/lib/sendmail. */
int pw_rpm_is_primary_file(const char *path);

#endif
