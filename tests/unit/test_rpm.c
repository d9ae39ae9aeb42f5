/* The .rpm writer on a package built by hand: the header model (owned directories,
 * dependency triplets, rpmlib() requirements), a round trip through the reader, the layout
 * of lead and signature, and byte-identical output. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "core/contents.h"
#include "core/format.h"
#include "core/hash.h"
#include "core/rpm_pkg.h"
#include "tap.h"

static char dir[] = "/tmp/pw-test-rpm.XXXXXX";
static int warnings;

static void count_warning(void *data, const char *msg)
{
    (void)data;
    (void)msg;
    warnings++;
}

static char *at(const char *rel)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, rel);
    return pw_xstrdup(p);
}

static void make_file(const char *rel, const char *data)
{
    char *p = at(rel);
    FILE *f = fopen(p, "w");
    fputs(data, f);
    fclose(f);
    free(p);
}

static void add_spec(struct pw_package *pkg, enum pw_entry_type type, const char *src,
                     const char *dst, int mode)
{
    pkg->contents = pw_xrealloc(pkg->contents, (pkg->ncontents + 1) * sizeof(*pkg->contents));
    struct pw_content_spec *s = &pkg->contents[pkg->ncontents];
    memset(s, 0, sizeof(*s));
    char jp[32];
    snprintf(jp, sizeof(jp), "contents[%zu]", pkg->ncontents++);
    s->type = type;
    s->src = src && type != PW_ENTRY_SYMLINK ? at(src) : NULL;
    s->target = type == PW_ENTRY_SYMLINK ? pw_xstrdup(src) : NULL;
    s->dst = pw_xstrdup(dst);
    s->mode = mode;
    s->mtime = -1;
    s->json_path = pw_xstrdup(jp);
}

static void set_script(struct pw_package *pkg, enum pw_script_kind k, const char *body)
{
    pw_buf_adds(&pkg->scripts[k].body, body);
    pkg->scripts[k].interpreter = pw_xstrdup("/bin/sh");
    pkg->scripts[k].path = pw_xstrdup("script");
}

static void make_package(struct pw_package *pkg)
{
    memset(pkg, 0, sizeof(*pkg));
    pkg->manifest_path = at("package.json");
    pkg->manifest_dir = pw_xstrdup(dir);
    pkg->name = pw_xstrdup("demo");
    pkg->version = pw_xstrdup("1.2~rc1");
    pkg->release = pw_xstrdup("3");
    pkg->epoch = 2;
    pkg->arch = pw_xstrdup("amd64");
    pkg->summary = pw_xstrdup("Demo package");
    pkg->description = pw_xstrdup("Line one.\n\nLine two.");
    pkg->maintainer = pw_xstrdup("Jane Doe <jane@example.org>");
    pkg->license = pw_xstrdup("MIT");
    pkg->copyright = at("copyright");
    pw_strvec_push(&pkg->depends, "bash (>= 5.0)");
    pw_strvec_push(&pkg->depends, "foo | bar (>= 2)");
    pw_strvec_push(&pkg->provides, "demo-virt (= 1.0)");
    pw_strvec_push(&pkg->breaks, "old (<< 1)");
    pw_strvec_push(&pkg->replaces, "older");
    add_spec(pkg, PW_ENTRY_FILE, "tool", "/usr/bin/demo", -1);
    add_spec(pkg, PW_ENTRY_DIR, NULL, "/usr/bin", -1); /* a system directory */
    add_spec(pkg, PW_ENTRY_CONFIG_NOREPLACE, "app.conf", "/etc/demo/app.conf", -1);
    add_spec(pkg, PW_ENTRY_FILE, "app.conf", "/etc/demo/plain.conf", -1);
    add_spec(pkg, PW_ENTRY_DIR, NULL, "/var/lib/demo", 0750);
    add_spec(pkg, PW_ENTRY_SYMLINK, "demo", "/usr/bin/demo-link", -1);
    add_spec(pkg, PW_ENTRY_GHOST, NULL, "/var/log/demo.log", 0640);
    set_script(pkg, PW_SCRIPT_POSTINST, "#!/bin/sh\necho post\n");
    set_script(pkg, PW_SCRIPT_PRETRANS, "#!/bin/sh\necho pretrans\n");
}

