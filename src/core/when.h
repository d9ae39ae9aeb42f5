/* `when` conditions of manifests and contents entries: a small boolean language over build
 * variables.
 *
 *   expr     := or
 *   or       := and { "||" and }
 *   and      := unary { "&&" unary }
 *   unary    := "!" unary | primary
 *   primary  := "(" expr ")" | operand [ ("==" | "!=") operand ]
 *   operand  := NAME                    the variable's value (undefined: an error)
 *             | TEXT with ${...}        e.g. "${a}" or "v${major}": the expansion
 *             | 'text' | "text"         a literal (no escapes, no expansion)
 *
 * An operand that stands alone must read as a boolean (pw_vars_truthy: true/false, yes/no,
 * on/off, 1/0, empty is false); a comparison compares text exactly. Every operand is evaluated
 * (no short cut), so a misspelt variable is an error whatever the other values are. */
#ifndef PW_CORE_WHEN_H
#define PW_CORE_WHEN_H

#include "../base/err.h"
#include "vars.h"

/* Sets *result to 1 or 0. On a syntax error, an undefined variable or a value that is neither
 * true nor false returns PW_E_MANIFEST with a message that does not name the file (the caller
 * adds "FILE: json.path: "). */
int pw_when_eval(const struct pw_vars *vars, const char *expr, int *result, struct pw_err *err);

#endif
