/* The PACKWRIGHT_ACTION mapping, run for real: each wrapper is written to a file and executed
 * with /bin/sh and the arguments dpkg or rpm would pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fs.h"
#include "core/scripts.h"
#include "tap.h"

static char dir[] = "/tmp/pw-test-scripts.XXXXXX";

/* Runs WRAPPER ARGS through its "#!" line (rpm bodies have none: /bin/sh); returns stdout+stderr
 * (caller frees) and the exit status. */
static char *run(const struct pw_buf *wrapper, const char *args, int *status)
{
    char path[256], cmd[1024];
    snprintf(path, sizeof(path), "%s/wrapper", dir);
    FILE *f = fopen(path, "w");
    fwrite(wrapper->buf, 1, wrapper->len, f);
    fclose(f);
    chmod(path, 0755);
    snprintf(cmd, sizeof(cmd), "cd %s && TMPDIR=%s %s%s %s 2>&1", dir, dir,
             strncmp(wrapper->buf, "#!", 2) ? "/bin/sh " : "", path, args);
    FILE *p = popen(cmd, "r");
    struct pw_buf out = PW_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        pw_buf_add(&out, chunk, n);
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return pw_buf_detach(&out, NULL);
}

static void set_script(struct pw_package *pkg, enum pw_script_kind k, const char *body)
{
    pw_buf_reset(&pkg->scripts[k].body);
    pw_buf_adds(&pkg->scripts[k].body, body);
}

static void expect(struct pw_package *pkg, enum pw_script_kind k, int rpm, const char *args,
                   const char *want)
{
    struct pw_buf w = PW_BUF_INIT;
    if (rpm)
        pw_scripts_wrap_rpm(pkg, k, &w);
    else
        pw_scripts_wrap_deb(pkg, k, &w);
    int status;
    char *got = run(&w, args, &status);
    TAP_STR_EQ(got, want, "%s %s %s", rpm ? "rpm" : "deb", pw_script_name(k), args);
    TAP_INT_EQ(status, 0, "%s %s %s exits 0", rpm ? "rpm" : "deb", pw_script_name(k), args);
    free(got);
    pw_buf_release(&w);
}

static const char echo_sh[] = "#!/bin/sh\necho \"$PACKWRIGHT_ACTION|$*\"\n";

static void test_deb_mapping(struct pw_package *pkg)
{
    for (int k = 0; k < PW_SCRIPT_COUNT; k++)
        set_script(pkg, (enum pw_script_kind)k, echo_sh);
    expect(pkg, PW_SCRIPT_PREINST, 0, "install", "install|install\n");
    expect(pkg, PW_SCRIPT_PREINST, 0, "install 1.0-1 1.1-1", "install|install 1.0-1 1.1-1\n");
    expect(pkg, PW_SCRIPT_PREINST, 0, "upgrade 1.0-1 1.1-1", "upgrade|upgrade 1.0-1 1.1-1\n");
    expect(pkg, PW_SCRIPT_PREINST, 0, "abort-upgrade 1.1-1", "abort-upgrade|abort-upgrade 1.1-1\n");
    expect(pkg, PW_SCRIPT_POSTINST, 0, "configure", "install|configure\n");
    expect(pkg, PW_SCRIPT_POSTINST, 0, "configure ''", "install|configure \n");
    expect(pkg, PW_SCRIPT_POSTINST, 0, "configure 1.0-1", "upgrade|configure 1.0-1\n");
    expect(pkg, PW_SCRIPT_POSTINST, 0, "abort-upgrade 1.1-1",
           "abort-upgrade|abort-upgrade 1.1-1\n");
    expect(pkg, PW_SCRIPT_POSTINST, 0, "abort-remove", "abort-remove|abort-remove\n");
    expect(pkg, PW_SCRIPT_POSTINST, 0, "abort-deconfigure in-favour x 1",
           "abort-deconfigure|abort-deconfigure in-favour x 1\n");
    expect(pkg, PW_SCRIPT_POSTINST, 0, "triggered /usr/lib", "triggered|triggered /usr/lib\n");
    expect(pkg, PW_SCRIPT_PRERM, 0, "remove", "remove|remove\n");
    expect(pkg, PW_SCRIPT_PRERM, 0, "upgrade 1.1-1", "upgrade|upgrade 1.1-1\n");
    expect(pkg, PW_SCRIPT_PRERM, 0, "failed-upgrade 1.0-1 1.1-1",
           "upgrade|failed-upgrade 1.0-1 1.1-1\n");
    expect(pkg, PW_SCRIPT_POSTRM, 0, "remove", "remove|remove\n");
    expect(pkg, PW_SCRIPT_POSTRM, 0, "purge", "purge|purge\n");
    expect(pkg, PW_SCRIPT_POSTRM, 0, "upgrade 1.1-1", "upgrade|upgrade 1.1-1\n");
    expect(pkg, PW_SCRIPT_POSTRM, 0, "disappear other 2", "remove|disappear other 2\n");
    expect(pkg, PW_SCRIPT_POSTRM, 0, "abort-install", "abort-install|abort-install\n");
    expect(pkg, PW_SCRIPT_POSTRM, 0, "abort-upgrade 1.0-1 1.1-1",
           "abort-upgrade|abort-upgrade 1.0-1 1.1-1\n");
}

