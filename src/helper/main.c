/* packwright-toml: format-preserving, reversible edits of TOML files and of containerd's
 * config.toml, for package maintainer scripts. A static binary: links src/base and src/toml
 * only. Usage and behaviour: doc/packwright-toml.md. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strvec.h"
#include "helper.h"
#include "toml/containerd.h"
#include "toml/toml.h"
#include "toml/toml_edit.h"
#include "toml/toml_json.h"
#include "toml/tomlfile.h"
#include "toml/tomlstate.h"
#include "toml/udiff.h"

#ifndef PW_VERSION
#define PW_VERSION "0"
#endif

/* ---- options ---- */

enum opt_bit {
    OPT_CONFIG = 1 << 0,
    OPT_OWNER = 1 << 1,
    OPT_DRY_RUN = 1 << 2,
    OPT_STATE_DIR = 1 << 3,
    OPT_CD_VERSION = 1 << 4,
    OPT_LOCK_TIMEOUT = 1 << 5,
};

static const struct opt {
    const char *name;
    enum opt_bit bit;
    size_t offset; /* of the const char * in struct options; flags: of the int */
    const char *metavar;
    const char *help;
} opts[] = {
    {"config", OPT_CONFIG, offsetof(struct options, config), "FILE",
     "containerd's config file (default " PW_HELPER_DEFAULT_CONFIG ")"},
    {"containerd-version", OPT_CD_VERSION, offsetof(struct options, containerd_version), "X.Y",
     "the containerd release to write for, instead of asking `containerd --version`"},
    {"dry-run", OPT_DRY_RUN, offsetof(struct options, dry_run), NULL,
     "print what would change as a unified diff; write nothing"},
    {"lock-timeout", OPT_LOCK_TIMEOUT, offsetof(struct options, lock_timeout), "SECONDS",
     "how long to wait for another packwright-toml editing the same file (default 60)"},
    {"owner", OPT_OWNER, offsetof(struct options, owner), "NAME",
     "record the changes as NAME's, for `undo --owner NAME`"},
    {"state-dir", OPT_STATE_DIR, offsetof(struct options, state_dir), "DIR",
     "where the owners' records live (default $PACKWRIGHT_TOML_STATE_DIR, "
     "else " PW_HELPER_DEFAULT_STATE_DIR ")"},
};

#define EDIT_OPTS (OPT_OWNER | OPT_DRY_RUN | OPT_STATE_DIR | OPT_LOCK_TIMEOUT)

static const struct verb {
    const char *name;
    const char *args;
    int min_args, max_args;
    unsigned opts;
    int (*run)(struct run *r);
    const char *help;
} verbs[] = {
    {"check", "FILE", 1, 1, 0, helper_check, "parse FILE; report the first error"},
    {"containerd", "SUBCOMMAND ARGS", 1, 3, EDIT_OPTS | OPT_CONFIG | OPT_CD_VERSION,
     helper_containerd, "edit containerd's config (see below)"},
    {"get", "FILE KEYPATH", 2, 2, 0, helper_get, "print a value (strings without quotes)"},
    {"json", "FILE", 1, 1, 0, helper_json, "print FILE as toml-test JSON"},
    {"merge", "FILE FRAGMENT|-", 2, 2, EDIT_OPTS, helper_merge,
     "deep-merge a TOML fragment into FILE (tables merged, values replaced)"},
    {"set", "FILE KEYPATH VALUE", 3, 3, EDIT_OPTS, helper_set,
     "set KEYPATH to VALUE, a TOML value such as '\"5m0s\"', 'true' or '[1, 2]'"},
    {"undo", "--owner NAME", 0, 0,
     OPT_OWNER | OPT_DRY_RUN | OPT_STATE_DIR | OPT_CONFIG | OPT_LOCK_TIMEOUT, helper_undo,
     "put back what NAME changed in --config FILE"},
    {"unset", "FILE KEYPATH", 2, 2, EDIT_OPTS, helper_unset, "remove a key or a whole table"},
};

static const char containerd_help[] =
    "containerd subcommands (options: --config FILE, --containerd-version X.Y):\n"
    "  set-pull-timeout DURATION    image_pull_progress_timeout (a Go duration; skipped with a\n"
    "                               warning on containerd 1.6, which does not know it)\n"
    "  add-runtime NAME RUNTIME_TYPE   a CRI runtime, e.g. gvisor io.containerd.runsc.v1\n"
    "  remove-runtime NAME          remove a CRI runtime's table\n"
    "  merge FRAGMENT|-             deep-merge a fragment; version-2 CRI keys are moved to\n"
    "                               their version-3 tables for a version-3 config\n";

