/* Edits rewrite only what they change: each case gives the input, the edit and the exact
 * text expected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "toml/toml.h"
#include "toml/toml_edit.h"

enum op { SET, UNSET, MERGE, ENSURE };

/* Applies op to input; returns the resulting text (caller frees) or NULL with err set. */
static char *apply(const char *input, enum op op, const char *key, const char *value,
                   struct pw_err *err)
{
    struct pw_toml_doc *doc = NULL, *frag = NULL;
    struct pw_toml_path path = PW_TOML_PATH_INIT;
    char *out = NULL;
    int rc = pw_toml_parse("in.toml", input, strlen(input), &doc, err);
    if (!rc && op != MERGE)
        rc = pw_toml_path_parse(key, &path, err);
    if (!rc && op == SET)
        rc = pw_toml_edit_set(&doc, &path, value, err);
    else if (!rc && op == UNSET)
        rc = pw_toml_edit_unset(&doc, &path, err);
    else if (!rc && op == ENSURE)
        rc = pw_toml_edit_ensure_table(&doc, &path, err);
    else if (!rc && op == MERGE) {
        rc = pw_toml_parse("frag.toml", value, strlen(value), &frag, err);
        if (!rc)
            rc = pw_toml_edit_merge(&doc, frag, err);
    }
    if (!rc)
        out = pw_xstrndup(doc->src, doc->len);
    pw_toml_path_release(&path);
    pw_toml_doc_free(doc);
    pw_toml_doc_free(frag);
    return out;
}

static void expect(const char *name, const char *input, enum op op, const char *key,
                   const char *value, const char *want)
{
    struct pw_err err;
    pw_err_init(&err);
    char *got = apply(input, op, key, value, &err);
    if (!got)
        printf("# error: %s\n", err.msg);
    TAP_STR_EQ(got, want, "%s", name);
    /* the same edit again changes nothing */
    if (got) {
        char *again = apply(got, op, key, value, &err);
        TAP_STR_EQ(again, got, "%s: idempotent", name);
        free(again);
    }
    free(got);
}

static void expect_error(const char *name, const char *input, enum op op, const char *key,
                         const char *value, const char *msg)
{
    struct pw_err err;
    pw_err_init(&err);
    char *got = apply(input, op, key, value, &err);
    TAP_OK(!got && strstr(err.msg, msg), "%s: refused", name);
    if (got || !strstr(err.msg, msg))
        printf("#   got: %s\n#   msg: %s\n", got ? got : "(null)", err.msg);
    free(got);
}

static void set_cases(void)
{
    expect("replace a value", "# c\na = 1 # keep\nb = 2\n", SET, "a", "3",
           "# c\na = 3 # keep\nb = 2\n");
    expect("same value: no change", "a = 'x'\n", SET, "a", "\"x\"", "a = 'x'\n");
    expect("new root key after the last", "a = 1\n\n[t]\nx = 1\n", SET, "b", "true",
           "a = 1\nb = true\n\n[t]\nx = 1\n");
    expect("new key in a section", "[t]\n  x = 1\n\n[u]\n", SET, "t.y", "2",
           "[t]\n  x = 1\n  y = 2\n\n[u]\n");
    expect("new header after the parent's last sub-table",
           "[a]\nx = 1\n\n[a.b]\ny = 1\n\n[c]\nz = 1\n", SET, "a.n.k", "'v'",
           "[a]\nx = 1\n\n[a.b]\ny = 1\n\n[a.n]\nk = 'v'\n\n[c]\nz = 1\n");
    expect("dotted keys where the section uses them", "[a]\nb.c = 1\n", SET, "a.d.e", "2",
           "[a]\nb.c = 1\nd.e = 2\n");
    expect("into a dotted table", "a.b = 1\nc = 2\n", SET, "a.x", "3", "a.b = 1\na.x = 3\nc = 2\n");
    expect("into an inline table", "t = { a = 1 }\n", SET, "t.b", "2", "t = { a = 1, b = 2 }\n");
    expect("into an empty inline table", "t = {}\n", SET, "t.b.c", "2", "t = { b.c = 2 }\n");
    expect("implicit table gets its header before its sub-table", "x = 1\n\n[a.b]\nc = 1\n", SET,
           "a.k", "1", "x = 1\n\n[a]\nk = 1\n\n[a.b]\nc = 1\n");
    expect("CRLF kept", "[t]\r\na = 1\r\n", SET, "t.b", "2", "[t]\r\na = 1\r\nb = 2\r\n");
    expect("no final newline kept", "[t]\na = 1", SET, "t.b", "2", "[t]\na = 1\nb = 2");
    expect("no final newline, new header", "[t]\na = 1", SET, "u.b", "2",
           "[t]\na = 1\n\n[u]\nb = 2");
    expect("quoted keys with dots", "[plugins.\"io.containerd.grpc.v1.cri\"]\n  x = 1\n", SET,
           "plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.gvisor.runtime_type",
           "\"io.containerd.runsc.v1\"",
           "[plugins.\"io.containerd.grpc.v1.cri\"]\n  x = 1\n\n"
           "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.gvisor]\n"
           "  runtime_type = \"io.containerd.runsc.v1\"\n");
    expect("single-quoted style for new parts", "[plugins.'io.containerd.cri.v1.images']\nx = 1\n",
           SET, "plugins.\"io.containerd.cri.v1.runtime\".y", "1",
           "[plugins.'io.containerd.cri.v1.images']\nx = 1\n\n"
           "[plugins.'io.containerd.cri.v1.runtime']\ny = 1\n");
    expect("headers indented by depth", "[a]\n  x = 1\n\n  [a.b]\n    y = 1\n", SET, "a.b.c.d", "1",
           "[a]\n  x = 1\n\n  [a.b]\n    y = 1\n\n    [a.b.c]\n      d = 1\n");
    expect("sub-table before its parent", "[a.b]\nx = 1\n\n[a]\ny = 1\n", SET, "a.z", "1",
           "[a.b]\nx = 1\n\n[a]\ny = 1\nz = 1\n");
    expect("empty document", "", SET, "a.b", "1", "[a]\nb = 1\n");
    expect("empty document, root key", "", SET, "version", "2", "version = 2\n");
    expect("first root key above a header", "[a]\nx = 1\n", SET, "version", "2",
           "version = 2\n\n[a]\nx = 1\n");
    expect_error("a table is not replaced", "[a]\nx = 1\n", SET, "a", "1", "is a table");
    expect_error("not a table", "a = 1\n", SET, "a.b", "1", "'a' is an integer, not a table");
    expect_error("array of tables", "[[a]]\nx = 1\n", SET, "a.x", "1", "array of tables");
    expect_error("bad value", "a = 1\n", SET, "a", "1 2", "invalid TOML value");
}

