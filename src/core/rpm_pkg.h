/* What an .rpm says about a package, computed once from (package, contents, ctx): the files
 * the header lists (with the directories the package really owns), the dependency triplets
 * rpmbuild would write, and the main header built from both. format_rpm.c streams the
 * payload in the order of `files`, fills in the digests, and asks for the header again. */
#ifndef PW_CORE_RPM_PKG_H
#define PW_CORE_RPM_PKG_H

#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "contents.h"
#include "ctx.h"
#include "manifest.h"

/* One entry of the header's file list, in header (= contents, bytewise sorted) order. */
struct pw_rpm_file {
    const struct pw_file *f;
    uint32_t flags;  /* RPMFILE_* */
    uint32_t color;  /* rpm's file colour: 1 ELF32, 2 ELF64, 0 anything else */
    char digest[65]; /* lowercase SHA-256 hex of regular files; "" for the rest and ghosts */
};

struct pw_rpm_dep {
    char *name;
    char *version; /* "" when unversioned */
    uint32_t flags;
};

struct pw_rpm_deps {
    struct pw_rpm_dep *v;
    size_t n, cap;
};

enum pw_rpm_dep_kind {
    PW_RPM_REQUIRE,
    PW_RPM_PROVIDE,
    PW_RPM_CONFLICT,
    PW_RPM_OBSOLETE,
    PW_RPM_RECOMMEND,
    PW_RPM_SUGGEST,
    PW_RPM_SUPPLEMENT,
    PW_RPM_ENHANCE,
    PW_RPM_DEP_COUNT
};

struct pw_rpm_pkg {
    const struct pw_package *pkg;
    const struct pw_ctx *ctx;
    const char *arch;            /* rpm spelling: x86_64, aarch64, noarch ... */
    char *evr;                   /* [epoch:]version-release */
    struct pw_contents contents; /* the caller's list plus the %license file */
    struct pw_rpm_file *files;
    size_t nfiles;
    int large;           /* a file of 4 GiB or more: LONGFILESIZES, stripped cpio */
    uint64_t total_size; /* SIZE / LONGSIZE */
    struct pw_rpm_deps deps[PW_RPM_DEP_COUNT];
    char payload_sha256[65]; /* PAYLOADDIGEST; zeros until the payload is written */
    char cpio_sha256[65];    /* PAYLOADDIGESTALT */
};

/* rpm's rules for the package's name, version, release, arch and dependencies. */
int pw_rpm_pkg_validate(const struct pw_package *pkg, struct pw_err *err);
int pw_rpm_pkg_init(struct pw_rpm_pkg *r, const struct pw_package *pkg,
                    const struct pw_contents *contents, const struct pw_ctx *ctx,
                    struct pw_err *err);
void pw_rpm_pkg_release(struct pw_rpm_pkg *r);
/* Appends the main header (magic included). Digests not known yet are written as zeros of
 * their final length, so the header keeps its size when they are filled in. */
int pw_rpm_pkg_header(const struct pw_rpm_pkg *r, struct pw_buf *out, struct pw_err *err);
/* st_mode as rpm records it: type bits and permissions (symlinks 0777). */
uint16_t pw_rpm_file_mode(const struct pw_file *f);
/* Is path a directory a distribution's base packages own (/, /usr, /usr/bin, /etc ...)? */
int pw_rpm_is_system_dir(const char *path);
/* The list behind it, sorted bytewise (for its test). */
const char *const *pw_rpm_system_dirs(size_t *n);

#endif
