/* packwright-toml's command-line layer: what the verbs share. */
#ifndef PW_HELPER_HELPER_H
#define PW_HELPER_HELPER_H

#include "base/err.h"
#include "base/strvec.h"
#include "toml/containerd.h"
#include "toml/toml.h"

#define PW_HELPER_DEFAULT_CONFIG "/etc/containerd/config.toml"
#define PW_HELPER_DEFAULT_STATE_DIR "/var/lib/packwright-toml"

struct options {
    const char *config, *owner, *state_dir, *containerd_version, *lock_timeout;
    int dry_run, help, version;
};

struct run {
    struct options o;
    unsigned given;        /* options seen (enum opt_bit) */
    unsigned lock_timeout; /* seconds */
    struct pw_strvec args; /* the verb, then its arguments */
};

/* An edit applied to the document inside a session; returns 0 or a negative PW_E_*. */
typedef int (*helper_edit_fn)(struct run *r, struct pw_toml_doc **docp, void *ctx,
                              struct pw_err *err);

/* How a session treats a file that does not exist. */
enum helper_missing {
    MISSING_CREATE, /* start from an empty document; the file is created */
    MISSING_SKIP,   /* nothing to do: exit 0 */
};

/* Locks path's directory, parses it, applies prepare (may be NULL: what it changes, such as a
 * new config's `version`, is not recorded as the owner's) and fn, then (unless nothing
 * changed) records the change for --owner and replaces the file atomically, or prints a diff
 * for --dry-run. Returns the exit status. */
int helper_edit_session(struct run *r, const char *path, enum helper_missing missing,
                        helper_edit_fn prepare, helper_edit_fn fn, void *ctx);
/* Reads and parses a TOML file ("-": standard input); on failure prints the error and returns
 * the exit status. */
int helper_load(const char *path, struct pw_toml_doc **doc);
/* Reads a whole file, or standard input for "-". */
int helper_read_input(const char *path, struct pw_buf *out, struct pw_err *err);
/* The state file: --state-dir, else $PACKWRIGHT_TOML_STATE_DIR, else the default. */
void helper_state_path(const struct run *r, struct pw_buf *out);
/* An absolute, symlink-free name for a config file, as the state records it. */
char *helper_config_name(const char *path);

/* The containerd release: --containerd-version, else `containerd --version` found on PATH,
 * then in /usr/local/bin, /usr/bin, /opt/bin; unknown when none answers. */
void helper_containerd_release(const struct run *r, struct pw_containerd_release *out);

void helper_error(const struct pw_err *err);
void helper_warn(const char *fmt, ...) PW_PRINTF(1, 2);
int helper_usage_error(const char *fmt, ...) PW_PRINTF(1, 2);

int helper_check(struct run *r);
int helper_containerd(struct run *r);
int helper_get(struct run *r);
int helper_json(struct run *r);
int helper_merge(struct run *r);
int helper_set(struct run *r);
int helper_undo(struct run *r);
int helper_unset(struct run *r);

#endif
