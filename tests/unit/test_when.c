/* `when` conditions: operators, precedence, comparisons, the old single-variable forms, and
 * exact messages for each kind of mistake. */
#include "core/when.h"
#include "tap.h"

static struct pw_vars vars;

static void expect(const char *expr, int want)
{
    struct pw_err err;
    pw_err_init(&err);
    int got = -1;
    int rc = pw_when_eval(&vars, expr, &got, &err);
    TAP_INT_EQ(rc, 0, "'%s' evaluates%s%s", expr, rc ? ": " : "", rc ? err.msg : "");
    TAP_INT_EQ(got, want, "'%s' is %s", expr, want ? "true" : "false");
}

static void expect_error(const char *expr, const char *msg)
{
    struct pw_err err;
    pw_err_init(&err);
    int got = -1;
    int rc = pw_when_eval(&vars, expr, &got, &err);
    TAP_INT_EQ(rc, -PW_E_MANIFEST, "'%s' is an error", expr);
    TAP_STR_EQ(err.msg, msg, "'%s': message", expr);
    TAP_INT_EQ(got, 0, "'%s': an error reads as false", expr);
}

static void test_single_variable(void)
{
    expect("yes", 1);
    expect("no", 0);
    expect("!no", 1);
    expect("!yes", 0);
    expect("!!yes", 1);
    expect("${yes}", 1);
    expect("!${empty}", 1);
    expect("${empty}", 0);
    expect("jsonbool", 1);
    expect("  yes  ", 1);
    expect("v${yes}x == 'vtruex'", 1); /* a template mixes text and references */
}

static void test_operators(void)
{
    expect("yes && no", 0);
    expect("yes && yes", 1);
    expect("no || yes", 1);
    expect("no || no", 0);
    expect("no || yes && no", 0); /* && binds tighter */
    expect("(no || yes) && yes", 1);
    expect("!(no || no)", 1);
    expect("!no && !empty", 1);
    expect("yes&&no||yes", 1);
}

static void test_comparisons(void)
{
    expect("timeout != ''", 1);
    expect("empty != ''", 0);
    expect("empty == \"\"", 1);
    expect("timeout == '5m'", 1);
    expect("timeout == '5M'", 0); /* exact text */
    expect("'5m' == timeout", 1);
    expect("${timeout} == '5m'", 1);
    expect("timeout != '' || settings != ''", 1);
    expect("empty != '' || settings == ''", 0);
    expect("layout == 'auto' && !(empty != '')", 1);
    expect("maybe == 'maybe'", 1); /* compared, so not read as a boolean */
}

static void test_errors(void)
{
    expect_error("maybe", "'maybe' is neither true nor false (true/false, yes/no, on/off, 1/0)");
    expect_error("nope", "undefined variable 'nope'");
    expect_error("yes || nope", "undefined variable 'nope'"); /* no short cut */
    expect_error("${nope} == ''", "undefined variable 'nope'");
    expect_error("", "'': expected a variable, a ${...} or a quoted text, not the end at column 1");
    expect_error("yes &&", "'yes &&': expected a variable, a ${...} or a quoted text, not the end "
                           "at column 7");
    expect_error("(yes", "'(yes': expected ')' at column 5");
    expect_error("yes)", "'yes)': unexpected ')' at column 4");
    expect_error("yes no", "'yes no': unexpected 'no' at column 5");
    expect_error("timeout == ", "'timeout == ': expected a value to compare with at column 12");
    expect_error("timeout == 'x", "'timeout == 'x': unterminated quoted text at column 12");
    expect_error("${yes", "'${yes': unterminated '${' at column 1");
    expect_error("yes = b", "'yes = b': unexpected character at column 5");
    expect_error("$x", "'$x': a '$' that does not start '${' at column 1");
}

int main(void)
{
    pw_vars_init(&vars);
    pw_vars_set(&vars, "yes", "true");
    pw_vars_set(&vars, "no", "False");
    pw_vars_set(&vars, "empty", "");
    pw_vars_set(&vars, "jsonbool", "1");
    pw_vars_set(&vars, "maybe", "maybe");
    pw_vars_set(&vars, "timeout", "5m");
    pw_vars_set(&vars, "settings", "W2Zvb10K");
    pw_vars_set(&vars, "layout", "auto");
    test_single_variable();
    test_operators();
    test_comparisons();
    test_errors();
    pw_vars_release(&vars);
    return tap_done();
}