static void unset_cases(void)
{
    expect("remove a line", "a = 1 # x\nb = 2\n", UNSET, "a", NULL, "b = 2\n");
    expect("absent: no change", "a = 1\n", UNSET, "b.c", NULL, "a = 1\n");
    expect("remove the last line without final newline", "a = 1\nb = 2", UNSET, "b", NULL, "a = 1");
    expect("remove a table and its sub-tables",
           "x = 1\n\n# about a\n[a]\nk = 1\n\n[a.b]\nk = 2\n\n[c]\nk = 3\n", UNSET, "a", NULL,
           "x = 1\n\n[c]\nk = 3\n");
    expect("remove the last table", "x = 1\n\n[a]\nk = 1\n", UNSET, "a", NULL, "x = 1\n");
    expect("remove from an inline table", "t = { a = 1, b = 2, c = 3 }\n", UNSET, "t.b", NULL,
           "t = { a = 1, c = 3 }\n");
    expect("remove the last inline entry", "t = { a = 1, b = 2 }\n", UNSET, "t.b", NULL,
           "t = { a = 1 }\n");
    expect("remove a dotted table", "a.b = 1\na.c = 2\nd = 3\n", UNSET, "a", NULL, "d = 3\n");
    expect("remove a dotted table inside an inline table", "t = { a.b = 1, a.c = 2, d = 3 }\n",
           UNSET, "t.a", NULL, "t = { d = 3 }\n");
}

static void merge_cases(void)
{
    expect("merge into existing tables",
           "version = 2\n\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = \"p\"\n",
           MERGE, NULL,
           "[plugins.\"io.containerd.grpc.v1.cri\"]\nsandbox_image = \"q\"\n"
           "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.gvisor]\n"
           "runtime_type = \"io.containerd.runsc.v1\"\n",
           "version = 2\n\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = \"q\"\n\n"
           "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.gvisor]\n"
           "  runtime_type = \"io.containerd.runsc.v1\"\n");
    expect("arrays are replaced", "a = [1, 2]\n", MERGE, NULL, "a = [3]\n", "a = [3]\n");
    expect("empty tables are created", "a = 1\n", MERGE, NULL, "[t]\n", "a = 1\n\n[t]\n");
    expect_error("table against value", "a = 1\n", MERGE, NULL, "[a]\nb = 1\n",
                 "cannot merge 'a.b'");
    expect_error("value against table", "[a]\nb = 1\n", MERGE, NULL, "a = 1\n", "cannot merge 'a'");
}

int main(void)
{
    set_cases();
    unset_cases();
    merge_cases();
    return tap_done();
}
