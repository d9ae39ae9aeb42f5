/* deb_control.c: versions, Description rendering, Installed-Size, conffiles, md5sums, the
 * changelog and copyright texts, and parsing a stanza back. */
#include <stdlib.h>
#include <string.h>

#include "core/deb_control.h"
#include "tap.h"

static void test_version(void)
{
    struct pw_package p;
    memset(&p, 0, sizeof(p));
    p.version = "1.2~rc1";
    p.release = "3";
    p.epoch = -1;
    struct pw_buf b = PW_BUF_INIT;
    pw_deb_version(&p, &b);
    TAP_STR_EQ(b.buf, "1.2~rc1-3", "version-release");
    pw_buf_reset(&b);
    p.epoch = 2;
    p.release = NULL;
    pw_deb_version(&p, &b);
    TAP_STR_EQ(b.buf, "2:1.2~rc1-1", "epoch, default release");
    pw_buf_release(&b);
    p.arch = "x86_64";
    TAP_STR_EQ(pw_deb_arch(&p), "amd64", "uname arch spelled the Debian way");
    p.arch = "all";
    TAP_STR_EQ(pw_deb_arch(&p), "all", "all stays all");
}

static void test_description(void)
{
    struct pw_buf b = PW_BUF_INIT;
    pw_deb_description("Short summary", "\n\nFirst paragraph\nwraps here.  \n\n\n  verbatim\n\n",
                       &b);
    TAP_STR_EQ(b.buf, "Short summary\n First paragraph\n wraps here.\n .\n .\n   verbatim\n",
               "blank lines become ' .', leading and trailing ones dropped");
    pw_buf_reset(&b);
    pw_deb_description("Only a summary\nsecond line ignored", NULL, &b);
    TAP_STR_EQ(b.buf, "Only a summary\n", "summary is one line");
    pw_buf_release(&b);
}

static struct pw_file file(const char *path, enum pw_file_kind kind, unsigned flags, uint64_t size)
{
    struct pw_file f;
    memset(&f, 0, sizeof(f));
    f.path = (char *)path;
    f.kind = kind;
    f.flags = flags;
    f.size = size;
    return f;
}

static void test_lists(void)
{
    struct pw_file files[] = {
        file("/etc", PW_FILE_DIR, PW_FLAG_IMPLICIT, 0),
        file("/etc/a.conf", PW_FILE_REG, 0, 10),
        file("/etc/b.conf", PW_FILE_REG, PW_FLAG_CONFIG | PW_FLAG_NOREPLACE, 1024),
        file("/etc/link", PW_FILE_SYMLINK, 0, 5),
        file("/opt", PW_FILE_DIR, 0, 0),
        file("/opt/x.conf", PW_FILE_REG, PW_FLAG_CONFIG, 1025),
        file("/usr", PW_FILE_DIR, PW_FLAG_IMPLICIT, 0),
        file("/usr/bin", PW_FILE_DIR, PW_FLAG_IMPLICIT, 0),
        file("/usr/bin/x", PW_FILE_REG, 0, 0),
        file("/var", PW_FILE_DIR, PW_FLAG_IMPLICIT, 0),
        file("/var/log", PW_FILE_DIR, PW_FLAG_IMPLICIT, 0),
        file("/var/log/x.log", PW_FILE_REG, PW_FLAG_GHOST, 0),
    };
    struct pw_contents c = {files, sizeof(files) / sizeof(files[0]), 0, NULL, 0};
    for (size_t i = 0; i < c.n; i++)
        memset(files[i].md5, (int)i, 16), files[i].have_digests = files[i].kind == PW_FILE_REG;

    TAP_OK(!pw_deb_ships(&c, 11), "ghost not shipped");
    TAP_OK(!pw_deb_ships(&c, 10) && !pw_deb_ships(&c, 9), "parents of ghosts only not shipped");
    TAP_OK(pw_deb_ships(&c, 7) && pw_deb_ships(&c, 4), "other directories shipped");
    /* 1 (./) + dirs /etc /opt /usr /usr/bin (4) + a.conf 1 + b.conf 1 + link 1 + x.conf 2
     * + empty /usr/bin/x 0 */
    TAP_INT_EQ(pw_deb_installed_size(&c), 1 + 4 + 1 + 1 + 1 + 2 + 0,
               "Installed-Size as dpkg-gencontrol counts");

    struct pw_buf b = PW_BUF_INIT;
    pw_deb_conffiles(&c, &b);
    TAP_STR_EQ(b.buf, "/etc/a.conf\n/etc/b.conf\n/opt/x.conf\n",
               "conffiles: /etc files and config entries, not symlinks");
    pw_buf_reset(&b);
    pw_deb_md5sums(&c, &b);
    TAP_STR_EQ(b.buf, "08080808080808080808080808080808  usr/bin/x\n",
               "md5sums: regular shipped non-conffiles, relative paths");
    pw_buf_release(&b);
}

