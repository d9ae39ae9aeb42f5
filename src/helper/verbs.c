/* The verbs on any TOML file: check, json, get, set, unset, merge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"
#include "helper.h"
#include "toml/toml_edit.h"
#include "toml/toml_json.h"

int helper_load(const char *path, struct pw_toml_doc **doc)
{
    struct pw_buf text = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    int rc = helper_read_input(path, &text, &err);
    if (!rc)
        rc = pw_toml_parse(strcmp(path, "-") ? path : "<stdin>", text.buf, text.len, doc, &err);
    pw_buf_release(&text);
    if (rc)
        helper_error(&err);
    return rc ? pw_err_exit_status(rc) : 0;
}

static int parse_keypath(const char *text, struct pw_toml_path *path)
{
    struct pw_err err;
    pw_err_init(&err);
    if (pw_toml_path_parse(text, path, &err))
        return helper_usage_error("%s", err.msg);
    return 0;
}

int helper_check(struct run *r)
{
    struct pw_toml_doc *doc = NULL;
    int status = helper_load(r->args.v[1], &doc);
    pw_toml_doc_free(doc);
    return status;
}

int helper_json(struct run *r)
{
    struct pw_toml_doc *doc = NULL;
    int status = helper_load(r->args.v[1], &doc);
    if (!status) {
        struct pw_buf out = PW_BUF_INIT;
        pw_toml_json_write(doc->root, &out);
        printf("%s\n", out.buf);
        pw_buf_release(&out);
    }
    pw_toml_doc_free(doc);
    return status;
}

/* Strings print as their text; tables as `key = value` lines, one per value below them. */
static void print_value(const struct pw_toml_doc *doc, const struct pw_toml_node *v)
{
    struct pw_buf out = PW_BUF_INIT;
    if (v->type == PW_TOML_STRING) {
        pw_buf_add(&out, v->str, v->len);
        pw_buf_addc(&out, '\n');
    } else if (v->type == PW_TOML_TABLE) {
        struct pw_toml_leaves leaves = {NULL, 0, 0};
        pw_toml_leaves_collect(v, &leaves);
        for (size_t i = 0; i < leaves.n; i++) {
            pw_toml_path_format(&leaves.v[i].path, '"', &out);
            pw_buf_adds(&out, " = ");
            if (leaves.v[i].value->type == PW_TOML_TABLE)
                pw_buf_adds(&out, "{}");
            else
                pw_toml_value_format(doc, leaves.v[i].value, &out);
            pw_buf_addc(&out, '\n');
        }
        pw_toml_leaves_release(&leaves);
    } else {
        pw_toml_value_format(doc, v, &out);
        pw_buf_addc(&out, '\n');
    }
    fwrite(out.buf, 1, out.len, stdout);
    pw_buf_release(&out);
}

int helper_get(struct run *r)
{
    struct pw_toml_path path = PW_TOML_PATH_INIT;
    struct pw_toml_doc *doc = NULL;
    int status = parse_keypath(r->args.v[2], &path);
    if (!status)
        status = helper_load(r->args.v[1], &doc);
    if (!status) {
        const struct pw_toml_node *v = pw_toml_get(doc, &path);
        if (v) {
            print_value(doc, v);
        } else {
            fprintf(stderr, "packwright-toml: error: '%s' is not set in '%s'\n", r->args.v[2],
                    r->args.v[1]);
            status = 1;
        }
    }
    pw_toml_doc_free(doc);
    pw_toml_path_release(&path);
    return status;
}

struct set_args {
    struct pw_toml_path path;
    const char *value;
    const struct pw_toml_doc *fragment;
};

static int set_edit(struct run *r, struct pw_toml_doc **docp, void *ctx, struct pw_err *err)
{
    struct set_args *a = ctx;
    return pw_toml_edit_set(docp, &a->path, a->value, err);
}

static int unset_edit(struct run *r, struct pw_toml_doc **docp, void *ctx, struct pw_err *err)
{
    struct set_args *a = ctx;
    return pw_toml_edit_unset(docp, &a->path, err);
}

static int merge_edit(struct run *r, struct pw_toml_doc **docp, void *ctx, struct pw_err *err)
{
    struct set_args *a = ctx;
    return pw_toml_edit_merge(docp, a->fragment, err);
}

static int keypath_session(struct run *r, const char *value, enum helper_missing missing,
                           helper_edit_fn fn)
{
    struct set_args a = {PW_TOML_PATH_INIT, value, NULL};
    int status = parse_keypath(r->args.v[2], &a.path);
    if (!status)
        status = helper_edit_session(r, r->args.v[1], missing, NULL, fn, &a);
    pw_toml_path_release(&a.path);
    return status;
}

int helper_set(struct run *r)
{
    return keypath_session(r, r->args.v[3], MISSING_CREATE, set_edit);
}

int helper_unset(struct run *r)
{
    return keypath_session(r, NULL, MISSING_SKIP, unset_edit);
}

int helper_merge(struct run *r)
{
    struct pw_toml_doc *frag = NULL;
    int status = helper_load(r->args.v[2], &frag);
    if (!status) {
        struct set_args a = {PW_TOML_PATH_INIT, NULL, frag};
        status = helper_edit_session(r, r->args.v[1], MISSING_CREATE, NULL, merge_edit, &a);
    }
    pw_toml_doc_free(frag);
    return status;
}
