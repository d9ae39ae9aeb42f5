/* The portable dependency syntax: parsing, errors, per-kind and per-format rules, rendering
 * for deb control fields and rpm dependency strings. */
#include "base/strvec.h"
#include "core/deps.h"
#include "tap.h"

static void expect_parse(const char *s, size_t nalts, const char *name0, enum pw_dep_op op0,
                         const char *ver0)
{
    struct pw_dep d;
    struct pw_err err;
    pw_err_init(&err);
    int rc = pw_dep_parse(s, &d, &err);
    TAP_INT_EQ(rc, 0, "parses '%s'", s);
    if (rc < 0) {
        printf("#   %s\n", err.msg);
        return;
    }
    TAP_INT_EQ(d.nalts, nalts, "'%s': %zu alternatives", s, nalts);
    TAP_STR_EQ(d.alts[0].name, name0, "'%s': name", s);
    TAP_INT_EQ(d.alts[0].op, op0, "'%s': operator", s);
    if (ver0)
        TAP_STR_EQ(d.alts[0].version, ver0, "'%s': version", s);
    else
        TAP_OK(d.alts[0].version == NULL, "'%s': no version", s);
    pw_dep_release(&d);
}

static void expect_error(const char *s, const char *msg)
{
    struct pw_dep d;
    struct pw_err err;
    pw_err_init(&err);
    int rc = pw_dep_parse(s, &d, &err);
    TAP_INT_EQ(rc, -PW_E_MANIFEST, "'%s' is refused", s);
    TAP_STR_EQ(err.msg, msg, "'%s': message", s);
}

static void expect_render(const char *s, const char *deb, const char *rpm)
{
    struct pw_dep d;
    struct pw_err err;
    struct pw_buf b = PW_BUF_INIT;
    pw_err_init(&err);
    if (pw_dep_parse(s, &d, &err) < 0) {
        TAP_OK(0, "parses '%s': %s", s, err.msg);
        return;
    }
    pw_dep_render_deb(&d, &b);
    TAP_STR_EQ(b.buf, deb, "deb rendering of '%s'", s);
    pw_buf_reset(&b);
    pw_dep_render_rpm(&d, &b);
    TAP_STR_EQ(b.buf, rpm, "rpm rendering of '%s'", s);
    pw_buf_release(&b);
    pw_dep_release(&d);
}

static void expect_validate(const char *s, const char *field, const char *format, const char *msg)
{
    struct pw_dep d;
    struct pw_err err;
    pw_err_init(&err);
    if (pw_dep_parse(s, &d, &err) < 0) {
        TAP_OK(0, "parses '%s': %s", s, err.msg);
        return;
    }
    int rc = pw_dep_validate(&d, field, format, &err);
    if (msg) {
        TAP_INT_EQ(rc, -PW_E_MANIFEST, "%s '%s' refused for %s", field, s,
                   format ? format : "any format");
        TAP_STR_EQ(err.msg, msg, "%s '%s': message", field, s);
    } else {
        TAP_INT_EQ(rc, 0, "%s '%s' allowed for %s", field, s, format ? format : "any format");
    }
    pw_dep_release(&d);
}

