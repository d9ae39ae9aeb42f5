/* What each owner changed in which config file, so that `packwright-toml undo --owner NAME`
 * can put the previous values back. Kept as a TOML file (state.toml in the state directory):
 *
 *   [[created]]                      a config file packwright-toml created
 *   config = "/etc/containerd/config.toml"
 *
 *   [[change]]                       one key an owner changed, oldest first
 *   owner = "containerd-gvisor"
 *   config = "/etc/containerd/config.toml"
 *   key = 'plugins."io.containerd.grpc.v1.cri".containerd.runtimes.gvisor.runtime_type'
 *   before = '...'                   TOML text of the previous value; absent: there was none
 *   after = '"io.containerd.runsc.v1"'   TOML text set; absent: the key was removed
 *
 *   [[table]]                        a table an owner's change created: removed again by
 *   owner = "containerd-gvisor"      its undo when it is empty
 *   config = "/etc/containerd/config.toml"
 *   key = 'plugins."io.containerd.grpc.v1.cri".containerd.runtimes.gvisor'
 */
#ifndef PW_TOML_TOMLSTATE_H
#define PW_TOML_TOMLSTATE_H

#include "../base/buf.h"
#include "../base/err.h"
#include "../base/strvec.h"
#include "toml.h"

struct pw_tomlstate_change {
    char *owner, *config, *key;
    char *before, *after; /* changes: NULL when absent; tables: both NULL */
};

struct pw_tomlstate_list {
    struct pw_tomlstate_change *v;
    size_t n, cap;
};

struct pw_tomlstate {
    struct pw_tomlstate_list changes, tables;
    struct pw_strvec created;
};

#define PW_TOMLSTATE_INIT                                                                          \
    {                                                                                              \
        {NULL, 0, 0}, {NULL, 0, 0}, PW_STRVEC_INIT                                                 \
    }

/* Parses a state file's text (empty text: no records). */
int pw_tomlstate_parse(struct pw_tomlstate *st, const char *name, const char *text, size_t len,
                       struct pw_err *err);
void pw_tomlstate_format(const struct pw_tomlstate *st, struct pw_buf *out);
void pw_tomlstate_release(struct pw_tomlstate *st);

/* Records what changed from old to new in config for owner: one change per key whose value
 * differs, merged with the owner's earlier change of that key (its `before` is kept; a change
 * back to it removes the record). */
void pw_tomlstate_record(struct pw_tomlstate *st, const char *owner, const char *config,
                         const struct pw_toml_doc *old, const struct pw_toml_doc *new);
void pw_tomlstate_mark_created(struct pw_tomlstate *st, const char *config);
int pw_tomlstate_has_records(const struct pw_tomlstate *st, const char *config);

/* Undoes owner's changes to config in *docp, newest first: a value the owner set is put back
 * as it was unless it was changed since (then left alone, with a warning in `warnings`); a
 * change made over by another owner later is handed down to that owner's record instead. The
 * tables the owner created are removed when they are empty. The owner's records go away. */
int pw_tomlstate_undo(struct pw_tomlstate *st, const char *owner, const char *config,
                      struct pw_toml_doc **docp, struct pw_strvec *warnings, struct pw_err *err);
/* After an undo: 1 when config was created by packwright-toml, nobody has records left in it,
 * and it holds nothing but its `version` (no other key, no comment): it should be removed.
 * Forgets the creation then. */
int pw_tomlstate_created_and_unused(struct pw_tomlstate *st, const char *config,
                                    const struct pw_toml_doc *doc);

#endif
