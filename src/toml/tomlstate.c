#include "tomlstate.h"

#include <stdlib.h>
#include <string.h>

#include "toml_edit.h"

/* ---- records ---- */

static struct pw_tomlstate_change *list_add(struct pw_tomlstate_list *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->v = pw_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    struct pw_tomlstate_change *c = &l->v[l->n++];
    memset(c, 0, sizeof(*c));
    return c;
}

static void change_release(struct pw_tomlstate_change *c)
{
    free(c->owner);
    free(c->config);
    free(c->key);
    free(c->before);
    free(c->after);
}

static void list_delete(struct pw_tomlstate_list *l, size_t i)
{
    change_release(&l->v[i]);
    memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
    l->n--;
}

static void list_release(struct pw_tomlstate_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        change_release(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

void pw_tomlstate_release(struct pw_tomlstate *st)
{
    list_release(&st->changes);
    list_release(&st->tables);
    pw_strvec_release(&st->created);
}

static char *xdup(const char *s)
{
    return s ? pw_xstrdup(s) : NULL;
}

/* ---- the file ---- */

static int field(const struct pw_toml_node *t, const char *name, int required, char **out,
                 const char *file, struct pw_err *err)
{
    const struct pw_toml_entry *e = pw_toml_table_find(t, name, strlen(name));
    *out = NULL;
    if (!e && !required)
        return 0;
    if (!e || e->val->type != PW_TOML_STRING || memchr(e->val->str, '\0', e->val->len))
        return pw_err_set(err, PW_E_TOML, "%s: invalid state: '%s' must be a string", file, name);
    *out = pw_xstrdup(e->val->str);
    return 0;
}

static int parse_list(const struct pw_toml_doc *doc, const char *name, int with_values,
                      struct pw_tomlstate_list *out, struct pw_err *err)
{
    const struct pw_toml_entry *e = pw_toml_table_find(doc->root, name, strlen(name));
    if (!e)
        return 0;
    if (e->val->type != PW_TOML_ARRAY)
        return pw_err_set(err, PW_E_TOML, "%s: invalid state: '%s' must be [[%s]] tables",
                          doc->name, name, name);
    for (size_t i = 0; i < e->val->n; i++) {
        const struct pw_toml_node *t = e->val->items[i];
        if (t->type != PW_TOML_TABLE)
            return pw_err_set(err, PW_E_TOML, "%s: invalid state: '%s' must be [[%s]] tables",
                              doc->name, name, name);
        struct pw_tomlstate_change *c = list_add(out);
        int rc = field(t, "owner", 1, &c->owner, doc->name, err);
        if (!rc)
            rc = field(t, "config", 1, &c->config, doc->name, err);
        if (!rc)
            rc = field(t, "key", 1, &c->key, doc->name, err);
        if (!rc && with_values)
            rc = field(t, "before", 0, &c->before, doc->name, err);
        if (!rc && with_values)
            rc = field(t, "after", 0, &c->after, doc->name, err);
        if (rc)
            return rc;
    }
    return 0;
}

int pw_tomlstate_parse(struct pw_tomlstate *st, const char *name, const char *text, size_t len,
                       struct pw_err *err)
{
    struct pw_toml_doc *doc = NULL;
    int rc = pw_toml_parse(name, text, len, &doc, err);
    if (rc)
        return rc;
    rc = parse_list(doc, "change", 1, &st->changes, err);
    if (!rc)
        rc = parse_list(doc, "table", 0, &st->tables, err);
    const struct pw_toml_entry *e = pw_toml_table_find(doc->root, "created", 7);
    for (size_t i = 0; !rc && e && i < e->val->n; i++) {
        char *config = NULL;
        rc = e->val->type == PW_TOML_ARRAY
                 ? field(e->val->items[i], "config", 1, &config, name, err)
                 : pw_err_set(err, PW_E_TOML, "%s: invalid state: 'created'", name);
        if (!rc)
            pw_strvec_push_owned(&st->created, config);
    }
    pw_toml_doc_free(doc);
    return rc;
}

static void add_string(struct pw_buf *out, const char *name, const char *value)
{
    if (!value)
        return;
    pw_buf_addf(out, "%s = ", name);
    pw_toml_string_format(value, strlen(value), '\'', out);
    pw_buf_addc(out, '\n');
}

void pw_tomlstate_format(const struct pw_tomlstate *st, struct pw_buf *out)
{
    pw_buf_adds(out, "# packwright-toml: what each owner changed, for `packwright-toml undo "
                     "--owner NAME`.\n# Written by packwright-toml; do not edit.\n");
    for (size_t i = 0; i < st->created.n; i++) {
        pw_buf_adds(out, "\n[[created]]\n");
        add_string(out, "config", st->created.v[i]);
    }
    for (size_t i = 0; i < st->changes.n; i++) {
        const struct pw_tomlstate_change *c = &st->changes.v[i];
        pw_buf_adds(out, "\n[[change]]\n");
        add_string(out, "owner", c->owner);
        add_string(out, "config", c->config);
        add_string(out, "key", c->key);
        add_string(out, "before", c->before);
        add_string(out, "after", c->after);
    }
    for (size_t i = 0; i < st->tables.n; i++) {
        const struct pw_tomlstate_change *c = &st->tables.v[i];
        pw_buf_adds(out, "\n[[table]]\n");
        add_string(out, "owner", c->owner);
        add_string(out, "config", c->config);
        add_string(out, "key", c->key);
    }
}

/* ---- recording ---- */

/* Parses TOML value text; NULL when it is not one value. Free with pw_toml_doc_free. */
static struct pw_toml_doc *value_doc(const char *text)
{
    struct pw_buf b = PW_BUF_INIT;
    pw_buf_addf(&b, "v = %s", text);
    struct pw_toml_doc *d = NULL;
    if (pw_toml_parse("value", b.buf, b.len, &d, NULL) == 0 && d->root->n != 1) {
        pw_toml_doc_free(d);
        d = NULL;
    }
    pw_buf_release(&b);
    return d;
}

/* A TOML value text (NULL: absent) holds the value v (NULL: absent). */
static int text_holds(const char *text, const struct pw_toml_node *v)
{
    if (!text || !v)
        return !text && !v;
    struct pw_toml_doc *d = value_doc(text);
    int eq = d && pw_toml_equal(d->root->entries[0].val, v);
    pw_toml_doc_free(d);
    return eq;
}

/* Two TOML value texts (NULL: absent) hold the same value. */
static int text_equal(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    struct pw_toml_doc *d = value_doc(b);
    int eq = d && text_holds(a, d->root->entries[0].val);
    pw_toml_doc_free(d);
    return eq;
}

static int same(const char *a, const char *b)
{
    return !strcmp(a, b);
}

static void record_one(struct pw_tomlstate *st, const char *owner, const char *config,
                       const char *key, const char *before, const char *after)
{
    for (size_t i = 0; i < st->changes.n; i++) {
        struct pw_tomlstate_change *c = &st->changes.v[i];
        if (!same(c->owner, owner) || !same(c->config, config) || !same(c->key, key))
            continue;
        if (text_equal(c->before, after)) {
            list_delete(&st->changes, i);
        } else {
            free(c->after);
            c->after = xdup(after);
        }
        return;
    }
    struct pw_tomlstate_change *c = list_add(&st->changes);
    c->owner = pw_xstrdup(owner);
    c->config = pw_xstrdup(config);
    c->key = pw_xstrdup(key);
    c->before = xdup(before);
    c->after = xdup(after);
}

/* Leaves that are values (empty tables left out), sorted by key text. */
struct keyed {
    char *key;
    const struct pw_toml_node *value;
};

static int keyed_cmp(const void *a, const void *b)
{
    return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

static struct keyed *value_leaves(const struct pw_toml_doc *doc, size_t *n)
{
    struct pw_toml_leaves l = {NULL, 0, 0};
    pw_toml_leaves_collect(doc->root, &l);
    struct keyed *k = pw_xcalloc(l.n + 1, sizeof(*k));
    *n = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (l.v[i].value->type == PW_TOML_TABLE)
            continue;
        struct pw_buf b = PW_BUF_INIT;
        pw_toml_path_format(&l.v[i].path, '"', &b);
        k[*n].key = pw_buf_detach(&b, NULL);
        k[*n].value = l.v[i].value;
        (*n)++;
    }
    pw_toml_leaves_release(&l);
    if (*n)
        qsort(k, *n, sizeof(*k), keyed_cmp);
    return k;
}

static char *value_text(const struct pw_toml_doc *doc, const struct pw_toml_node *v)
{
    struct pw_buf b = PW_BUF_INIT;
    pw_toml_value_format(doc, v, &b);
    return pw_buf_detach(&b, NULL);
}

static void record_values(struct pw_tomlstate *st, const char *owner, const char *config,
                          const struct pw_toml_doc *old, const struct pw_toml_doc *new)
{
    size_t na, nb, i = 0, j = 0;
    struct keyed *a = value_leaves(old, &na), *b = value_leaves(new, &nb);
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i].key, b[j].key);
        char *before = c <= 0 ? value_text(old, a[i].value) : NULL;
        char *after = c >= 0 ? value_text(new, b[j].value) : NULL;
        if (c != 0 || !pw_toml_equal(a[i].value, b[j].value))
            record_one(st, owner, config, c <= 0 ? a[i].key : b[j].key, before, after);
        free(before);
        free(after);
        i += c <= 0;
        j += c >= 0;
    }
    for (size_t k = 0; k < na; k++)
        free(a[k].key);
    for (size_t k = 0; k < nb; k++)
        free(b[k].key);
    free(a);
    free(b);
}

