/* upstream_apt.c: InRelease splitting, Release hash lists and dates, Packages stanzas and
 * relation fields, and the refusals that keep hostile input out. */
#include <stdlib.h>
#include <string.h>

#include "core/upstream.h"
#include "tap.h"

static const char release[] =
    "Origin: Test\n"
    "Label: Test\n"
    "Suite: stable\n"
    "Codename: bookworm\n"
    "Date: Sat, 02 Mar 2024 10:00:00 UTC\n"
    "Architectures: amd64 arm64\n"
    "Components: main contrib\n"
    "Acquire-By-Hash: yes\n"
    "MD5Sum:\n"
    " d41d8cd98f00b204e9800998ecf8427e 0 main/binary-amd64/Packages\n"
    "SHA256:\n"
    " e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 "
    "main/binary-amd64/Packages\n"
    " 0000000000000000000000000000000000000000000000000000000000000ABC 20 "
    "main/binary-amd64/Packages.xz\n";

static void test_release(void)
{
    struct pw_apt_release r;
    struct pw_err err;
    pw_err_init(&err);
    pw_apt_release_init(&r);
    TAP_INT_EQ(pw_apt_release_parse(release, strlen(release), &r, &err), 0, "Release parses");
    TAP_STR_EQ(r.codename, "bookworm", "Codename");
    TAP_INT_EQ(r.date, 1709373600, "Date in UTC");
    TAP_INT_EQ(r.architectures.n, 2, "two architectures");
    TAP_STR_EQ(r.components.v[1], "contrib", "components in order");
    TAP_INT_EQ(r.acquire_by_hash, 1, "Acquire-By-Hash");
    TAP_INT_EQ(r.nfiles, 2, "two files with strong hashes");
    const struct pw_apt_relfile *f = pw_apt_release_find(&r, "main/binary-amd64/Packages.xz");
    TAP_OK(f && f->size == 20 && f->algo == PW_HASH_SHA256, "Packages.xz listed with size");
    TAP_OK(f && !strncmp(f->digest + 60, "0abc", 4), "digest lowercased");
    pw_apt_release_release(&r);

    const char weak[] = "Suite: x\nMD5Sum:\n d41d8cd98f00b204e9800998ecf8427e 0 Packages\n";
    TAP_OK(pw_apt_release_parse(weak, strlen(weak), &r, &err) < 0, "weak-only Release refused");
    TAP_OK(strstr(err.msg, "only weak") != NULL, "says why: %s", err.msg);

    const char bad_size[] =
        "SHA256:\n e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        " 1x Packages\n";
    TAP_OK(pw_apt_release_parse(bad_size, strlen(bad_size), &r, &err) < 0,
           "malformed size refused: %s", err.msg);
    const char bad_date[] = "Date: Mon, Jan 08 2024 10:00:00 -0800\nSHA256:\n"
                            " e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                            " 0 Packages\n";
    TAP_OK(pw_apt_release_parse(bad_date, strlen(bad_date), &r, &err) < 0,
           "non-RFC1123 date refused: %s", err.msg);
    TAP_INT_EQ(pw_apt_date_parse("Thu, 01 Jan 1970 00:00:00 GMT"), 0, "epoch");
    TAP_INT_EQ(pw_apt_date_parse("1 Jan 2024 00:00:00 +0100"), -1, "zones other than UTC refused");
}

