/* `packwright-toml containerd ...`: the settings the packages need, at the table paths of
 * the config's version, and the containerd release they are written for. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"
#include "toml/toml_edit.h"

extern char **environ;

#define VERSION_TIMEOUT_MS 10000

/* ---- which containerd ---- */

static int is_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static char *find_containerd(void)
{
    const char *path = getenv("PATH");
    struct pw_buf b = PW_BUF_INIT;
    static const char *fallback[] = {"/usr/local/bin", "/usr/bin", "/opt/bin"};
    for (const char *p = path ? path : ""; *p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        pw_buf_reset(&b);
        pw_buf_addf(&b, "%.*s/containerd", (int)n, p);
        if (n && is_executable(b.buf))
            return pw_buf_detach(&b, NULL);
        p += n + (colon ? 1 : 0);
    }
    for (size_t i = 0; i < 3; i++) {
        pw_buf_reset(&b);
        pw_buf_addf(&b, "%s/containerd", fallback[i]);
        if (is_executable(b.buf))
            return pw_buf_detach(&b, NULL);
    }
    pw_buf_release(&b);
    return NULL;
}

/* Runs `bin --version` (explicit argv, no shell) and collects what it prints. */
static int run_version(const char *bin, struct pw_buf *out)
{
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 2);
        }
        close(fds[0]);
        char *argv[] = {(char *)bin, "--version", NULL};
        execve(bin, argv, environ);
        _exit(127);
    }
    close(fds[1]);
    struct pollfd pfd = {fds[0], POLLIN, 0};
    char chunk[512];
    while (out->len < 4096 && poll(&pfd, 1, VERSION_TIMEOUT_MS) > 0) {
        ssize_t n = read(fds[0], chunk, sizeof(chunk));
        if (n <= 0)
            break;
        pw_buf_add(out, chunk, (size_t)n);
    }
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

void helper_containerd_release(const struct run *r, struct pw_containerd_release *out)
{
    out->known = 0;
    if (r->o.containerd_version) {
        pw_containerd_release_parse(r->o.containerd_version, out, NULL);
        return;
    }
    char *bin = find_containerd();
    struct pw_buf text = PW_BUF_INIT;
    if (bin && run_version(bin, &text) == 0)
        pw_containerd_release_parse(text.buf, out, NULL);
    free(bin);
    pw_buf_release(&text);
}

/* ---- the subcommands ---- */

struct cd_args {
    const char *sub, *a1, *a2;
    struct pw_toml_doc *fragment;
    struct pw_containerd_release rel;
    int have_rel;
    int version; /* the config's, once prepared */
};

static const struct pw_containerd_release *release(const struct run *r, struct cd_args *c)
{
    if (!c->have_rel)
        helper_containerd_release(r, &c->rel);
    c->have_rel = 1;
    return &c->rel;
}

/* The config's version; an empty config first gets one (2, or 3 for containerd 2.x). */
static int config_version(const struct run *r, struct cd_args *c, struct pw_toml_doc **docp,
                          int create, int *version, struct pw_err *err)
{
    int rc = pw_containerd_config_version(*docp, version, err);
    if (rc || *version || !create)
        return rc;
    *version = pw_containerd_new_config_version(release(r, c));
    (*docp)->quote_hint = *version >= 3 ? '\'' : '"';
    struct pw_toml_path path = PW_TOML_PATH_INIT;
    pw_toml_path_push(&path, "version", 7);
    char value[8];
    snprintf(value, sizeof(value), "%d", *version);
    rc = pw_toml_edit_set(docp, &path, value, err);
    pw_toml_path_release(&path);
    return rc;
}

static int set_string(struct pw_toml_doc **docp, struct pw_toml_path *path, const char *s,
                      struct pw_err *err)
{
    struct pw_buf value = PW_BUF_INIT;
    pw_toml_string_format(s, strlen(s), pw_toml_edit_string_quote(*docp), &value);
    int rc = pw_toml_edit_set(docp, path, value.buf, err);
    pw_buf_release(&value);
    return rc;
}