/* Every table of new (not entering arrays) that old does not have, or had only implied by
 * the headers below it (an edit gave it a header of its own). */
static void record_tables(struct pw_tomlstate *st, const char *owner, const char *config,
                          const struct pw_toml_doc *old, const struct pw_toml_node *t,
                          struct pw_toml_path *path)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct pw_toml_entry *e = &t->entries[i];
        if (e->val->type != PW_TOML_TABLE)
            continue;
        pw_toml_path_push(path, e->name.ptr, e->name.len);
        const struct pw_toml_node *was = pw_toml_get(old, path);
        int made_explicit = was && was->type == PW_TOML_TABLE && was->origin == PW_TOML_IMPLICIT &&
                            e->val->origin == PW_TOML_HEADER;
        if (!was || was->type != PW_TOML_TABLE || made_explicit) {
            struct pw_buf b = PW_BUF_INIT;
            pw_toml_path_format(path, '"', &b);
            struct pw_tomlstate_change *c = list_add(&st->tables);
            c->owner = pw_xstrdup(owner);
            c->config = pw_xstrdup(config);
            c->key = pw_buf_detach(&b, NULL);
        }
        record_tables(st, owner, config, old, e->val, path);
        free(path->parts[--path->n]);
    }
}

void pw_tomlstate_record(struct pw_tomlstate *st, const char *owner, const char *config,
                         const struct pw_toml_doc *old, const struct pw_toml_doc *new)
{
    struct pw_toml_path path = PW_TOML_PATH_INIT;
    record_values(st, owner, config, old, new);
    record_tables(st, owner, config, old, new->root, &path);
    pw_toml_path_release(&path);
}

