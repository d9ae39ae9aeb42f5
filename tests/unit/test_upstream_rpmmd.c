/* upstream_rpmmd.c: repomd.xml and primary.xml through expat, fed whole and byte by byte;
 * DTDs, weak checksums and unsafe locations refused. */
#include <stdlib.h>
#include <string.h>

#include "core/upstream.h"
#include "tap.h"

static const char repomd[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" "
    "xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n"
    "  <revision>1700000000</revision>\n"
    "  <data type=\"primary\">\n"
    "    <checksum type=\"sha256\">E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
    "</checksum>\n"
    "    <open-checksum type=\"sha256\">aa</open-checksum>\n"
    "    <location href=\"repodata/abc-primary.xml.gz\"/>\n"
    "    <timestamp>1700000000</timestamp>\n"
    "    <size>123</size>\n"
    "    <open-size>456</open-size>\n"
    "  </data>\n"
    "  <data type=\"filelists\">\n"
    "    <checksum type=\"sha256\">e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    "</checksum>\n"
    "    <location href=\"repodata/def-filelists.xml.gz\"/>\n"
    "    <size>7</size>\n"
    "  </data>\n"
    "</repomd>\n";

static const char primary[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<metadata xmlns=\"http://linux.duke.edu/metadata/common\" "
    "xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"2\">\n"
    "<package type=\"rpm\">\n"
    "  <name>foo</name>\n"
    "  <arch>x86_64</arch>\n"
    "  <version epoch=\"1\" ver=\"2.0\" rel=\"3.el9\"/>\n"
    "  <checksum type=\"sha256\" pkgid=\"YES\">"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855</checksum>\n"
    "  <summary>Foo &amp; more</summary>\n"
    "  <size package=\"4242\" installed=\"1\" archive=\"2\"/>\n"
    "  <location href=\"Packages/f/foo-2.0-3.el9.x86_64.rpm\"/>\n"
    "  <format>\n"
    "    <rpm:license>MIT</rpm:license>\n"
    "    <rpm:provides>\n"
    "      <rpm:entry name=\"foo\" flags=\"EQ\" epoch=\"1\" ver=\"2.0\" rel=\"3.el9\"/>\n"
    "      <rpm:entry name=\"config(foo)\"/>\n"
    "    </rpm:provides>\n"
    "    <rpm:requires>\n"
    "      <rpm:entry name=\"rpmlib(CompressedFileNames)\" flags=\"LE\" epoch=\"0\" "
    "ver=\"3.0.4\" rel=\"1\"/>\n"
    "      <rpm:entry name=\"bar\" flags=\"GE\" epoch=\"0\" ver=\"1.5\"/>\n"
    "      <rpm:entry name=\"/bin/sh\" pre=\"1\"/>\n"
    "      <rpm:entry name=\"(baz or qux &gt;= 2)\"/>\n"
    "      <rpm:entry name=\"(a if b)\"/>\n"
    "    </rpm:requires>\n"
    "    <rpm:conflicts><rpm:entry name=\"old\"/></rpm:conflicts>\n"
    "    <file>/usr/bin/foo</file>\n"
    "    <file type=\"dir\">/etc/foo</file>\n"
    "  </format>\n"
    "</package>\n"
    "<package type=\"rpm\">\n"
    "  <name>bar</name><arch>noarch</arch><version epoch=\"0\" ver=\"1.6\" rel=\"1\"/>\n"
    "  <checksum type=\"sha\" pkgid=\"YES\">da39a3ee5e6b4b0d3255bfef95601890afd80709</checksum>\n"
    "  <size package=\"1\"/><location href=\"Packages/b/bar.rpm\"/>\n"
    "</package>\n"
    "</metadata>\n";

static void test_repomd(void)
{
    struct pw_rpmmd_repomd r;
    struct pw_err err;
    pw_err_init(&err);
    pw_rpmmd_repomd_init(&r);
    TAP_INT_EQ(pw_rpmmd_repomd_parse(repomd, strlen(repomd), &r, &err), 0, "repomd parses: %s",
               err.msg);
    TAP_STR_EQ(r.revision, "1700000000", "revision");
    const struct pw_rpmmd_data *d = pw_rpmmd_repomd_find(&r, "primary");
    TAP_OK(d && d->size == 123 && d->algo == PW_HASH_SHA256, "primary entry with size");
    TAP_OK(d && !strncmp(d->digest, "e3b0c442", 8), "digest lowercased");
    TAP_STR_EQ(d ? d->href : NULL, "repodata/abc-primary.xml.gz", "location");
    pw_rpmmd_repomd_release(&r);

    const char *bad[] = {
        "<!DOCTYPE r [<!ENTITY a \"aaaa\">]><repomd>&a;</repomd>",
        "<repomd><data type=\"primary\"><checksum type=\"md5\">d41d8cd98f00b204e9800998ecf8427e"
        "</checksum><location href=\"x\"/></data></repomd>",
        "<repomd><data type=\"primary\"><checksum type=\"sha256\">"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855</checksum>"
        "<location href=\"../x\"/></data></repomd>",
        "<repomd><data type=\"primary\"></data></repomd>",
        "<metadata/>",
        "<repomd><data type=\"primary\">",
        "",
    };
    const char *why[] = {"DTD",        "md5 checksum", "'..' location", "no checksum",
                         "wrong root", "truncated",    "empty"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TAP_OK(pw_rpmmd_repomd_parse(bad[i], strlen(bad[i]), &r, &err) < 0, "refused: %s (%s)",
               why[i], err.msg);
        pw_rpmmd_repomd_release(&r);
    }
}

static int parse_primary(const char *xml, size_t len, size_t step, struct pw_upkgs *u,
                         struct pw_err *err)
{
    struct pw_rpmmd_primary *p = pw_rpmmd_primary_new(u);
    int rc = 0;
    for (size_t off = 0; rc == 0 && off < len; off += step) {
        size_t n = len - off < step ? len - off : step;
        rc = pw_rpmmd_primary_feed(p, xml + off, n, 0, err);
    }
    if (rc == 0)
        rc = pw_rpmmd_primary_feed(p, NULL, 0, 1, err);
    pw_rpmmd_primary_free(p);
    return rc;
}

static void test_primary(void)
{
    struct pw_upkgs u;
    struct pw_err err;
    pw_err_init(&err);
    for (size_t step = 1; step <= strlen(primary); step *= 64) {
        pw_upkgs_init(&u);
        TAP_INT_EQ(parse_primary(primary, strlen(primary), step, &u, &err), 0,
                   "primary parses in chunks of %zu: %s", step, err.msg);
        TAP_INT_EQ(u.n, 2, "two packages");
        const struct pw_upkg *p = &u.v[0];
        TAP_STR_EQ(p->version, "1:2.0-3.el9", "EVR with epoch");
        TAP_INT_EQ(p->size, 4242, "package size");
        TAP_STR_EQ(p->location, "Packages/f/foo-2.0-3.el9.x86_64.rpm", "location");
        TAP_INT_EQ(p->nprovides, 2, "provides");
        TAP_INT_EQ(p->ndeps, 3, "rpmlib dropped, conditional rich dep skipped");
        TAP_STR_EQ(p->deps[0].alts[0].version, "1.5", "epoch 0 left out");
        TAP_INT_EQ(p->deps[2].nalts, 2, "(baz or qux >= 2) is one clause");
        TAP_INT_EQ(p->deps[2].alts[1].op, PW_DEP_GE, "rich operand version");
        TAP_INT_EQ(p->files.n, 2, "primary files");
        TAP_OK(u.v[1].digest == NULL, "sha1 package has no strong digest");
        pw_upkgs_release(&u);
    }
    const char evil[] = "<metadata><package><name>x</name><arch>noarch</arch>"
                        "<version ver=\"1\"/><location href=\"/etc/passwd\"/></package></metadata>";
    pw_upkgs_init(&u);
    TAP_OK(parse_primary(evil, strlen(evil), 4096, &u, &err) < 0, "absolute href refused: %s",
           err.msg);
    pw_upkgs_release(&u);
    const char based[] = "<metadata><package><name>x</name><arch>noarch</arch>"
                         "<version ver=\"1\"/><location xml:base=\"http://evil/\" href=\"a.rpm\"/>"
                         "</package></metadata>";
    TAP_OK(parse_primary(based, strlen(based), 4096, &u, &err) < 0, "xml:base refused: %s",
           err.msg);
    pw_upkgs_release(&u);
    const char incomplete[] = "<metadata><package><name>x</name></package></metadata>";
    TAP_OK(parse_primary(incomplete, strlen(incomplete), 4096, &u, &err) < 0,
           "incomplete package refused: %s", err.msg);
    pw_upkgs_release(&u);
}

static void test_filelists(void)
{
    struct pw_upkgs u;
    struct pw_err err;
    pw_err_init(&err);
    pw_upkgs_init(&u);
    TAP_INT_EQ(parse_primary(primary, strlen(primary), 4096, &u, &err), 0, "primary for filelists");
    const char fl[] =
        "<?xml version=\"1.0\"?>\n"
        "<filelists xmlns=\"http://linux.duke.edu/metadata/filelists\" packages=\"2\">\n"
        "<package pkgid=\"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\""
        " name=\"foo\" arch=\"x86_64\"><version epoch=\"1\" ver=\"2.0\" rel=\"3\"/>\n"
        "<file>/usr/bin/foo</file><file>/usr/share/foo/data</file>"
        "<file type=\"dir\">/usr/share/foo</file></package>\n"
        "<package pkgid=\"0000000000000000000000000000000000000000000000000000000000000000\">"
        "<file>/nowhere</file></package>\n"
        "</filelists>\n";
    struct pw_rpmmd_filelists *f = pw_rpmmd_filelists_new(&u);
    int rc = pw_rpmmd_filelists_feed(f, fl, 100, 0, &err);
    if (rc == 0)
        rc = pw_rpmmd_filelists_feed(f, fl + 100, strlen(fl) - 100, 1, &err);
    pw_rpmmd_filelists_free(f);
    TAP_INT_EQ(rc, 0, "filelists parses: %s", err.msg);
    TAP_OK(pw_strvec_contains(&u.v[0].files, "/usr/share/foo/data"),
           "a file beyond primary's list");
    TAP_OK(pw_strvec_contains(&u.v[0].files, "/usr/share/foo"), "directories count too");
    TAP_OK(!pw_strvec_contains(&u.v[1].files, "/nowhere"), "an unknown pkgid adds nothing");
    f = pw_rpmmd_filelists_new(&u);
    TAP_OK(pw_rpmmd_filelists_feed(f, "<metadata/>", 11, 1, &err) < 0, "wrong root refused: %s",
           err.msg);
    pw_rpmmd_filelists_free(f);
    pw_upkgs_release(&u);
}

int main(void)
{
    test_repomd();
    test_primary();
    test_filelists();
    return tap_done();
}