/* Before the edit: the config's version, added to an empty config (not an owner's change). */
static int containerd_prepare(struct run *r, struct pw_toml_doc **docp, void *ctx,
                              struct pw_err *err)
{
    struct cd_args *c = ctx;
    return config_version(r, c, docp, strcmp(c->sub, "remove-runtime") != 0, &c->version, err);
}

static int containerd_edit(struct run *r, struct pw_toml_doc **docp, void *ctx, struct pw_err *err)
{
    struct cd_args *c = ctx;
    int version = c->version, rc = 0;
    if (!version)
        return 0; /* remove-runtime in an empty config */
    struct pw_toml_path path = PW_TOML_PATH_INIT;
    struct pw_toml_doc *translated = NULL;
    if (!strcmp(c->sub, "set-pull-timeout")) {
        pw_containerd_pull_timeout_path(version, &path);
        rc = set_string(docp, &path, c->a1, err);
    } else if (!strcmp(c->sub, "add-runtime")) {
        pw_containerd_runtime_path(version, c->a1, &path);
        pw_toml_path_push(&path, "runtime_type", 12);
        rc = set_string(docp, &path, c->a2, err);
    } else if (!strcmp(c->sub, "remove-runtime")) {
        pw_containerd_runtime_path(version, c->a1, &path);
        rc = pw_toml_edit_unset(docp, &path, err);
    } else {
        rc = pw_containerd_translate(c->fragment, version, &translated, err);
        if (!rc)
            rc = pw_toml_edit_merge(docp, translated, err);
    }
    pw_toml_doc_free(translated);
    pw_toml_path_release(&path);
    return rc;
}

static const struct {
    const char *name, *args;
    size_t nargs;
} subs[] = {
    {"add-runtime", "NAME RUNTIME_TYPE", 2},
    {"merge", "FRAGMENT|-", 1},
    {"remove-runtime", "NAME", 1},
    {"set-pull-timeout", "DURATION", 1},
};

static int check_sub(const struct run *r)
{
    const char *sub = r->args.v[1];
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        if (strcmp(sub, subs[i].name))
            continue;
        if (r->args.n - 2 != subs[i].nargs)
            return helper_usage_error("usage: packwright-toml containerd %s %s", sub, subs[i].args);
        for (size_t a = 2; a < r->args.n; a++)
            if (!*r->args.v[a])
                return helper_usage_error("containerd %s: empty argument", sub);
        return 0;
    }
    return helper_usage_error("unknown containerd subcommand '%s'", sub);
}

int helper_containerd(struct run *r)
{
    int status = check_sub(r);
    if (status)
        return status;
    struct cd_args c = {
        r->args.v[1], r->args.v[2], r->args.n > 3 ? r->args.v[3] : NULL, NULL, {0, 0, 0}, 0, 0};
    struct pw_err err;
    pw_err_init(&err);
    if (r->o.containerd_version &&
        pw_containerd_release_parse(r->o.containerd_version, &c.rel, &err))
        return helper_usage_error("invalid --containerd-version '%s'", r->o.containerd_version);
    if (!strcmp(c.sub, "set-pull-timeout")) {
        if (pw_containerd_duration_check(c.a1, &err))
            return helper_usage_error("%s", err.msg);
        const struct pw_containerd_release *rel = release(r, &c);
        if (!pw_containerd_has_pull_timeout(rel)) {
            helper_warn("containerd %d.%d does not know image_pull_progress_timeout; "
                        "nothing changed",
                        rel->major, rel->minor);
            return 0;
        }
    }
    if (!strcmp(c.sub, "merge") && (status = helper_load(c.a1, &c.fragment)))
        return status;
    const char *config = r->o.config ? r->o.config : PW_HELPER_DEFAULT_CONFIG;
    status = helper_edit_session(r, config,
                                 !strcmp(c.sub, "remove-runtime") ? MISSING_SKIP : MISSING_CREATE,
                                 containerd_prepare, containerd_edit, &c);
    pw_toml_doc_free(c.fragment);
    return status;
}
