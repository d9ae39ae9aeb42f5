/* Package-path rules: absolute, normalised, no "..", no "//", no trailing "/". */
#ifndef PW_BASE_PATH_H
#define PW_BASE_PATH_H

#include <stddef.h>

/* Returns NULL when p is a valid package path, else a short reason ("must be absolute"). */
const char *pw_path_check(const char *p);
/* Length of the parent of an absolute path ("/usr/bin/x" -> 8 for "/usr/bin"; "/x" -> 1). */
size_t pw_path_parent_len(const char *p);
/* Last component. */
const char *pw_path_base(const char *p);

#endif
