/* Build variables: manifest `vars` defaults, --vars FILE (JSON object of strings or
 * booleans), --var KEY=VALUE; ${KEY} expansion; truthiness for `when`. */
#ifndef PW_CORE_VARS_H
#define PW_CORE_VARS_H

#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/strvec.h"

struct pw_vars {
    struct pw_strvec keys;
    struct pw_strvec values;
};

void pw_vars_init(struct pw_vars *v);
void pw_vars_release(struct pw_vars *v);
void pw_vars_copy(struct pw_vars *dst, const struct pw_vars *src);
/* Later sets win. */
void pw_vars_set(struct pw_vars *v, const char *key, const char *value);
const char *pw_vars_get(const struct pw_vars *v, const char *key);
/* "KEY=VALUE" from the command line. */
int pw_vars_parse_assignment(struct pw_vars *v, const char *arg, struct pw_err *err);
/* A JSON object whose values are strings, booleans or numbers (packer var files).
 * Implemented in manifest.c, the only cJSON user. */
int pw_vars_load_file(struct pw_vars *v, const char *path, struct pw_err *err);
/* Expands ${KEY} (and $$ for a literal $) in s. On an undefined variable returns
 * PW_E_MANIFEST with "undefined variable 'KEY'" in err (the caller adds file and path). */
int pw_vars_expand(const struct pw_vars *v, const char *s, struct pw_buf *out, struct pw_err *err);
/* Variable names: a letter or '_', then letters, digits, '_', '.', '-'. NULL when valid, else
 * a short reason. */
const char *pw_vars_check_name(const char *key, size_t len);
/* "true"/"false" (any case), "1"/"0", "yes"/"no", "on"/"off", "" (false). -1 otherwise. */
int pw_vars_truthy(const char *value);

#endif
