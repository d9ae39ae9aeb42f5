/* Maintainer-script wrappers. Each generated script first derives PACKWRIGHT_ACTION from the
 * package manager's native arguments (dpkg's verbs, rpm's instance counts), then runs the
 * author's script with those native arguments unchanged:
 *   - a "#!/bin/sh" script (for deb also bash or dash, the wrapper then taking that
 *     interpreter) becomes a shell function whose body runs in a subshell, so its `exit`
 *     ends only itself and its options start clean (set +e, then its shebang flags);
 *   - any other interpreter gets its script through a here-document written to a mktemp
 *     file, run as `INTERPRETER [ARG] FILE ARGS...` and removed afterwards.
 * The mapping is the contract of architecture.md §4; tests/unit/test_scripts.c runs it. */
#include "scripts.h"

#include <stdio.h>
#include <string.h>

/* dpkg: the first argument is a verb; see deb-preinst(5) .. deb-postrm(5). */
static const char *const deb_case[] = {
    [PW_SCRIPT_PREINST] = "case \"${1:-}\" in\n"
                          "install) PACKWRIGHT_ACTION=install ;;\n"
                          "upgrade) PACKWRIGHT_ACTION=upgrade ;;\n"
                          "abort-upgrade) PACKWRIGHT_ACTION=abort-upgrade ;;\n"
                          "*) PACKWRIGHT_ACTION=${1:-} ;;\n"
                          "esac\n",
    [PW_SCRIPT_POSTINST] = "case \"${1:-}\" in\n"
                           "configure)\n"
                           "    if [ -n \"${2:-}\" ]; then PACKWRIGHT_ACTION=upgrade\n"
                           "    else PACKWRIGHT_ACTION=install; fi ;;\n"
                           "abort-upgrade) PACKWRIGHT_ACTION=abort-upgrade ;;\n"
                           "abort-remove) PACKWRIGHT_ACTION=abort-remove ;;\n"
                           "abort-deconfigure) PACKWRIGHT_ACTION=abort-deconfigure ;;\n"
                           "*) PACKWRIGHT_ACTION=${1:-} ;;\n"
                           "esac\n",
    [PW_SCRIPT_PRERM] = "case \"${1:-}\" in\n"
                        "remove) PACKWRIGHT_ACTION=remove ;;\n"
                        "upgrade|failed-upgrade) PACKWRIGHT_ACTION=upgrade ;;\n"
                        "deconfigure) PACKWRIGHT_ACTION=deconfigure ;;\n"
                        "*) PACKWRIGHT_ACTION=${1:-} ;;\n"
                        "esac\n",
    [PW_SCRIPT_POSTRM] = "case \"${1:-}\" in\n"
                         "remove|disappear) PACKWRIGHT_ACTION=remove ;;\n"
                         "purge) PACKWRIGHT_ACTION=purge ;;\n"
                         "upgrade|failed-upgrade) PACKWRIGHT_ACTION=upgrade ;;\n"
                         "abort-install) PACKWRIGHT_ACTION=abort-install ;;\n"
                         "abort-upgrade) PACKWRIGHT_ACTION=abort-upgrade ;;\n"
                         "*) PACKWRIGHT_ACTION=${1:-} ;;\n"
                         "esac\n",
};

/* rpm: $1 counts the instances installed after the operation (%pre/%post/%pretrans/
 * %posttrans: 1 install, 2+ upgrade, 0 from rpm < 4.? in the trans scripts: install;
 * %preun/%postun: 0 erase, 1+ upgrade). A final erase runs postrm as remove, then purge. */
static const char *const rpm_install_count = "case \"${1:-0}\" in\n"
                                             "0|1) PACKWRIGHT_ACTION=install ;;\n"
                                             "*) PACKWRIGHT_ACTION=upgrade ;;\n"
                                             "esac\n"
                                             "export PACKWRIGHT_ACTION\n"
                                             "packwright_run \"$@\"\n";