void pw_tomlstate_mark_created(struct pw_tomlstate *st, const char *config)
{
    if (!pw_strvec_contains(&st->created, config))
        pw_strvec_push(&st->created, config);
}

int pw_tomlstate_has_records(const struct pw_tomlstate *st, const char *config)
{
    for (size_t i = 0; i < st->changes.n; i++)
        if (same(st->changes.v[i].config, config))
            return 1;
    for (size_t i = 0; i < st->tables.n; i++)
        if (same(st->tables.v[i].config, config))
            return 1;
    return 0;
}

/* ---- undo ---- */

static int current_matches(const struct pw_toml_doc *doc, const struct pw_toml_path *path,
                           const char *after)
{
    return text_holds(after, pw_toml_get(doc, path));
}

static int undo_change(struct pw_tomlstate *st, size_t i, struct pw_toml_doc **docp,
                       struct pw_strvec *warnings, struct pw_err *err)
{
    struct pw_tomlstate_change *c = &st->changes.v[i];
    for (size_t j = i + 1; j < st->changes.n; j++) {
        struct pw_tomlstate_change *later = &st->changes.v[j];
        if (same(later->config, c->config) && same(later->key, c->key)) {
            /* changed again since by another owner: its undo now leads back to our before */
            free(later->before);
            later->before = xdup(c->before);
            return 0;
        }
    }
    struct pw_toml_path path = PW_TOML_PATH_INIT;
    int rc = pw_toml_path_parse(c->key, &path, err);
    if (rc)
        return rc;
    if (!current_matches(*docp, &path, c->after)) {
        struct pw_buf w = PW_BUF_INIT;
        pw_buf_addf(&w, "'%s' in '%s' was changed since '%s' set it; left as it is", c->key,
                    c->config, c->owner);
        pw_strvec_push_owned(warnings, pw_buf_detach(&w, NULL));
    } else if (c->before) {
        rc = pw_toml_edit_set(docp, &path, c->before, err);
    } else {
        rc = pw_toml_edit_unset(docp, &path, err);
    }
    pw_toml_path_release(&path);
    return rc;
}