static void test_rpm_mapping(struct pw_package *pkg)
{
    expect(pkg, PW_SCRIPT_PRETRANS, 1, "1", "install|1\n");
    expect(pkg, PW_SCRIPT_PRETRANS, 1, "0", "install|0\n");
    expect(pkg, PW_SCRIPT_PRETRANS, 1, "2", "upgrade|2\n");
    expect(pkg, PW_SCRIPT_PREINST, 1, "1", "install|1\n");
    expect(pkg, PW_SCRIPT_PREINST, 1, "2", "upgrade|2\n");
    expect(pkg, PW_SCRIPT_POSTINST, 1, "1", "install|1\n");
    expect(pkg, PW_SCRIPT_POSTINST, 1, "3", "upgrade|3\n");
    expect(pkg, PW_SCRIPT_PRERM, 1, "0", "remove|0\n");
    expect(pkg, PW_SCRIPT_PRERM, 1, "1", "upgrade|1\n");
    expect(pkg, PW_SCRIPT_POSTRM, 1, "0", "remove|0\npurge|0\n");
    expect(pkg, PW_SCRIPT_POSTRM, 1, "1", "upgrade|1\n");
    expect(pkg, PW_SCRIPT_POSTTRANS, 1, "2", "upgrade|2\n");
}

static void test_interpreters(struct pw_package *pkg)
{
    /* bash: for deb the wrapper becomes a bash script embedding it as a function; rpm runs
     * it from a temp file (its scriptlets run with /bin/sh), which is removed again. */
    set_script(pkg, PW_SCRIPT_POSTINST,
               "#!/bin/bash\nx=(a b)\necho \"bash ${x[1]} $PACKWRIGHT_ACTION $*\"\n");
    expect(pkg, PW_SCRIPT_POSTINST, 0, "configure 1.0", "bash b upgrade configure 1.0\n");
    struct pw_buf w = PW_BUF_INIT;
    pw_scripts_wrap_deb(pkg, PW_SCRIPT_POSTINST, &w);
    TAP_OK(!strncmp(w.buf, "#!/bin/bash\n", 12) && !strstr(w.buf, "mktemp"),
           "deb: a bash script makes a bash wrapper without a temp file");
    pw_buf_release(&w);
    pw_scripts_wrap_rpm(pkg, PW_SCRIPT_POSTINST, &w);
    TAP_OK(strstr(w.buf, "mktemp") != NULL, "rpm: a bash script goes through a temp file");
    pw_buf_release(&w);
    expect(pkg, PW_SCRIPT_POSTINST, 1, "2", "bash b upgrade 2\n");
    set_script(pkg, PW_SCRIPT_POSTRM,
               "#!/usr/bin/perl\nprint \"perl $ENV{PACKWRIGHT_ACTION} @ARGV\\n\";\n");
    expect(pkg, PW_SCRIPT_POSTRM, 0, "purge", "perl purge purge\n");
    expect(pkg, PW_SCRIPT_POSTRM, 1, "0", "perl remove 0\nperl purge 0\n");
    set_script(pkg, PW_SCRIPT_POSTRM, "#!/usr/bin/env sh\necho \"env $PACKWRIGHT_ACTION\"\n");
    expect(pkg, PW_SCRIPT_POSTRM, 1, "0", "env remove\nenv purge\n");
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "ls %s | grep -q packwright-", dir);
    TAP_OK(system(cmd) != 0, "temporary script files are removed");

    /* The delimiter never collides with a line of the script. */
    set_script(pkg, PW_SCRIPT_PRERM,
               "#!/bin/bash\ncat <<'PACKWRIGHT_SCRIPT_END'\nheredoc\nPACKWRIGHT_SCRIPT_END\n");
    expect(pkg, PW_SCRIPT_PRERM, 0, "remove", "heredoc\n");

    /* Plain sh: an exit inside the author's script ends only that run; status propagates. */
    set_script(pkg, PW_SCRIPT_POSTRM, "#!/bin/sh\necho \"$PACKWRIGHT_ACTION\"\nexit 0\n");
    expect(pkg, PW_SCRIPT_POSTRM, 1, "0", "remove\npurge\n");
    set_script(pkg, PW_SCRIPT_PREINST, "#!/bin/sh\necho failing\nexit 3\n");
    pw_scripts_wrap_deb(pkg, PW_SCRIPT_PREINST, &w);
    int status;
    char *got = run(&w, "install", &status);
    TAP_INT_EQ(status, 3, "the author's exit status is the wrapper's");
    TAP_STR_EQ(got, "failing\n", "output before the failure");
    free(got);
    pw_buf_release(&w);

    /* Options: no inherited set -e; the shebang's own flags apply. */
    set_script(pkg, PW_SCRIPT_PREINST, "#!/bin/sh\nfalse\necho continued\n");
    expect(pkg, PW_SCRIPT_PREINST, 0, "install", "continued\n");
    set_script(pkg, PW_SCRIPT_PREINST, "#!/bin/sh -e\necho one\nfalse\necho two\n");
    pw_scripts_wrap_deb(pkg, PW_SCRIPT_PREINST, &w);
    got = run(&w, "install", &status);
    TAP_INT_EQ(status, 1, "#!/bin/sh -e stops at the first failure");
    TAP_STR_EQ(got, "one\n", "nothing after the failure ran");
    free(got);
    TAP_OK(!strncmp(w.buf, "#!/bin/sh\n", 10) && strstr(w.buf, "\nset -e\n"),
           "the deb wrapper is a /bin/sh script with set -e");
    pw_buf_release(&w);
    set_script(pkg, PW_SCRIPT_PREINST, "#!/bin/bash -e\necho one\nfalse\necho two\n");
    pw_scripts_wrap_deb(pkg, PW_SCRIPT_PREINST, &w);
    got = run(&w, "install", &status);
    TAP_INT_EQ(status, 1, "#!/bin/bash -e keeps its flag");
    free(got);
    TAP_OK(!strncmp(w.buf, "#!/bin/bash\n", 12) && strstr(w.buf, "\nset -e\n"),
           "the wrapper takes the shell and keeps set -e");
    pw_buf_release(&w);

    /* A script without a trailing newline still parses. */
    set_script(pkg, PW_SCRIPT_PREINST, "#!/bin/sh\necho no-newline");
    expect(pkg, PW_SCRIPT_PREINST, 0, "install", "no-newline\n");
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    struct pw_package pkg;
    memset(&pkg, 0, sizeof(pkg));
    test_deb_mapping(&pkg);
    test_rpm_mapping(&pkg);
    test_interpreters(&pkg);
    for (int k = 0; k < PW_SCRIPT_COUNT; k++)
        pw_buf_release(&pkg.scripts[k].body);
    struct pw_err err;
    pw_err_init(&err);
    pw_fs_remove_tree(dir, &err);
    return tap_done();
}
