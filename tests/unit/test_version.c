/* Name and version rules, and both orderings. The orderings are checked against tables from
 * dpkg's and rpm's own test suites and, as oracles, against `dpkg --compare-versions` and
 * librpm's rpmvercmp() on the same pairs. */
#include <rpm/rpmver.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/version.h"
#include "tap.h"

extern char **environ;

struct pair {
    const char *a, *b;
    int want; /* sign */
};

static const struct pair deb_pairs[] = {
    {"1.0", "1.0", 0},
    {"1.0", "1.1", -1},
    {"1.0~rc1", "1.0", -1},
    {"1.0~~", "1.0~", -1},
    {"1.0~~a", "1.0~~", 1},
    {"1.0~", "1.0", -1},
    {"1.0", "1.0+1", -1},
    {"1.0a", "1.0", 1},
    {"1.0-1", "1.0-2", -1},
    {"1:0.1", "2.0", 1},
    {"0:1.0", "1.0", 0},
    {"1.0-0", "1.0", 0},
    {"2.30", "2.4", 1},
    {"1.0.0", "1.0", 1},
    {"1.2.3-1", "1.2.3-1~bpo1", 1},
    {"1.0-1", "1.0a-1", -1},
    {"7.6p2-4", "7.6-0", 1},
    {"1.0.3-3", "1.0-1", 1},
    {"1.3", "1.2.2-2", 1},
    {"0-pre", "0-pree", -1},
    {"1.1.6r2-2", "1.1.6r-1", 1},
    {"2.6b2-1", "2.6b-2", 1},
    {"98.1p5-1", "98.1-pre2-b6-2", -1},
    {"0.4a6-2", "0.4-1", 1},
    {"1:3.0.5-2", "1:3.0.5.1", -1},
    {"1.0~", "1.0~~", 1},
    {"1.0~rc1-1", "1.0~rc2-1", -1},
    {"1.0+dfsg-1", "1.0-1", 1},
    {"0001.0", "1.0", 0},
    {"1.0.10", "1.0.9", 1},
    {"1.0-1.1", "1.0-1+b1", 1},
    {"2:1.0", "10:0.1", -1},
};

static const struct pair rpm_pairs[] = {
    {"1.0", "1.0", 0},
    {"1.0", "2.0", -1},
    {"2.0.1", "2.0", 1},
    {"2.0.1a", "2.0.1", 1},
    {"5.5p1", "5.5p2", -1},
    {"5.5p1", "5.5p10", -1},
    {"10xyz", "10.1xyz", -1},
    {"xyz10", "xyz10.1", -1},
    {"xyz.4", "8", -1},
    {"5.6p1", "6.5p1", -1},
    {"6.0.rc1", "6.0", 1},
    {"10b2", "10a1", 1},
    {"1.0a", "1.0aa", -1},
    {"10.0001", "10.1", 0},
    {"10.0001", "10.0039", -1},
    {"4.999.9", "5.0", -1},
    {"2_0", "2.0", 0},
    {"a+", "a_", 0},
    {"+", "_", 0},
    {"1.0~rc1", "1.0", -1},
    {"1.0~rc1", "1.0~rc2", -1},
    {"1.0~rc1~git123", "1.0~rc1", -1},
    {"1.0^", "1.0", 1},
    {"1.0^git1", "1.0^git2", -1},
    {"1.0^git1", "1.01", -1},
    {"1.0^20160101", "1.0.1", -1},
    {"1.0^20160102", "1.0^20160101^git1", 1},
    {"1.0~rc1^git1", "1.0~rc1", 1},
    {"1.0^git1~pre", "1.0^git1", -1},
    {"1:1.0-1", "2.0-1", 1},
    {"1.0-1", "1.0-2", -1},
    {"1.0-1.el9", "1.0-1", 1},
    {"1.0", "1.0-5", 0}, /* rpmverCmp: a missing release matches any */
    {"1:1.0", "1:1.0-5", 0},
    {"1.1", "1.0-5", 1},
};

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

/* 1 if `dpkg --compare-versions a op b` holds, 0 if not, -1 when dpkg cannot run. */
static int dpkg_says(const char *a, const char *op, const char *b)
{
    char *argv[] = {"dpkg", "--compare-versions", (char *)a, (char *)op, (char *)b, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "dpkg", NULL, NULL, argv, environ) != 0)
        return -1;
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) > 1)
        return -1;
    return WEXITSTATUS(st) == 0;
}

static void test_deb_order(void)
{
    int have_dpkg = dpkg_says("1", "eq", "1") == 1;
    for (size_t i = 0; i < sizeof(deb_pairs) / sizeof(deb_pairs[0]); i++) {
        const struct pair *p = &deb_pairs[i];
        int got = sign(pw_version_compare_deb(p->a, p->b));
        TAP_INT_EQ(got, p->want, "deb: %s vs %s", p->a, p->b);
        TAP_INT_EQ(sign(pw_version_compare_deb(p->b, p->a)), -p->want, "deb: %s vs %s", p->b, p->a);
        if (!have_dpkg)
            continue;
        const char *op = got < 0 ? "lt" : got > 0 ? "gt" : "eq";
        TAP_INT_EQ(dpkg_says(p->a, op, p->b), 1, "dpkg agrees: %s %s %s", p->a, op, p->b);
    }
    if (!have_dpkg)
        TAP_OK(1, "# skip dpkg is not installed: no oracle for the deb ordering");
}

