/* Name and version rules of Debian policy and rpm, and version comparison for both. */
#ifndef PW_CORE_VERSION_H
#define PW_CORE_VERSION_H

/* Each returns NULL when valid, else a short reason ("must start with a digit"). */
const char *pw_name_check_deb(const char *name);
const char *pw_name_check_rpm(const char *name);
const char *pw_version_check_deb(const char *version); /* upstream part */
const char *pw_version_check_rpm(const char *version); /* no '-', starts with a digit */
const char *pw_release_check(const char *release);

/* dpkg's and rpm's orderings of "[EPOCH:]VERSION[-RELEASE]" ('~' sorts first in both):
 * <0, 0, >0. A missing revision is "" for dpkg; a missing release compares equal to any
 * release for rpm (rpmverCmp), as in a requirement "foo >= 1.0". */
int pw_version_compare_deb(const char *a, const char *b);
int pw_version_compare_rpm(const char *a, const char *b);

#endif
