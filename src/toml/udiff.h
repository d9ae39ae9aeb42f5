/* Unified diffs of two texts, line by line (Myers' algorithm), three lines of context: what
 * `packwright-toml --dry-run` prints. */
#ifndef PW_TOML_UDIFF_H
#define PW_TOML_UDIFF_H

#include <stddef.h>

#include "../base/buf.h"

/* Appends the diff from a to b; nothing when they are equal. A name NULL prints /dev/null. */
void pw_udiff(const char *name_a, const char *a, size_t alen, const char *name_b, const char *b,
              size_t blen, struct pw_buf *out);

#endif
