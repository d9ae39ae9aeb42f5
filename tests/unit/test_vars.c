/* Variables: assignment, precedence, ${KEY} expansion, truthiness and --vars files. */
#include <stdlib.h>
#include <unistd.h>

#include "base/fs.h"
#include "core/vars.h"
#include "tap.h"

static void expect_expand(const struct pw_vars *v, const char *in, const char *want)
{
    struct pw_buf out = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    int rc = pw_vars_expand(v, in, &out, &err);
    TAP_INT_EQ(rc, 0, "expands '%s'", in);
    TAP_STR_EQ(out.buf, want, "'%s' expands to '%s'", in, want);
    pw_buf_release(&out);
}

static void expect_expand_error(const struct pw_vars *v, const char *in, const char *msg)
{
    struct pw_buf out = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    int rc = pw_vars_expand(v, in, &out, &err);
    TAP_INT_EQ(rc, -PW_E_MANIFEST, "'%s' is an error", in);
    TAP_STR_EQ(err.msg, msg, "'%s': message", in);
    pw_buf_release(&out);
}

static void test_expand(void)
{
    struct pw_vars v;
    pw_vars_init(&v);
    pw_vars_set(&v, "version", "1.2.3");
    pw_vars_set(&v, "arch.deb", "amd64");
    pw_vars_set(&v, "loop", "${version}");
    pw_vars_set(&v, "empty", "");
    expect_expand(&v, "plain", "plain");
    expect_expand(&v, "", "");
    expect_expand(&v, "${version}", "1.2.3");
    expect_expand(&v, "x-${version}-${arch.deb}.tar.gz", "x-1.2.3-amd64.tar.gz");
    expect_expand(&v, "$${version}", "${version}");
    expect_expand(&v, "cost: 5$", "cost: 5$");
    expect_expand(&v, "echo $PATH", "echo $PATH");
    expect_expand(&v, "${loop}", "${version}"); /* values are not expanded again */
    expect_expand(&v, "[${empty}]", "[]");
    expect_expand(NULL, "no vars", "no vars");
    expect_expand_error(&v, "${nope}", "undefined variable 'nope'");
    expect_expand_error(&v, "${version", "unterminated '${' (write '$$' for a literal '$')");
    expect_expand_error(&v, "${}", "variable name '' must not be empty");
    expect_expand_error(&v, "${a b}",
                        "variable name 'a b' must contain only letters, digits, '_', '.' and "
                        "'-'");
    pw_vars_release(&v);
}

static void test_set_and_assign(void)
{
    struct pw_vars v, copy;
    struct pw_err err;
    pw_vars_init(&v);
    pw_vars_init(&copy);
    pw_err_init(&err);
    pw_vars_set(&v, "k", "1");
    pw_vars_set(&v, "k", "2");
    TAP_STR_EQ(pw_vars_get(&v, "k"), "2", "later sets win");
    TAP_INT_EQ(v.keys.n, 1, "one key after two sets");
    TAP_OK(pw_vars_get(&v, "missing") == NULL, "missing key");
    TAP_OK(pw_vars_get(NULL, "k") == NULL, "NULL vars");
    TAP_INT_EQ(pw_vars_parse_assignment(&v, "url=https://x/?a=b", &err), 0, "KEY=VALUE");
    TAP_STR_EQ(pw_vars_get(&v, "url"), "https://x/?a=b", "value keeps later '='");
    TAP_INT_EQ(pw_vars_parse_assignment(&v, "empty=", &err), 0, "empty value");
    TAP_STR_EQ(pw_vars_get(&v, "empty"), "", "empty value stored");
    TAP_INT_EQ(pw_vars_parse_assignment(&v, "novalue", &err), -PW_E_USAGE, "no '='");
    TAP_STR_EQ(err.msg, "--var 'novalue': expected KEY=VALUE", "no '=' message");
    TAP_INT_EQ(pw_vars_parse_assignment(&v, "=x", &err), -PW_E_USAGE, "empty name");
    TAP_INT_EQ(pw_vars_parse_assignment(&v, "1x=y", &err), -PW_E_USAGE, "name with a digit");
    TAP_STR_EQ(err.msg, "--var '1x=y': variable name '1x' must start with a letter or '_'",
               "bad name message");
    TAP_INT_EQ(pw_vars_parse_assignment(&v, "arch.deb=x", &err), -PW_E_USAGE, "reserved name");
    pw_vars_copy(&copy, &v);
    TAP_STR_EQ(pw_vars_get(&copy, "url"), "https://x/?a=b", "copy");
    pw_vars_release(&v);
    pw_vars_release(&copy);
}