static void usage(FILE *out)
{
    fprintf(out, "usage: packwright-toml [OPTIONS] COMMAND ARGS [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        fprintf(out, "  %-10s %-20s %s\n", verbs[i].name, verbs[i].args, verbs[i].help);
    fprintf(out, "\n%s\noptions (before or after the command):\n", containerd_help);
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        char left[64];
        snprintf(left, sizeof(left), "--%s%s%s", opts[i].name, opts[i].metavar ? " " : "",
                 opts[i].metavar ? opts[i].metavar : "");
        fprintf(out, "  %-28s %s\n", left, opts[i].help);
    }
    fprintf(out, "  %-28s this text\n  %-28s the version\n\n", "-h, --help", "--version");
    fprintf(out, "exit status: 0 done (or nothing to do), 1 failure, 2 usage, 3 invalid TOML,\n"
                 "7 locked by another packwright-toml\n");
}

void helper_error(const struct pw_err *err)
{
    if (err->code == PW_E_TOML)
        fprintf(stderr, "%s\n", err->msg);
    else
        fprintf(stderr, "packwright-toml: error: %s\n", err->msg);
}

void helper_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("packwright-toml: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int helper_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("packwright-toml: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n(see packwright-toml --help)\n", stderr);
    va_end(ap);
    return 2;
}

static const struct opt *find_opt(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if (strlen(opts[i].name) == len && !memcmp(opts[i].name, name, len))
            return &opts[i];
    return NULL;
}

/* Options anywhere on the line; "--" ends them. */
static int parse_args(int argc, char **argv, struct run *r)
{
    int only_args = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || !a[1]) {
            pw_strvec_push(&r->args, a);
            continue;
        }
        if (!strcmp(a, "--")) {
            only_args = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            r->o.help = 1;
        } else if (!strcmp(a, "--version")) {
            r->o.version = 1;
        } else {
            const char *name = a + 2, *eq = strchr(name, '=');
            const struct opt *o =
                a[1] == '-' ? find_opt(name, eq ? (size_t)(eq - name) : strlen(name)) : NULL;
            if (!o)
                return helper_usage_error("unknown option '%s'", a);
            r->given |= o->bit;
            if (!o->metavar) {
                if (eq)
                    return helper_usage_error("option '--%s' takes no value", o->name);
                *(int *)((char *)&r->o + o->offset) = 1;
                continue;
            }
            const char *value = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
            if (!value)
                return helper_usage_error("option '--%s' needs a value (%s)", o->name, o->metavar);
            *(const char **)((char *)&r->o + o->offset) = value;
        }
    }
    return 0;
}

static int check_options(struct run *r, const struct verb *v)
{
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if ((r->given & opts[i].bit) && !(v->opts & opts[i].bit))
            return helper_usage_error("option '--%s' does not apply to '%s'", opts[i].name,
                                      v->name);
    if (r->o.owner && (!*r->o.owner || strpbrk(r->o.owner, "\n\r")))
        return helper_usage_error("invalid owner name '%s'", r->o.owner);
    if (r->o.lock_timeout) {
        char *end;
        unsigned long t = strtoul(r->o.lock_timeout, &end, 10);
        if (end == r->o.lock_timeout || *end || t > 86400)
            return helper_usage_error("invalid --lock-timeout '%s'", r->o.lock_timeout);
        r->lock_timeout = (unsigned)t;
    }
    size_t n = r->args.n - 1;
    if ((int)n < v->min_args || (int)n > v->max_args)
        return helper_usage_error("usage: packwright-toml %s %s", v->name, v->args);
    return 0;
}

int main(int argc, char **argv)
{
    struct run r;
    memset(&r, 0, sizeof(r));
    pw_strvec_init(&r.args);
    r.lock_timeout = 60;
    int status = parse_args(argc, argv, &r);
    if (status)
        goto out;
    if (r.o.help || r.o.version || !r.args.n) {
        if (r.o.version && !r.o.help)
            printf("packwright-toml %s\n", PW_VERSION);
        else
            usage(r.args.n || r.o.help ? stdout : stderr);
        status = r.o.help || r.o.version ? 0 : 2;
        goto out;
    }
    const struct verb *v = NULL;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (!strcmp(verbs[i].name, r.args.v[0]))
            v = &verbs[i];
    if (!v) {
        status = helper_usage_error("unknown command '%s'", r.args.v[0]);
        goto out;
    }
    status = check_options(&r, v);
    if (!status)
        status = v->run(&r);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "packwright-toml: error: cannot write the output: %s\n", strerror(errno));
        status = status ? status : 1;
    }
out:
    pw_strvec_release(&r.args);
    return status;
}