static void test_changelog(void)
{
    struct pw_changelog_entry e[2] = {
        {"2.0", "2024-02-29", 1709164800, "A <a@example.org>", "* one\n* two\n  more"},
        {"1.0-3", "2023-01-01", 1672531200, NULL, "first"},
    };
    struct pw_package p;
    memset(&p, 0, sizeof(p));
    p.name = "pkg";
    p.version = "2.0";
    p.release = "1";
    p.epoch = 1;
    p.maintainer = "M <m@example.org>";
    p.changelog = e;
    p.nchangelog = 2;
    struct pw_buf b = PW_BUF_INIT;
    pw_deb_changelog(&p, 0, &b);
    TAP_STR_EQ(b.buf,
               "pkg (1:2.0-1) unstable; urgency=medium\n\n"
               "  * one\n  * two\n    more\n\n"
               " -- A <a@example.org>  Thu, 29 Feb 2024 00:00:00 +0000\n\n"
               "pkg (1.0-3) unstable; urgency=medium\n\n"
               "  * first\n\n"
               " -- M <m@example.org>  Sun, 01 Jan 2023 00:00:00 +0000\n",
               "changelog in debian/changelog format");
    pw_buf_reset(&b);
    p.nchangelog = 0;
    pw_deb_changelog(&p, 1700000000, &b);
    TAP_OK(strstr(b.buf, "pkg (1:2.0-1) unstable") &&
               strstr(b.buf, " -- M <m@example.org>  Tue, 14 Nov 2023 22:13:20 +0000\n"),
           "without a changelog: one entry at SOURCE_DATE_EPOCH");
    pw_buf_reset(&b);
    struct pw_err err;
    pw_err_init(&err);
    p.license = "MIT";
    TAP_INT_EQ(pw_deb_copyright(&p, &b, &err), 0, "generated copyright");
    TAP_OK(strstr(b.buf, "License: MIT\n") && strstr(b.buf, "Copyright: M <m@example.org>\n"),
           "names license and holder");
    pw_buf_release(&b);
}

static void test_parse(void)
{
    const char text[] = "Package: p\nVersion: 1-1\nDescription: sum\n first\n .\n  verbatim\n"
                        "Depends: a,\n b\n\n";
    struct pw_pkginfo info;
    pw_pkginfo_init(&info);
    struct pw_err err;
    pw_err_init(&err);
    TAP_INT_EQ(pw_deb_control_parse(text, strlen(text), &info, &err), 0, "parses");
    TAP_INT_EQ(info.nfields, 4, "four fields");
    TAP_STR_EQ(pw_pkginfo_field(&info, "Description"), "sum\nfirst\n.\n verbatim",
               "continuations joined without their one leading space");
    TAP_STR_EQ(pw_pkginfo_field(&info, "Depends"), "a,\nb", "folded field");
    pw_pkginfo_release(&info);
    pw_pkginfo_init(&info);
    TAP_OK(pw_deb_control_parse(" x\n", 3, &info, &err) < 0, "continuation first is an error");
    TAP_OK(pw_deb_control_parse("novalue\n", 8, &info, &err) < 0, "line without colon");
    pw_pkginfo_release(&info);
}

int main(void)
{
    test_version();
    test_description();
    test_lists();
    test_changelog();
    test_parse();
    return tap_done();
}
