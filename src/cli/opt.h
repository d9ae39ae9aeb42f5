/* Table-driven option parsing: each command declares a static const struct pw_opt[] whose
 * rows fill a struct the command owns; --help is printed from the same rows. Exact names
 * only (no abbreviations); options may follow positional arguments; "--" ends options. */
#ifndef PW_CLI_OPT_H
#define PW_CLI_OPT_H

#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/strvec.h"

enum pw_opt_kind {
    PW_OPT_END,
    PW_OPT_FLAG,     /* int set to 1 */
    PW_OPT_STRING,   /* const char * (borrowed from argv); last one wins */
    PW_OPT_LIST,     /* struct pw_strvec, one push per use */
    PW_OPT_INT,      /* long long, decimal */
    PW_OPT_CALLBACK, /* cb(dest, arg, err) */
};

struct pw_opt {
    const char *long_name; /* without "--" */
    char short_name;       /* 0 when none */
    enum pw_opt_kind kind;
    size_t offset;         /* into the command's options struct */
    int (*cb)(void *dest, const char *arg, struct pw_err *err);
    const char *metavar;   /* NULL for flags */
    const char *help;
};

#define PW_OPT_TABLE_END {NULL, 0, PW_OPT_END, 0, NULL, NULL, NULL}

struct pw_cmd_spec {
    const char *name;     /* "build", "repo add" */
    const char *usage;    /* "[OPTIONS] PKG..." */
    const char *summary;  /* one line */
    const struct pw_opt *opts;
    int min_args, max_args; /* max -1: unbounded */
};

/* Returns 0, PW_OPT_HELP when -h/--help was given, or a negative error (PW_E_USAGE). */
#define PW_OPT_HELP 1
int pw_opt_parse(const struct pw_cmd_spec *spec, void *dest, int argc, char **argv,
                 struct pw_strvec *args, struct pw_err *err);
void pw_opt_help(const struct pw_cmd_spec *spec, const char *prog, struct pw_buf *out);

#endif