static const struct pw_rpm_dep *find_dep(const struct pw_rpm_deps *d, const char *name, size_t nth)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->v[i].name, name) && nth-- == 0)
            return &d->v[i];
    return NULL;
}

static void test_system_dirs(void)
{
    size_t n;
    const char *const *v = pw_rpm_system_dirs(&n);
    int sorted = 1;
    for (size_t i = 1; i < n; i++)
        sorted &= strcmp(v[i - 1], v[i]) < 0;
    TAP_OK(sorted && n > 50, "the system directory list is sorted and unique (%zu)", n);
    TAP_OK(pw_rpm_is_system_dir("/usr/bin") && pw_rpm_is_system_dir("/") &&
               pw_rpm_is_system_dir("/etc") && pw_rpm_is_system_dir("/opt"),
           "/, /usr/bin, /etc, /opt are system directories");
    TAP_OK(pw_rpm_is_system_dir("/usr/share/locale/de/LC_MESSAGES"), "locale directories too");
    TAP_OK(!pw_rpm_is_system_dir("/opt/demo") && !pw_rpm_is_system_dir("/usr/bin/x") &&
               !pw_rpm_is_system_dir("/usr/share/locale/de/LC_MESSAGES/x.mo"),
           "a package's own directories are not");
}

static void test_model(const struct pw_package *pkg, const struct pw_ctx *ctx)
{
    struct pw_err err;
    pw_err_init(&err);
    struct pw_contents c;
    pw_contents_init(&c);
    TAP_INT_EQ(pw_contents_build(&c, pkg, NULL, ctx, &err), 0, "contents: %s", err.msg);
    struct pw_rpm_pkg r;
    warnings = 0;
    int rc = pw_rpm_pkg_init(&r, pkg, &c, ctx, &err);
    TAP_INT_EQ(rc, 0, "model: %s", err.msg);
    TAP_INT_EQ(warnings, 1, "one warning: /usr/bin is not owned");
    struct pw_buf paths = PW_BUF_INIT;
    for (size_t i = 0; i < r.nfiles; i++)
        pw_buf_addf(&paths, "%s%s", i ? " " : "", r.files[i].f->path);
    TAP_STR_EQ(paths.buf,
               "/etc/demo/app.conf /etc/demo/plain.conf /usr/bin/demo /usr/bin/demo-link "
               "/usr/share/licenses/demo /usr/share/licenses/demo/copyright /var/lib/demo "
               "/var/log/demo.log",
               "only owned entries: no implicit parents, no system directories");
    pw_buf_release(&paths);
    TAP_INT_EQ(r.files[0].flags, 17, "config-noreplace is RPMFILE_CONFIG|NOREPLACE");
    TAP_INT_EQ(r.files[1].flags, 1, "a plain file under /etc is %%config, as for deb");
    TAP_INT_EQ(r.files[2].flags, 0, "a plain file elsewhere is not");
    TAP_INT_EQ(r.files[5].flags, 128, "copyright is %%license");
    TAP_INT_EQ(r.files[7].flags, 64, "ghost");
    TAP_STR_EQ(r.evr, "2:1.2~rc1-3", "EVR");

    const struct pw_rpm_deps *req = &r.deps[PW_RPM_REQUIRE], *prov = &r.deps[PW_RPM_PROVIDE];
    const struct pw_rpm_dep *d = find_dep(req, "bash", 0);
    TAP_OK(d && !strcmp(d->version, "5.0") && d->flags == (4 | 8), "bash >= 5.0");
    TAP_OK(find_dep(req, "(foo or bar >= 2)", 0) != NULL, "alternatives as a rich dependency");
    TAP_OK(find_dep(req, "rpmlib(RichDependencies)", 0) != NULL, "rpmlib(RichDependencies)");
    d = find_dep(req, "rpmlib(TildeInVersions)", 0);
    TAP_OK(d && !strcmp(d->version, "4.10.0-1") && d->flags == ((1u << 24) | 2 | 8),
           "rpmlib(TildeInVersions) <= 4.10.0-1 for the '~' in the version");
    d = find_dep(req, "/bin/sh", 0);
    const struct pw_rpm_dep *d2 = find_dep(req, "/bin/sh", 1);
    TAP_OK(d && d2 && d->flags == (256 | 128) && d2->flags == (256 | 1024),
           "/bin/sh for %%pretrans (INTERP|PRETRANS) and %%post (INTERP|SCRIPT_POST)");
    d = find_dep(req, "config(demo)", 0);
    TAP_OK(d && d->flags == ((1u << 28) | 8) && !strcmp(d->version, "2:1.2~rc1-3"),
           "config(demo) = EVR required");
    TAP_OK(find_dep(prov, "config(demo)", 0) && find_dep(prov, "demo", 0) &&
               find_dep(prov, "demo(x86-64)", 0) && find_dep(prov, "demo-virt", 0),
           "provides: config(), self, isa, declared");
    TAP_OK(find_dep(&r.deps[PW_RPM_CONFLICT], "old", 0) != NULL, "breaks become Conflicts");
    TAP_OK(find_dep(&r.deps[PW_RPM_OBSOLETE], "older", 0) != NULL, "replaces become Obsoletes");
    int sorted = 1;
    for (size_t i = 1; i < req->n; i++)
        sorted &= strcmp(req->v[i - 1].name, req->v[i].name) <= 0;
    TAP_OK(sorted, "requires sorted by name, as rpmbuild writes them");
    pw_rpm_pkg_release(&r);
    pw_contents_release(&c);
}

