#include "opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct pw_opt *find_long(const struct pw_opt *opts, const char *name, size_t len)
{
    for (const struct pw_opt *o = opts; o && o->kind != PW_OPT_END; o++)
        if (strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
            return o;
    return NULL;
}

static const struct pw_opt *find_short(const struct pw_opt *opts, char c)
{
    for (const struct pw_opt *o = opts; o && o->kind != PW_OPT_END; o++)
        if (o->short_name && o->short_name == c)
            return o;
    return NULL;
}

static int store(const struct pw_opt *o, void *dest, const char *arg, struct pw_err *err)
{
    char *field = (char *)dest + o->offset;
    switch (o->kind) {
    case PW_OPT_FLAG:
        *(int *)field = 1;
        return 0;
    case PW_OPT_STRING:
        *(const char **)field = arg;
        return 0;
    case PW_OPT_LIST:
        pw_strvec_push((struct pw_strvec *)field, arg);
        return 0;
    case PW_OPT_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(arg, &end, 10);
        if (!*arg || *end || errno)
            return pw_err_set(err, PW_E_USAGE, "option '--%s' needs a whole number, not '%s'",
                              o->long_name, arg);
        *(long long *)field = v;
        return 0;
    }
    case PW_OPT_CALLBACK:
        return o->cb(dest, arg, err);
    case PW_OPT_END:
        break;
    }
    return 0;
}

static int takes_arg(const struct pw_opt *o)
{
    return o->kind != PW_OPT_FLAG;
}

static int parse_long(const struct pw_cmd_spec *spec, void *dest, int argc, char **argv, int *i,
                      struct pw_err *err)
{
    const char *name = argv[*i] + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct pw_opt *o = find_long(spec->opts, name, len);
    if (!o)
        return pw_err_set(err, PW_E_USAGE, "%s: unknown option '--%.*s'", spec->name, (int)len,
                          name);
    if (!takes_arg(o)) {
        if (eq)
            return pw_err_set(err, PW_E_USAGE, "%s: option '--%s' takes no value", spec->name,
                              o->long_name);
        return store(o, dest, NULL, err);
    }
    if (eq)
        return store(o, dest, eq + 1, err);
    if (*i + 1 >= argc)
        return pw_err_set(err, PW_E_USAGE, "%s: option '--%s' needs a value (%s)", spec->name,
                          o->long_name, o->metavar ? o->metavar : "VALUE");
    return store(o, dest, argv[++*i], err);
}

static int parse_short(const struct pw_cmd_spec *spec, void *dest, int argc, char **argv, int *i,
                       struct pw_err *err)
{
    for (const char *c = argv[*i] + 1; *c; c++) {
        const struct pw_opt *o = find_short(spec->opts, *c);
        if (!o)
            return pw_err_set(err, PW_E_USAGE, "%s: unknown option '-%c'", spec->name, *c);
        if (!takes_arg(o)) {
            int rc = store(o, dest, NULL, err);
            if (rc < 0)
                return rc;
            continue;
        }
        if (c[1])
            return store(o, dest, c + 1, err);
        if (*i + 1 >= argc)
            return pw_err_set(err, PW_E_USAGE, "%s: option '-%c' needs a value (%s)",
                              spec->name, *c, o->metavar ? o->metavar : "VALUE");
        return store(o, dest, argv[++*i], err);
    }
    return 0;
}

int pw_opt_parse(const struct pw_cmd_spec *spec, void *dest, int argc, char **argv,
                 struct pw_strvec *args, struct pw_err *err)
{
    int only_args = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int rc = 0;
        if (only_args || a[0] != '-' || !a[1]) {
            pw_strvec_push(args, a);
            continue;
        }
        if (!strcmp(a, "--")) {
            only_args = 1;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return PW_OPT_HELP;
        rc = a[1] == '-' ? parse_long(spec, dest, argc, argv, &i, err)
                         : parse_short(spec, dest, argc, argv, &i, err);
        if (rc < 0)
            return rc;
    }
    if ((int)args->n < spec->min_args)
        return pw_err_set(err, PW_E_USAGE, "%s: missing arguments (usage: %s %s)", spec->name,
                          spec->name, spec->usage);
    if (spec->max_args >= 0 && (int)args->n > spec->max_args)
        return pw_err_set(err, PW_E_USAGE, "%s: too many arguments (usage: %s %s)", spec->name,
                          spec->name, spec->usage);
    return 0;
}

void pw_opt_help(const struct pw_cmd_spec *spec, const char *prog, struct pw_buf *out)
{
    pw_buf_addf(out, "usage: %s %s %s\n\n%s\n", prog, spec->name, spec->usage, spec->summary);
    if (!spec->opts || spec->opts[0].kind == PW_OPT_END)
        return;
    pw_buf_adds(out, "\noptions:\n");
    for (const struct pw_opt *o = spec->opts; o->kind != PW_OPT_END; o++) {
        struct pw_buf left = PW_BUF_INIT;
        if (o->short_name)
            pw_buf_addf(&left, "-%c, ", o->short_name);
        else
            pw_buf_adds(&left, "    ");
        pw_buf_addf(&left, "--%s", o->long_name);
        if (o->metavar)
            pw_buf_addf(&left, " %s", o->metavar);
        pw_buf_addf(out, "  %-30s %s\n", left.buf, o->help);
        pw_buf_release(&left);
    }
    pw_buf_addf(out, "  %-30s %s\n", "-h, --help", "show this help and exit");
}
