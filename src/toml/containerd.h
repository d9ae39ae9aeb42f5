/* What packwright-toml knows about containerd's config.toml: config versions 2, 3 and 4, the
 * table each setting lives in per version, the version-2 to version-3 key mapping of
 * containerd's own CRI migration, and Go durations. See ../shared/design/containerd.md §4. */
#ifndef PW_TOML_CONTAINERD_H
#define PW_TOML_CONTAINERD_H

#include "../base/err.h"
#include "toml.h"

/* A containerd release: major.minor, or unknown (no containerd found). */
struct pw_containerd_release {
    int known;
    int major, minor;
};

/* Parses `containerd --version` output ("containerd github.com/containerd/containerd v1.7.2
 * hash") or a bare "X.Y[.Z]". Returns 0 or -PW_E_USAGE. */
int pw_containerd_release_parse(const char *text, struct pw_containerd_release *out,
                                struct pw_err *err);
/* The config version a new config.toml gets: 2 (read by every containerd from 1.3 on) unless
 * the release is 2.x or later, then 3. */
int pw_containerd_new_config_version(const struct pw_containerd_release *rel);
/* Whether the release knows image_pull_progress_timeout (1.7 and later; unknown: yes). */
int pw_containerd_has_pull_timeout(const struct pw_containerd_release *rel);

/* The config's `version`: 2, 3 or 4; 0 for a config holding no key at all. A config without
 * `version` (version 1) is refused with a hint at `containerd config migrate`. */
int pw_containerd_config_version(const struct pw_toml_doc *doc, int *version, struct pw_err *err);

/* Key paths for a config version. */
void pw_containerd_pull_timeout_path(int config_version, struct pw_toml_path *out);
void pw_containerd_runtime_path(int config_version, const char *name, struct pw_toml_path *out);

/* Go's time.ParseDuration grammar ("5m0s", "1h30m", "0"), not negative. */
int pw_containerd_duration_check(const char *text, struct pw_err *err);

/* The fragment rewritten for a config of config_version: `version` dropped; version-2 CRI
 * keys moved to their version-3 tables key by key (a key without a mapping is refused, named
 * in the message); version-3 tables refused for a version-2 config. *out is a new document. */
int pw_containerd_translate(const struct pw_toml_doc *frag, int config_version,
                            struct pw_toml_doc **out, struct pw_err *err);

#endif
