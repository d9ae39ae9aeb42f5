/* Portable dependency syntax, one relation per string: "name", "name (>= 1.2)", alternatives
 * "a | b (<< 2)". Operators: <<, <=, =, >=, >> (and < / > as synonyms of << / >>).
 * Translated per format: deb keeps the syntax; rpm gets name/flags/version triplets, with
 * alternatives written as a rich dependency "(a or b)". */
#ifndef PW_CORE_DEPS_H
#define PW_CORE_DEPS_H

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/strvec.h"

enum pw_dep_op { PW_DEP_ANY, PW_DEP_LT, PW_DEP_LE, PW_DEP_EQ, PW_DEP_GE, PW_DEP_GT };

struct pw_dep_alt {
    char *name;
    enum pw_dep_op op;
    char *version; /* NULL with PW_DEP_ANY */
};

struct pw_dep {
    struct pw_dep_alt *alts;
    size_t nalts;
};

/* On error err holds a message without file or path (the caller adds them). */
int pw_dep_parse(const char *s, struct pw_dep *out, struct pw_err *err);
void pw_dep_release(struct pw_dep *d);
/* "<<", "<=", "=", ">=", ">>" */
const char *pw_dep_op_deb(enum pw_dep_op op);
/* "<", "<=", "=", ">=", ">" */
const char *pw_dep_op_rpm(enum pw_dep_op op);
/* Renders a list for a deb control field: "a (>= 1), b | c". */
void pw_deps_render_deb(const struct pw_strvec *deps, struct pw_buf *out);
/* One relation for a deb control field: "b | c (<< 2)". */
void pw_dep_render_deb(const struct pw_dep *d, struct pw_buf *out);
/* One relation as an rpm dependency string: "a >= 1", or a rich dependency "(b or c < 2)"
 * for alternatives. */
void pw_dep_render_rpm(const struct pw_dep *d, struct pw_buf *out);
/* Checks what the relation kind (field: "depends", "provides", "conflicts", ...) and the
 * format ("deb", "rpm", or NULL for neither) allow: provides takes no alternatives and only
 * "="; conflicts, breaks and replaces take no alternatives; deb names must be Debian package
 * names. err holds a message without file or path. */
int pw_dep_validate(const struct pw_dep *d, const char *field, const char *format,
                    struct pw_err *err);

#endif
