/* Format-preserving edits of a TOML document. Each edit finds the byte spans it has to change,
 * rewrites only those (new tables and keys are written in the file's own style: its newline,
 * indentation, quoting, blank lines, headers or dotted keys), parses the result again and
 * checks it against the intended document before it replaces *docp. On error *docp is left
 * as it was. Setting a value that is already there changes nothing. */
#ifndef PW_TOML_TOML_EDIT_H
#define PW_TOML_TOML_EDIT_H

#include "../base/err.h"
#include "toml.h"

/* path = value, value being TOML text ('"5m0s"', 'true', '[1, 2]', '{ a = 1 }'). Missing
 * tables are created. A table is not replaced by a value (unset it first, or merge). */
int pw_toml_edit_set(struct pw_toml_doc **docp, const struct pw_toml_path *path, const char *value,
                     struct pw_err *err);
/* Removes a key or a whole table (its header, its keys, its sub-tables). Absent: no change. */
int pw_toml_edit_unset(struct pw_toml_doc **docp, const struct pw_toml_path *path,
                       struct pw_err *err);
/* Whether t is a [header] table whose section holds no key (only sub-tables live in it):
 * its header line could go and the table would be implicit, with the same content. */
int pw_toml_edit_bare_header(const struct pw_toml_node *t);
/* Takes away the header line of such a table (with the blank lines after it), so that it is
 * implicit again, as before an edit gave it a header; otherwise changes nothing. */
int pw_toml_edit_drop_header(struct pw_toml_doc **docp, const struct pw_toml_path *path,
                             struct pw_err *err);
/* Creates an empty table at path unless a table is there. */
int pw_toml_edit_ensure_table(struct pw_toml_doc **docp, const struct pw_toml_path *path,
                              struct pw_err *err);
/* Deep merge: tables merged recursively, scalars and arrays replaced (containerd 2.x's import
 * semantics). A fragment that conflicts (a value where the document has a table, or the
 * reverse) is refused before anything changes. */
int pw_toml_edit_merge(struct pw_toml_doc **docp, const struct pw_toml_doc *fragment,
                       struct pw_err *err);
/* Checks that the fragment can be merged (the conflicts above) without changing anything. */
int pw_toml_edit_merge_check(const struct pw_toml_doc *doc, const struct pw_toml_doc *fragment,
                             struct pw_err *err);

/* The leaves of a document: every value that is not a table, plus empty tables; arrays
 * (arrays of tables too) are leaves. Inline tables are entered like any table. */
struct pw_toml_leaf {
    struct pw_toml_path path;
    const struct pw_toml_node *value;
};

struct pw_toml_leaves {
    struct pw_toml_leaf *v;
    size_t n, cap;
};

void pw_toml_leaves_collect(const struct pw_toml_node *table, struct pw_toml_leaves *out);
void pw_toml_leaves_release(struct pw_toml_leaves *l);

/* The quote the text prefers for strings ('"' or '\''), for values made by callers. */
char pw_toml_edit_string_quote(const struct pw_toml_doc *doc);

#endif
