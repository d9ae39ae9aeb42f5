/* A strict JSON (RFC 8259) syntax check that locates the first error exactly. cJSON reports
 * error positions loosely (often one byte late, or at the end of input) and accepts numbers
 * such as "01" or "+1"; manifests are checked with this first so that messages can name the
 * exact line and column. */
#ifndef PW_CORE_JSONSYNTAX_H
#define PW_CORE_JSONSYNTAX_H

#include <stddef.h>

/* Returns NULL when data[0..len) is one valid JSON value (with surrounding white space), else
 * a short reason ("unexpected end of input", "trailing comma", ...) with *off set to the
 * byte offset of the error. Nesting deeper than max_depth is an error too. */
const char *pw_json_syntax_check(const char *data, size_t len, int max_depth, size_t *off);

#endif
