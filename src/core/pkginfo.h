/* The common, format-neutral view of a built package: what `inspect` prints and what the
 * repository indexers consume. */
#ifndef PW_CORE_PKGINFO_H
#define PW_CORE_PKGINFO_H

#include <stdint.h>

#include "../base/buf.h"
#include "../base/jsonw.h"
#include "../base/strvec.h"

struct pw_pkginfo_field {
    char *key;   /* native field name: "Package", "Version" (deb); "Name", "Version" (rpm) */
    char *value;
};

struct pw_pkginfo_file {
    char *path;   /* absolute */
    char type;    /* 'f' file, 'd' directory, 'l' symlink, 'h' hardlink, 'g' ghost, other */
    unsigned mode;   /* permission bits */
    char *owner;
    char *group;
    uint64_t size;
    int64_t mtime;
    char *target;    /* symlink target or NULL */
    char *digest;    /* hex, NULL for non-regular files */
    char *digest_algo; /* "sha256", "md5" */
    unsigned flags;  /* PW_FLAG_* from contents.h where the format records them */
};

struct pw_pkginfo_script {
    char *name;        /* native name: "postinst" / "%post" */
    char *interpreter; /* may be NULL */
    char *body;
};

struct pw_pkginfo {
    char *format; /* "deb" / "rpm" */
    char *name, *version, *arch; /* the essentials, in native spelling */
    struct pw_pkginfo_field *fields;
    size_t nfields;
    struct pw_pkginfo_script *scripts;
    size_t nscripts;
    struct pw_pkginfo_file *files;
    size_t nfiles;
};

void pw_pkginfo_init(struct pw_pkginfo *info);
void pw_pkginfo_release(struct pw_pkginfo *info);
void pw_pkginfo_add_field(struct pw_pkginfo *info, const char *key, const char *value);
const char *pw_pkginfo_field(const struct pw_pkginfo *info, const char *key);
void pw_pkginfo_add_script(struct pw_pkginfo *info, const char *name, const char *interp,
                           const char *body);
/* Appends a zeroed file entry whose strings the caller sets (owned by info). */
struct pw_pkginfo_file *pw_pkginfo_add_file(struct pw_pkginfo *info);
/* Text and JSON renderings used by `packwright inspect`. */
void pw_pkginfo_render_text(const struct pw_pkginfo *info, struct pw_buf *out);
void pw_pkginfo_render_json(const struct pw_pkginfo *info, struct pw_jsonw *w);

#endif
