/* libFuzzer target: the edit path. Input: one byte choosing set, unset or merge, then a key
 * path, a value (or fragment) and a document, separated by NUL bytes. When the document
 * parses and the edit succeeds, the result must parse again and hold exactly the intended
 * values: the edited key has the new value (or is gone), nothing else changed; the same edit
 * again changes nothing. A refused edit must not be an internal error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml/toml.h"
#include "toml/toml_edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits off the next NUL-terminated field. */
static int field(const uint8_t **data, size_t *size, char **out)
{
    const uint8_t *nul = memchr(*data, 0, *size);
    if (!nul)
        return -1;
    size_t n = (size_t)(nul - *data);
    *out = pw_xstrndup((const char *)*data, n);
    *data += n + 1;
    *size -= n + 1;
    return 0;
}

static int under_any(const struct pw_toml_path *p, const struct pw_toml_leaves *prefixes)
{
    for (size_t i = 0; prefixes && i < prefixes->n; i++)
        if (pw_toml_path_has_prefix(p, &prefixes->v[i].path))
            return 1;
    return 0;
}

/* Every value leaf of a that is outside the changed paths is in b, the same. Called both
 * ways: nothing outside them was lost, nothing was added. */
static void unchanged_outside(const struct pw_toml_doc *a, const struct pw_toml_doc *b,
                              const struct pw_toml_path *path, const struct pw_toml_leaves *frag)
{
    struct pw_toml_leaves la = {NULL, 0, 0};
    pw_toml_leaves_collect(a->root, &la);
    for (size_t i = 0; i < la.n; i++) {
        const struct pw_toml_leaf *l = &la.v[i];
        if ((path && pw_toml_path_has_prefix(&l->path, path)) || under_any(&l->path, frag) ||
            l->value->type == PW_TOML_TABLE)
            continue;
        const struct pw_toml_node *v = pw_toml_get(b, &l->path);
        if (!v || !pw_toml_equal(v, l->value))
            abort();
    }
    pw_toml_leaves_release(&la);
}

static void check_result(const struct pw_toml_doc *old, struct pw_toml_doc *new, int op,
                         const struct pw_toml_path *path, const struct pw_toml_node *value,
                         const struct pw_toml_doc *frag)
{
    struct pw_toml_doc *re = NULL;
    struct pw_err err;
    if (pw_toml_parse("re", new->src, new->len, &re, &err))
        abort();
    struct pw_toml_leaves fl = {NULL, 0, 0};
    if (frag)
        pw_toml_leaves_collect(frag->root, &fl);
    if (op == 0) {
        const struct pw_toml_node *v = pw_toml_get(re, path);
        if (!v || !pw_toml_equal(v, value))
            abort();
    } else if (op == 1 && pw_toml_get(re, path)) {
        abort();
    }
    for (size_t i = 0; i < fl.n; i++) {
        const struct pw_toml_node *v = pw_toml_get(re, &fl.v[i].path);
        if (!v || (fl.v[i].value->type == PW_TOML_TABLE ? v->type != PW_TOML_TABLE
                                                        : !pw_toml_equal(v, fl.v[i].value)))
            abort();
    }
    unchanged_outside(old, re, frag ? NULL : path, frag ? &fl : NULL);
    unchanged_outside(re, old, frag ? NULL : path, frag ? &fl : NULL);
    pw_toml_leaves_release(&fl);
    pw_toml_doc_free(re);
}

static int apply(struct pw_toml_doc **docp, int op, const struct pw_toml_path *path,
                 const char *value, const struct pw_toml_doc *frag, struct pw_err *err)
{
    if (op == 0)
        return pw_toml_edit_set(docp, path, value, err);
    if (op == 1)
        return pw_toml_edit_unset(docp, path, err);
    return pw_toml_edit_merge(docp, frag, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int op = data[0] % 3;
    data++, size--;
    char *key = NULL, *value = NULL;
    struct pw_toml_doc *doc = NULL, *old = NULL, *frag = NULL, *vdoc = NULL;
    struct pw_toml_path path = PW_TOML_PATH_INIT;
    struct pw_err err;
    pw_err_init(&err);
    if (field(&data, &size, &key) || field(&data, &size, &value))
        goto out;
    if (pw_toml_parse("doc", (const char *)data, size, &doc, &err) ||
        pw_toml_parse("doc", (const char *)data, size, &old, &err))
        goto out;
    if (op == 2 && pw_toml_parse("frag", value, strlen(value), &frag, &err))
        goto out;
    if (op != 2 && pw_toml_path_parse(key, &path, &err))
        goto out;
    if (op == 0) {
        struct pw_buf b = PW_BUF_INIT;
        pw_buf_addf(&b, "v = %s", value);
        int bad = pw_toml_parse("v", b.buf, b.len, &vdoc, &err) || vdoc->root->n != 1;
        pw_buf_release(&b);
        if (bad)
            goto out;
    }
    if (apply(&doc, op, &path, value, frag, &err)) {
        if (!strncmp(err.msg, "internal error", 14))
            abort();
        goto out;
    }
    check_result(old, doc, op, &path, vdoc ? vdoc->root->entries[0].val : NULL, frag);
    /* idempotent: the same edit again leaves the text as it is */
    char *text = pw_xstrndup(doc->src, doc->len);
    size_t len = doc->len;
    if (apply(&doc, op, &path, value, frag, &err) || doc->len != len || memcmp(doc->src, text, len))
        abort();
    free(text);
out:
    pw_toml_path_release(&path);
    pw_toml_doc_free(doc);
    pw_toml_doc_free(old);
    pw_toml_doc_free(frag);
    pw_toml_doc_free(vdoc);
    free(key);
    free(value);
    return 0;
}
