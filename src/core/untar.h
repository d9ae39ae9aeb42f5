/* Reading tar archives (libarchive) for manifest sources: takes chosen members out of a
 * .tar, .tar.gz, .tar.bz2, .tar.xz or .tar.zst (the compression is recognised by content). */
#ifndef PW_CORE_UNTAR_H
#define PW_CORE_UNTAR_H

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/strvec.h"

/* Normalises a member name into out: drops "./" and empty components and a trailing "/".
 * Returns -1 (out undefined) for an absolute name, a ".." component or an empty result. */
int pw_untar_normalise(const char *name, struct pw_buf *out);

/* Extracts from the archive at path every entry named by members into dest (which must
 * exist); messages call the archive label. A member is a file or a directory, taken with everything
 * below it; "./" prefixes do not matter. Permissions are kept without set-id bits; owners are not.
 * Returns 0, PW_E_MANIFEST for a member name that is not a safe relative path, PW_E_FORMAT for an
 * unreadable archive, an unsafe entry or a member the archive lacks, or PW_E_IO. */
int pw_untar_members(const char *path, const char *label, const struct pw_strvec *members,
                     const char *dest, struct pw_err *err);
/* The same, where only the first `required` members must be in the archive; the others are
 * taken when present (a directory only newer releases ship). */
int pw_untar_members_opt(const char *path, const char *label, const struct pw_strvec *members,
                         size_t required, const char *dest, struct pw_err *err);

#endif