static const char *const rpm_erase_count = "case \"${1:-0}\" in\n"
                                           "0) PACKWRIGHT_ACTION=remove ;;\n"
                                           "*) PACKWRIGHT_ACTION=upgrade ;;\n"
                                           "esac\n"
                                           "export PACKWRIGHT_ACTION\n"
                                           "packwright_run \"$@\"\n";
static const char *const rpm_postun = "if [ \"${1:-0}\" = 0 ]; then\n"
                                      "    PACKWRIGHT_ACTION=remove; export PACKWRIGHT_ACTION\n"
                                      "    packwright_run \"$@\"\n"
                                      "    PACKWRIGHT_ACTION=purge\n"
                                      "    packwright_run \"$@\"\n"
                                      "else\n"
                                      "    PACKWRIGHT_ACTION=upgrade; export PACKWRIGHT_ACTION\n"
                                      "    packwright_run \"$@\"\n"
                                      "fi\n";

/* The author's "#!" line split the way the kernel does: the interpreter, then everything
 * after it (trimmed) as one optional argument. */
struct shebang {
    const char *interp;
    size_t interp_len;
    const char *arg;
    size_t arg_len;
};

static void parse_shebang(const struct pw_buf *body, struct shebang *sb)
{
    static const char fallback[] = "/bin/sh";
    memset(sb, 0, sizeof(*sb));
    const char *p = body->buf, *end = body->buf + body->len;
    const char *nl = memchr(p, '\n', body->len);
    if (nl)
        end = nl;
    if (body->len < 2 || p[0] != '#' || p[1] != '!') {
        sb->interp = fallback;
        sb->interp_len = strlen(fallback);
        return;
    }
    p += 2;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    sb->interp = p;
    while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
        p++;
    sb->interp_len = (size_t)(p - sb->interp);
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    const char *arg_end = end;
    while (arg_end > p && (arg_end[-1] == ' ' || arg_end[-1] == '\t' || arg_end[-1] == '\r'))
        arg_end--;
    sb->arg = p;
    sb->arg_len = (size_t)(arg_end - p);
}

/* A shell that can run the wrapper itself, with nothing or only option letters ("-e",
 * "-eu") after it. /bin/sh always qualifies; with any_shell (deb, where the wrapper takes
 * the author's interpreter) bash and dash do too, so lintian checks the file as what it is. */
static int runs_as_function(const struct shebang *sb, int any_shell)
{
    static const char *const shells[] = {"/bin/sh", "/bin/bash", "/usr/bin/bash", "/bin/dash",
                                         "/usr/bin/dash"};
    int ok = 0;
    for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]) && (any_shell || !i); i++)
        ok |=
            sb->interp_len == strlen(shells[i]) && !strncmp(sb->interp, shells[i], sb->interp_len);
    if (!ok)
        return 0;
    if (!sb->arg_len)
        return 1;
    if (sb->arg[0] != '-' || sb->arg_len < 2)
        return 0;
    for (size_t i = 1; i < sb->arg_len; i++)
        if (!strchr("aefuvxC", sb->arg[i]))
            return 0;
    return 1;
}

static void add_sh_quoted(struct pw_buf *out, const char *s, size_t len)
{
    pw_buf_addc(out, '\'');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\'')
            pw_buf_adds(out, "'\\''");
        else
            pw_buf_addc(out, s[i]);
    }
    pw_buf_addc(out, '\'');
}