static int read_all(const char *path, struct pw_buf *out)
{
    struct pw_err err;
    pw_buf_reset(out);
    return pw_fs_read_file(path, out, &err);
}

static uint32_t be32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

static void test_write(const struct pw_package *pkg, const struct pw_ctx *ctx)
{
    struct pw_err err;
    pw_err_init(&err);
    struct pw_buf out = PW_BUF_INIT, a = PW_BUF_INIT, b = PW_BUF_INIT;
    char *outdir = at("out");
    int rc = pw_format_build(&pw_format_rpm, pkg, NULL, ctx, outdir, &out, &err);
    TAP_INT_EQ(rc, 0, "build: %s", err.msg);
    TAP_OK(strstr(out.buf, "/demo-1.2~rc1-3.x86_64.rpm") != NULL, "file name %s", out.buf);
    read_all(out.buf, &a);
    TAP_OK(pw_format_rpm.probe((const unsigned char *)a.buf, a.len), "probe recognises it");
    TAP_OK(a.len > 96 && a.buf[4] == 3 && a.buf[79] == 5 && a.buf[77] == 1,
           "lead: v3, signature type 5, Linux");
    TAP_STR_EQ(a.buf + 10, "demo-2:1.2~rc1-3", "lead name is the NEVR");
    size_t sig_len = 16 + 16 * be32(a.buf + 96 + 8) + be32(a.buf + 96 + 12);
    TAP_INT_EQ(be32(a.buf + 96 + 16), 62, "signature region first");
    TAP_INT_EQ(be32(a.buf + 96 + ((sig_len + 7) & ~(size_t)7) + 16), 63,
               "main header follows the padded signature");

    rc = pw_format_build(&pw_format_rpm, pkg, NULL, ctx, outdir, &out, &err);
    read_all(out.buf, &b);
    TAP_OK(rc == 0 && a.len == b.len && !memcmp(a.buf, b.buf, a.len),
           "two builds are byte-identical");

    struct pw_pkginfo info;
    pw_pkginfo_init(&info);
    rc = pw_format_rpm.read(out.buf, &info, &err);
    TAP_INT_EQ(rc, 0, "read back: %s", err.msg);
    TAP_STR_EQ(info.name, "demo", "name");
    TAP_STR_EQ(info.version, "2:1.2~rc1-3", "version is the EVR");
    TAP_STR_EQ(info.arch, "x86_64", "arch");
    TAP_STR_EQ(pw_pkginfo_field(&info, "Buildtime"), "1700000000", "BUILDTIME is SDE");
    TAP_STR_EQ(pw_pkginfo_field(&info, "Buildhost"), "packwright", "fixed BUILDHOST");
    TAP_STR_EQ(pw_pkginfo_field(&info, "Signature"), "none", "unsigned");
    TAP_INT_EQ(info.nscripts, 2, "two scriptlets");
    TAP_OK(info.nscripts == 2 && !strcmp(info.scripts[0].name, "%pretrans") &&
               !strcmp(info.scripts[0].interpreter, "/bin/sh") &&
               strstr(info.scripts[1].body, "PACKWRIGHT_ACTION") != NULL,
           "wrapped scriptlets with /bin/sh");
    TAP_INT_EQ(info.nfiles, 8, "eight files in the header");
    unsigned char d[32];
    char hex[65];
    pw_hash_buffer(PW_HASH_SHA256, "#!/bin/sh\necho tool\n", 20, d);
    pw_hex(d, 32, hex);
    int seen = 0;
    for (size_t i = 0; i < info.nfiles; i++) {
        const struct pw_pkginfo_file *f = &info.files[i];
        if (!strcmp(f->path, "/usr/bin/demo"))
            seen += f->type == 'f' && f->mode == 0755 && f->digest && !strcmp(f->digest, hex);
        if (!strcmp(f->path, "/usr/bin/demo-link"))
            seen += f->type == 'l' && f->target && !strcmp(f->target, "demo");
        if (!strcmp(f->path, "/var/lib/demo"))
            seen += f->type == 'd' && f->mode == 0750;
        if (!strcmp(f->path, "/var/log/demo.log"))
            seen += f->type == 'g' && !f->digest;
    }
    TAP_INT_EQ(seen, 4, "file, symlink, directory and ghost read back with digest and modes");
    pw_pkginfo_release(&info);

    pw_buf_release(&a);
    pw_buf_release(&b);
    pw_buf_release(&out);
    free(outdir);
}