static void test_inrelease(void)
{
    struct pw_buf content = PW_BUF_INIT;
    struct pw_err err;
    pw_err_init(&err);
    const char ok[] = "-----BEGIN PGP SIGNED MESSAGE-----\n"
                      "Hash: SHA512\n"
                      "\n"
                      "Suite: stable  \n"
                      "- -dash line\n"
                      "-----BEGIN PGP SIGNATURE-----\n"
                      "\n"
                      "abc\n"
                      "-----END PGP SIGNATURE-----\n\n";
    TAP_INT_EQ(pw_apt_clearsigned_split(ok, strlen(ok), &content, &err), 0, "InRelease splits");
    TAP_STR_EQ(content.buf, "Suite: stable\n-dash line\n",
               "dash-escaping undone, trailing "
               "whitespace dropped");
    const char *bad[] = {
        "junk\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nA: b\n"
        "-----BEGIN PGP SIGNATURE-----\nx\n-----END PGP SIGNATURE-----\n",
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nA: b\n"
        "-----BEGIN PGP SIGNATURE-----\nx\n-----END PGP SIGNATURE-----\nSuite: evil\n",
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nA: b\n",
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n-A: b\n"
        "-----BEGIN PGP SIGNATURE-----\nx\n-----END PGP SIGNATURE-----\n",
        "-----BEGIN PGP SIGNED MESSAGE-----\n\nA: b\n"
        "-----BEGIN PGP SIGNATURE-----\nx\n-----END PGP SIGNATURE-----\n",
    };
    const char *why[] = {"data before", "data after", "no signature", "unescaped dash",
                         "no Hash header"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        TAP_OK(pw_apt_clearsigned_split(bad[i], strlen(bad[i]), &content, &err) < 0,
               "refused: %s (%s)", why[i], err.msg);
    pw_buf_release(&content);
}

static const char packages[] =
    "Package: foo\n"
    "Version: 1:2.0-1\n"
    "Architecture: amd64\n"
    "Pre-Depends: libc6 (>= 2.36)\n"
    "Depends: bar (<< 3) | baz:any, mail-transport-agent,\n"
    " qux (>= 1.0~rc1) [amd64]\n"
    "Provides: foo-virtual (= 2.0), other\n"
    "Description: a thing\n"
    " with a long description\n"
    "Filename: pool/main/f/foo/foo_2.0-1_amd64.deb\n"
    "Size: 1234\n"
    "SHA256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
    "\n"
    "Package: bar\n"
    "Version: 2.5\n"
    "Architecture: all\n"
    "Filename: pool/main/b/bar/bar_2.5_all.deb\n"
    "Size: 10\n"
    "MD5sum: d41d8cd98f00b204e9800998ecf8427e\n";

static void test_packages(void)
{
    struct pw_upkgs u;
    struct pw_err err;
    pw_err_init(&err);
    pw_upkgs_init(&u);
    TAP_INT_EQ(pw_apt_packages_parse(packages, strlen(packages), &u, &err), 0, "Packages parses");
    TAP_INT_EQ(u.n, 2, "two stanzas");
    const struct pw_upkg *p = &u.v[0];
    TAP_STR_EQ(p->version, "1:2.0-1", "version with epoch");
    TAP_INT_EQ(p->size, 1234, "Size");
    TAP_OK(p->digest && p->algo == PW_HASH_SHA256, "SHA256 digest");
    TAP_INT_EQ(p->ndeps, 4, "Pre-Depends then Depends: four clauses");
    TAP_STR_EQ(p->deps[0].alts[0].name, "libc6", "Pre-Depends first");
    TAP_INT_EQ(p->deps[1].nalts, 2, "alternatives");
    TAP_INT_EQ(p->deps[1].alts[0].op, PW_DEP_LT, "<< parsed");
    TAP_STR_EQ(p->deps[1].alts[1].name, "baz", "arch qualifier dropped");
    TAP_STR_EQ(p->deps[3].alts[0].version, "1.0~rc1", "continuation line joined");
    TAP_INT_EQ(p->nprovides, 2, "two provides");
    TAP_STR_EQ(p->provides[0].version, "2.0", "versioned provides");
    TAP_OK(u.v[1].digest == NULL, "MD5-only stanza has no strong digest");
    pw_upkgs_release(&u);

    const char evil[] = "Package: x\nVersion: 1\nArchitecture: all\n"
                        "Filename: pool/../../etc/passwd\nSize: 1\n";
    TAP_OK(pw_apt_packages_parse(evil, strlen(evil), &u, &err) < 0, "'..' in Filename refused");
    TAP_OK(strstr(err.msg, "unsafe Filename") != NULL, "says why: %s", err.msg);
    pw_upkgs_release(&u);
    const char missing[] = "Package: x\nVersion: 1\nArchitecture: all\nSize: 1\n";
    TAP_OK(pw_apt_packages_parse(missing, strlen(missing), &u, &err) < 0,
           "stanza without Filename refused: %s", err.msg);
    pw_upkgs_release(&u);
    const char cont[] = " leading continuation\n";
    TAP_OK(pw_apt_packages_parse(cont, strlen(cont), &u, &err) < 0, "orphan continuation: %s",
           err.msg);
    pw_upkgs_release(&u);
    const char dup[] = "Package: x\nVersion: 1\nArchitecture: all\nFilename: a.deb\nSize: 1\n\n"
                       "Package: x\nVersion: 1\nArchitecture: all\nFilename: a.deb\nSize: 1\n\n"
                       "Package: x\nVersion: 1\nArchitecture: all\nFilename: b.deb\nSize: 2\n";
    TAP_INT_EQ(pw_apt_packages_parse(dup, strlen(dup), &u, &err), 0, "repeats parse");
    TAP_OK(pw_upkgs_dedupe(&u, &err) < 0, "different files under one version refused: %s", err.msg);
    TAP_INT_EQ(u.n, 2, "exact repeat dropped");
    pw_upkgs_release(&u);
}

int main(void)
{
    test_release();
    test_inrelease();
    test_packages();
    TAP_OK(pw_upstream_location_check("pool/a/b.deb") == NULL, "plain location accepted");
    TAP_OK(pw_upstream_location_check("/etc/x") != NULL, "absolute refused");
    TAP_OK(pw_upstream_location_check("a//b") != NULL, "empty component refused");
    TAP_OK(pw_upstream_location_check("http://x/y") != NULL, "URL refused");
    return tap_done();
}