static int has_line(const struct pw_buf *body, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = body->buf; p && p < body->buf + body->len;) {
        const char *nl = memchr(p, '\n', (size_t)(body->buf + body->len - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(body->buf + body->len - p);
        if (len == n && !memcmp(p, line, n))
            return 1;
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

static void add_body(struct pw_buf *out, const struct pw_buf *body)
{
    pw_buf_add(out, body->buf, body->len);
    if (body->len && body->buf[body->len - 1] != '\n')
        pw_buf_addc(out, '\n');
}

/* Defines packwright_run: the author's script with the arguments it is given. */
static void add_runner(struct pw_buf *out, const struct shebang *sb, const struct pw_script *s,
                       int as_function, const char *what)
{
    if (as_function) {
        pw_buf_addf(out,
                    "# The package's %s, run in a subshell with its own options.\n"
                    "packwright_run() (\nset +e\n",
                    what);
        if (sb->arg_len)
            pw_buf_addf(out, "set %.*s\n", (int)sb->arg_len, sb->arg);
        add_body(out, &s->body);
        pw_buf_adds(out, ")\n");
        return;
    }
    char delim[64] = "PACKWRIGHT_SCRIPT_END";
    for (int i = 1; has_line(&s->body, delim); i++)
        snprintf(delim, sizeof(delim), "PACKWRIGHT_SCRIPT_END_%d", i);
    pw_buf_addf(out,
                "# The package's %s, run by its own interpreter from a temporary file.\n"
                "packwright_script=$(mktemp \"${TMPDIR:-/tmp}/packwright-%s.XXXXXX\")\n"
                "trap 'rm -f \"$packwright_script\"' EXIT\n"
                "cat >\"$packwright_script\" <<'%s'\n",
                what, what, delim);
    add_body(out, &s->body);
    pw_buf_addf(out, "%s\npackwright_run() {\n    ", delim);
    add_sh_quoted(out, sb->interp, sb->interp_len);
    if (sb->arg_len) {
        pw_buf_addc(out, ' ');
        add_sh_quoted(out, sb->arg, sb->arg_len);
    }
    pw_buf_adds(out, " \"$packwright_script\" \"$@\"\n}\n");
}

static void add_header(struct pw_buf *out, const char *manager, const char *what)
{
    pw_buf_addf(out,
                "# Generated by packwright: sets PACKWRIGHT_ACTION (install, upgrade, remove,\n"
                "# purge, abort-*) from %s's arguments, then runs the package's %s with\n"
                "# the original arguments.\n"
                "set -e\n",
                manager, what);
}

void pw_scripts_wrap_deb(const struct pw_package *pkg, enum pw_script_kind kind, struct pw_buf *out)
{
    const char *what = pw_script_name(kind);
    struct shebang sb;
    parse_shebang(&pkg->scripts[kind].body, &sb);
    int as_function = runs_as_function(&sb, 1);
    /* The wrapper is POSIX sh; a bash author script embedded as a function makes it a bash
     * script, so it says so. */
    pw_buf_addf(out, "#!%.*s\n", as_function ? (int)sb.interp_len : 7,
                as_function ? sb.interp : "/bin/sh");
    add_header(out, "dpkg", what);
    add_runner(out, &sb, &pkg->scripts[kind], as_function, what);
    if (kind <= PW_SCRIPT_POSTRM)
        pw_buf_adds(out, deb_case[kind]);
    else
        pw_buf_adds(out, "PACKWRIGHT_ACTION=${1:-}\n");
    pw_buf_adds(out, "export PACKWRIGHT_ACTION\npackwright_run \"$@\"\n");
}

void pw_scripts_wrap_rpm(const struct pw_package *pkg, enum pw_script_kind kind, struct pw_buf *out)
{
    const char *what = pw_script_name(kind);
    struct shebang sb;
    parse_shebang(&pkg->scripts[kind].body, &sb);
    add_header(out, "rpm", what);
    add_runner(out, &sb, &pkg->scripts[kind], runs_as_function(&sb, 0), what);
    switch (kind) {
    case PW_SCRIPT_PRERM:
        pw_buf_adds(out, rpm_erase_count);
        break;
    case PW_SCRIPT_POSTRM:
        pw_buf_adds(out, rpm_postun);
        break;
    default:
        pw_buf_adds(out, rpm_install_count);
        break;
    }
}