static void test_validate(struct pw_package *pkg)
{
    struct pw_err err;
    pw_err_init(&err);
    pw_strvec_push(&pkg->provides, "a | b");
    TAP_OK(pw_format_rpm.validate(pkg, &err) < 0 && err.code == PW_E_MANIFEST &&
               strstr(err.msg, "provides[1]: alternatives"),
           "alternatives in provides are refused: %s", err.msg);
}

static void test_read_errors(void)
{
    struct pw_err err;
    pw_err_init(&err);
    struct pw_pkginfo info;
    pw_pkginfo_init(&info);
    make_file("junk.rpm", "\xed\xab\xee\xdb not really an rpm");
    char *p = at("junk.rpm");
    TAP_OK(pw_format_rpm.read(p, &info, &err) < 0 && err.code == PW_E_FORMAT,
           "a truncated package is a format error: %s", err.msg);
    free(p);
    pw_pkginfo_release(&info);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    make_file("tool", "#!/bin/sh\necho tool\n");
    chmod(dir, 0755);
    char *tool = at("tool");
    chmod(tool, 0755);
    free(tool);
    make_file("app.conf", "a=1\n");
    make_file("copyright", "MIT License\n");
    struct pw_ctx ctx;
    pw_ctx_init(&ctx);
    ctx.source_date_epoch = 1700000000;
    ctx.warn = count_warning;
    struct pw_package pkg;
    make_package(&pkg);

    test_system_dirs();
    test_model(&pkg, &ctx);
    test_write(&pkg, &ctx);
    test_validate(&pkg);
    test_read_errors();

    pw_package_release(&pkg);
    struct pw_err err;
    pw_fs_remove_tree(dir, &err);
    return tap_done();
}