static void test_rpm_order(void)
{
    for (size_t i = 0; i < sizeof(rpm_pairs) / sizeof(rpm_pairs[0]); i++) {
        const struct pair *p = &rpm_pairs[i];
        int got = sign(pw_version_compare_rpm(p->a, p->b));
        TAP_INT_EQ(got, p->want, "rpm: %s vs %s", p->a, p->b);
        TAP_INT_EQ(sign(pw_version_compare_rpm(p->b, p->a)), -p->want, "rpm: %s vs %s", p->b, p->a);
        if (!strchr(p->a, '-') && !strchr(p->a, ':') && !strchr(p->b, '-') && !strchr(p->b, ':'))
            TAP_INT_EQ(got, sign(rpmvercmp(p->a, p->b)), "librpm agrees: %s vs %s", p->a, p->b);
    }
}

static void test_names(void)
{
    TAP_OK(!pw_name_check_deb("containerd-gvisor"), "deb name with '-'");
    TAP_OK(!pw_name_check_deb("libstdc++6"), "deb name with '+'");
    TAP_OK(!pw_name_check_deb("0ad"), "deb name starting with a digit");
    TAP_STR_EQ(pw_name_check_deb("Foo"), "must be lowercase", "deb: upper case");
    TAP_STR_EQ(pw_name_check_deb("fooBar"), "must be lowercase", "deb: upper case inside");
    TAP_STR_EQ(pw_name_check_deb("a"), "must be at least two characters long", "deb: short");
    TAP_STR_EQ(pw_name_check_deb("foo_bar"),
               "must contain only lowercase letters, digits, '+', '-' and '.'", "deb: '_'");
    TAP_STR_EQ(pw_name_check_deb("-foo"), "must start with a lowercase letter or a digit",
               "deb: leading '-'");
    TAP_STR_EQ(pw_name_check_deb(""), "must not be empty", "deb: empty");
    TAP_OK(!pw_name_check_rpm("Foo_bar"), "rpm name with upper case and '_'");
    TAP_OK(pw_name_check_rpm("foo bar") != NULL, "rpm: space refused");
    TAP_OK(pw_name_check_rpm("-foo") != NULL, "rpm: leading '-' refused");
    TAP_OK(pw_name_check_rpm("foo/bar") != NULL, "rpm: '/' refused");
}

static void test_versions(void)
{
    TAP_OK(!pw_version_check_deb("1.2.3~rc1+ds"), "deb: ~ and +");
    TAP_OK(!pw_version_check_deb("1.2-3"), "deb: '-' inside the upstream part");
    TAP_STR_EQ(pw_version_check_deb("1.2.0-rc1"),
               "marks a pre-release with '-': write '~' instead (1.0~rc1 sorts before 1.0)",
               "deb: semver pre-release");
    TAP_STR_EQ(pw_version_check_rpm("1.2.0-beta.1"),
               "marks a pre-release with '-': write '~' instead (1.0~rc1 sorts before 1.0)",
               "rpm: semver pre-release");
    TAP_STR_EQ(pw_version_check_deb("v1.0"), "must start with a digit (drop the leading 'v')",
               "deb: leading v");
    TAP_STR_EQ(pw_version_check_deb("beta"), "must start with a digit", "deb: letters");
    TAP_STR_EQ(pw_version_check_deb("1:2.0"), "must not contain ':' (use the epoch field)",
               "deb: epoch inside");
    TAP_OK(pw_version_check_deb("1.0_1") != NULL, "deb: '_' refused");
    TAP_OK(pw_version_check_deb("1.0 ") != NULL, "deb: space refused");
    TAP_OK(!pw_version_check_rpm("1.2.3~rc1"), "rpm: ~");
    TAP_OK(!pw_version_check_rpm("1.2_3"), "rpm: '_'");
    TAP_STR_EQ(pw_version_check_rpm("1.2-3"),
               "must not contain '-' (rpm separates version and release with it)", "rpm: '-'");
    TAP_STR_EQ(pw_version_check_rpm(""), "must not be empty", "rpm: empty");
    TAP_OK(pw_version_check_rpm("1.0^git1") != NULL, "rpm: '^' refused (not portable)");
    TAP_OK(!pw_release_check("1"), "release 1");
    TAP_OK(!pw_release_check("0.1~beta+b1"), "release with . ~ +");
    TAP_STR_EQ(pw_release_check("1-2"), "must not contain '-'", "release with '-'");
    TAP_OK(pw_release_check("1_el9") != NULL, "release with '_' refused (invalid for deb)");
    TAP_STR_EQ(pw_release_check(""), "must not be empty", "empty release");
}

int main(void)
{
    test_names();
    test_versions();
    test_deb_order();
    test_rpm_order();
    return tap_done();
}