static int key_depth(const char *key)
{
    struct pw_toml_path p = PW_TOML_PATH_INIT;
    int n = pw_toml_path_parse(key, &p, NULL) ? 0 : (int)p.n;
    pw_toml_path_release(&p);
    return n;
}

static int key_within(const char *key, const char *table)
{
    struct pw_toml_path k = PW_TOML_PATH_INIT, t = PW_TOML_PATH_INIT;
    int within =
        !pw_toml_path_parse(key, &k, NULL) && !pw_toml_path_parse(table, &t, NULL) && k.n > t.n;
    for (size_t i = 0; within && i < t.n; i++)
        within = k.lens[i] == t.lens[i] && !memcmp(k.parts[i], t.parts[i], k.lens[i]);
    pw_toml_path_release(&k);
    pw_toml_path_release(&t);
    return within;
}

/* A created table that still holds another owner's values goes to that owner, whose undo
 * removes it when it is empty. Returns 1 when handed on. */
static int hand_on_table(struct pw_tomlstate *st, struct pw_tomlstate_change *t)
{
    for (size_t i = st->changes.n; i-- > 0;) {
        const struct pw_tomlstate_change *c = &st->changes.v[i];
        if (same(c->config, t->config) && !same(c->owner, t->owner) && key_within(c->key, t->key)) {
            free(t->owner);
            t->owner = pw_xstrdup(c->owner);
            return 1;
        }
    }
    return 0;
}

/* The owner's created tables, deepest first, removed when empty; one that holds only
 * sub-tables now loses the header the owner's change gave it (it is implied again). */
static int undo_tables(struct pw_tomlstate *st, const char *owner, const char *config,
                       struct pw_toml_doc **docp, struct pw_err *err)
{
    int rc = 0;
    for (int depth = 64; depth > 0; depth--) {
        for (size_t i = st->tables.n; !rc && i-- > 0;) {
            struct pw_tomlstate_change *c = &st->tables.v[i];
            if (!same(c->owner, owner) || !same(c->config, config) || key_depth(c->key) != depth)
                continue;
            struct pw_toml_path path = PW_TOML_PATH_INIT;
            rc = pw_toml_path_parse(c->key, &path, err);
            const struct pw_toml_node *t = rc ? NULL : pw_toml_get(*docp, &path);
            int is_table = t && t->type == PW_TOML_TABLE;
            int bare = pw_toml_edit_bare_header(t);
            int holds_values = is_table && t->n && !bare;
            if (is_table && !t->n)
                rc = pw_toml_edit_unset(docp, &path, err); /* frees t */
            else if (bare)
                rc = pw_toml_edit_drop_header(docp, &path, err); /* frees t */
            pw_toml_path_release(&path);
            if (!rc && !(holds_values && hand_on_table(st, c)))
                list_delete(&st->tables, i);
        }
    }
    return rc;
}

int pw_tomlstate_undo(struct pw_tomlstate *st, const char *owner, const char *config,
                      struct pw_toml_doc **docp, struct pw_strvec *warnings, struct pw_err *err)
{
    int rc = 0;
    for (size_t i = st->changes.n; !rc && i-- > 0;) {
        struct pw_tomlstate_change *c = &st->changes.v[i];
        if (!same(c->owner, owner) || !same(c->config, config))
            continue;
        rc = undo_change(st, i, docp, warnings, err);
        if (!rc)
            list_delete(&st->changes, i);
    }
    return rc ? rc : undo_tables(st, owner, config, docp, err);
}

int pw_tomlstate_created_and_unused(struct pw_tomlstate *st, const char *config,
                                    const struct pw_toml_doc *doc)
{
    if (!pw_strvec_contains(&st->created, config) || pw_tomlstate_has_records(st, config))
        return 0;
    const struct pw_toml_node *root = doc->root;
    int only_version =
        doc->n_comments == 0 &&
        (root->n == 0 || (root->n == 1 && !strcmp(root->entries[0].name.ptr, "version")));
    if (!only_version)
        return 0;
    for (size_t i = 0; i < st->created.n; i++) {
        if (same(st->created.v[i], config)) {
            free(st->created.v[i]);
            memmove(&st->created.v[i], &st->created.v[i + 1], (st->created.n - i) * sizeof(char *));
            st->created.n--;
            break;
        }
    }
    return 1;
}