static void test_truthy(void)
{
    const char *yes[] = {"true", "TRUE", "True", "1", "yes", "on", "ON"};
    const char *no[] = {"false", "False", "0", "no", "off", ""};
    const char *neither[] = {"maybe", "2", "y", "t", " true"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        TAP_INT_EQ(pw_vars_truthy(yes[i]), 1, "'%s' is true", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        TAP_INT_EQ(pw_vars_truthy(no[i]), 0, "'%s' is false", no[i]);
    for (size_t i = 0; i < sizeof(neither) / sizeof(neither[0]); i++)
        TAP_INT_EQ(pw_vars_truthy(neither[i]), -1, "'%s' is neither", neither[i]);
    TAP_INT_EQ(pw_vars_truthy(NULL), -1, "NULL is neither");
}

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/pw-vars-XXXXXX");
    int fd = mkstemp(path);
    pw_fs_write_all(fd, text, strlen(text));
    close(fd);
    return path;
}

static void expect_file_error(const char *text, const char *suffix)
{
    struct pw_vars v;
    struct pw_err err;
    pw_vars_init(&v);
    pw_err_init(&err);
    char *path = write_temp(text);
    TAP_INT_EQ(pw_vars_load_file(&v, path, &err), -PW_E_MANIFEST, "bad var file refused");
    struct pw_buf want = PW_BUF_INIT;
    pw_buf_addf(&want, "%s%s", path, suffix);
    TAP_STR_EQ(err.msg, want.buf, "bad var file message");
    pw_buf_release(&want);
    unlink(path);
    free(path);
    pw_vars_release(&v);
}

static void test_file(void)
{
    struct pw_vars v;
    struct pw_err err;
    pw_vars_init(&v);
    pw_err_init(&err);
    char *path =
        write_temp("{\n  \"region\": \"eu\",\n  \"gpu\": true,\n  \"off\": false,\n"
                   "  \"count\": 3,\n  \"ratio\": 0.25,\n  \"big\": 1e20,\n"
                   "  \"list\": [1, 2],\n  \"map\": {\"a\": 1},\n  \"nothing\": null\n}\n");
    TAP_INT_EQ(pw_vars_load_file(&v, path, &err), 0, "packer-style var file loads");
    TAP_STR_EQ(pw_vars_get(&v, "region"), "eu", "string value");
    TAP_STR_EQ(pw_vars_get(&v, "gpu"), "true", "JSON true");
    TAP_STR_EQ(pw_vars_get(&v, "off"), "false", "JSON false");
    TAP_STR_EQ(pw_vars_get(&v, "count"), "3", "integer");
    TAP_STR_EQ(pw_vars_get(&v, "ratio"), "0.25", "fraction");
    TAP_STR_EQ(pw_vars_get(&v, "big"), "1e+20", "large number");
    TAP_OK(pw_vars_get(&v, "list") == NULL, "arrays are skipped");
    TAP_OK(pw_vars_get(&v, "map") == NULL, "objects are skipped");
    TAP_STR_EQ(pw_vars_get(&v, "nothing"), "", "null reads as empty (packer leaves it unset)");
    unlink(path);
    free(path);
    pw_vars_release(&v);

    expect_file_error("[1]", ": must be a JSON object, not an array");
    expect_file_error("{\n  \"a\": 1,\n}", ":3:1: invalid JSON: trailing comma");
    expect_file_error("{\"a\": ", ":1:7: invalid JSON: unexpected end of input");
    expect_file_error("{\"arch.deb\": \"x\"}",
                      ": arch.deb: is reserved (arch.deb, arch.rpm and arch.uname are built in)");
    expect_file_error("{\"a b\": \"x\"}",
                      ": a b: variable name must contain only letters, digits, '_', '.' and '-'");

    pw_vars_init(&v);
    TAP_INT_EQ(pw_vars_load_file(&v, "/nonexistent/vars.json", &err), -PW_E_IO, "missing file");
    pw_vars_release(&v);
}

int main(void)
{
    test_expand();
    test_set_and_assign();
    test_truthy();
    test_file();
    return tap_done();
}