int main(void)
{
    expect_parse("libc6", 1, "libc6", PW_DEP_ANY, NULL);
    expect_parse("  libc6  ", 1, "libc6", PW_DEP_ANY, NULL);
    expect_parse("libc6 (>= 2.17)", 1, "libc6", PW_DEP_GE, "2.17");
    expect_parse("libc6(>=2.17)", 1, "libc6", PW_DEP_GE, "2.17");
    expect_parse("foo (<< 2:1.0~rc1-1)", 1, "foo", PW_DEP_LT, "2:1.0~rc1-1");
    expect_parse("foo (< 2)", 1, "foo", PW_DEP_LT, "2");
    expect_parse("foo (> 2)", 1, "foo", PW_DEP_GT, "2");
    expect_parse("foo (= 2)", 1, "foo", PW_DEP_EQ, "2");
    expect_parse("foo (<= 2)", 1, "foo", PW_DEP_LE, "2");
    expect_parse("foo (>> 2)", 1, "foo", PW_DEP_GT, "2");
    expect_parse("a1 | b2 (<< 2) | c3", 3, "a1", PW_DEP_ANY, NULL);
    expect_parse("python3:any", 1, "python3:any", PW_DEP_ANY, NULL);
    expect_parse("/bin/sh", 1, "/bin/sh", PW_DEP_ANY, NULL);

    expect_error("", "missing a package name");
    expect_error("a | ", "missing a package name");
    expect_error("| b", "missing a package name");
    expect_error("foo (2.0)", "'foo' needs an operator (<<, <=, =, >=, >>) before the version");
    expect_error("foo (>= )", "'foo' needs a version after the operator");
    expect_error("foo (>= v2)", "version 'v2' of 'foo' must start with a digit");
    expect_error("foo (>= 2", "expected ')' after the version of 'foo'");
    expect_error("foo, bar", "one relation per string: write each of 'foo, bar' as its own entry");
    expect_error("foo bar", "unexpected 'b' after 'foo'");
    expect_error("(>= 1)", "unexpected '(' where a package name belongs");
    expect_error("foo (>= 1) (>= 2)", "unexpected '(' after 'foo'");

    expect_render("libc6(>=2.17)", "libc6 (>= 2.17)", "libc6 >= 2.17");
    expect_render("foo (< 2)", "foo (<< 2)", "foo < 2");
    expect_render("a1|b2 (>> 1)", "a1 | b2 (>> 1)", "(a1 or b2 > 1)");

    struct pw_strvec list = PW_STRVEC_INIT;
    pw_strvec_push(&list, "libc6 (>= 2.17)");
    pw_strvec_push(&list, "aa|bb");
    pw_strvec_push(&list, "cc");
    struct pw_buf b = PW_BUF_INIT;
    pw_deps_render_deb(&list, &b);
    TAP_STR_EQ(b.buf, "libc6 (>= 2.17), aa | bb, cc", "a list rendered for a control field");
    pw_buf_release(&b);
    pw_strvec_release(&list);

    expect_validate("aa | bb", "depends", "deb", NULL);
    expect_validate("aa | bb", "conflicts", NULL, "conflicts takes no alternatives ('|')");
    expect_validate("aa | bb", "breaks", NULL, "breaks takes no alternatives ('|')");
    expect_validate("aa | bb", "replaces", NULL, "replaces takes no alternatives ('|')");
    expect_validate("aa | bb", "provides", NULL, "provides takes no alternatives ('|')");
    expect_validate("aa (= 1)", "provides", "deb", NULL);
    expect_validate("aa (>= 1)", "provides", NULL, "provides allows only '=' as operator");
    expect_validate("Foo", "depends", "deb",
                    "'Foo' is not a valid deb package name: must be lowercase");
    expect_validate("Foo", "depends", "rpm", NULL);
    expect_validate("python3:any", "depends", "deb", NULL);
    expect_validate("python3:", "depends", "deb",
                    "'python3:' is not a valid deb package name: has a malformed architecture "
                    "qualifier");
    expect_validate("/bin/sh", "depends", "rpm", NULL);
    expect_validate("/bin/sh", "depends", "deb",
                    "'/bin/sh' is not a valid deb package name: must start with a lowercase "
                    "letter or a digit");
    expect_validate("a", "depends", "deb",
                    "'a' is not a valid deb package name: must be at least two characters long");
    TAP_STR_EQ(pw_dep_op_deb(PW_DEP_LT), "<<", "deb spelling of <");
    TAP_STR_EQ(pw_dep_op_rpm(PW_DEP_GT), ">", "rpm spelling of >");
    return tap_done();
}
