/* deb822 stanzas (control files, Packages, Release): parse keeping field order and the exact
 * value bytes, look fields up case-insensitively, write them back. */
#ifndef PW_CORE_REPO_DEB822_H
#define PW_CORE_REPO_DEB822_H

#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"

struct pw_deb822_field {
    char *key;
    /* Everything after "Key:" minus the blanks that start the first line; continuation lines
     * keep their leading blank, lines are joined with '\n', no trailing newline. A value
     * whose first line is empty (hash lists) starts with '\n'. */
    char *value;
};

struct pw_deb822 {
    struct pw_deb822_field *fields;
    size_t n, cap;
};

void pw_deb822_init(struct pw_deb822 *st);
void pw_deb822_release(struct pw_deb822 *st);
/* Parses the stanza starting at *pos (skipping blank lines first) and advances *pos past it.
 * Returns 1 when a stanza was read, 0 at the end of text, or a negative PW_E_FORMAT naming
 * what and the line. */
int pw_deb822_next(const char *text, size_t len, size_t *pos, const char *what,
                   struct pw_deb822 *st, struct pw_err *err);
const char *pw_deb822_get(const struct pw_deb822 *st, const char *key);
/* Appends or replaces a field (value copied). */
void pw_deb822_set(struct pw_deb822 *st, const char *key, const char *value);
void pw_deb822_remove(struct pw_deb822 *st, const char *key);
/* "Key: value\n" for every field, in order. */
void pw_deb822_write(const struct pw_deb822 *st, struct pw_buf *out);
void pw_deb822_write_field(struct pw_buf *out, const char *key, const char *value);

#endif
