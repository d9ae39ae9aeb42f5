#include "rpm_pkg.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../base/fs.h"
#include "../base/path.h"
#include "../base/strvec.h"
#include "arch.h"
#include "deps.h"
#include "rpm_header.h"
#include "scripts.h"
#include "version.h"

/* Directories of the distributions' base packages (Fedora/RHEL `filesystem`, systemd, ...).
 * Listing one in a package either conflicts outright (/usr/bin is 0555 on Fedora, /bin a
 * symlink) or takes ownership that is not ours (package-formats.md §0.8). Sorted bytewise for
 * bsearch; a unit test keeps it sorted. */
/* clang-format off */
static const char *const system_dirs[] = {
    "/", "/bin", "/boot", "/dev", "/etc",
    "/etc/X11", "/etc/bash_completion.d", "/etc/cron.d", "/etc/cron.daily", "/etc/cron.hourly",
    "/etc/cron.monthly", "/etc/cron.weekly", "/etc/default", "/etc/init.d", "/etc/ld.so.conf.d",
    "/etc/logrotate.d", "/etc/modprobe.d", "/etc/modules-load.d", "/etc/opt", "/etc/pam.d",
    "/etc/pki", "/etc/profile.d", "/etc/rc.d", "/etc/security", "/etc/skel",
    "/etc/sudoers.d", "/etc/sysconfig", "/etc/sysctl.d", "/etc/systemd", "/etc/systemd/system",
    "/etc/tmpfiles.d", "/etc/udev", "/etc/udev/rules.d", "/etc/xdg", "/etc/yum.repos.d",
    "/home", "/lib", "/lib64", "/media", "/mnt",
    "/opt", "/proc", "/root", "/run", "/sbin",
    "/srv", "/sys", "/tmp", "/usr", "/usr/bin",
    "/usr/games", "/usr/include", "/usr/lib", "/usr/lib/debug", "/usr/lib/modules",
    "/usr/lib/modules-load.d", "/usr/lib/pkgconfig", "/usr/lib/sysctl.d", "/usr/lib/systemd",
    "/usr/lib/systemd/system", "/usr/lib/systemd/user", "/usr/lib/sysusers.d",
    "/usr/lib/tmpfiles.d", "/usr/lib/udev", "/usr/lib/udev/rules.d",
    "/usr/lib64", "/usr/lib64/pkgconfig", "/usr/libexec", "/usr/local", "/usr/local/bin",
    "/usr/local/etc", "/usr/local/games", "/usr/local/include", "/usr/local/lib",
    "/usr/local/lib64", "/usr/local/libexec", "/usr/local/sbin", "/usr/local/share",
    "/usr/local/src", "/usr/sbin",
    "/usr/share", "/usr/share/aclocal", "/usr/share/applications", "/usr/share/bash-completion",
    "/usr/share/bash-completion/completions",
    "/usr/share/dict", "/usr/share/doc", "/usr/share/fish", "/usr/share/fish/vendor_completions.d",
    "/usr/share/icons", "/usr/share/icons/hicolor", "/usr/share/info", "/usr/share/licenses",
    "/usr/share/locale", "/usr/share/man",
    "/usr/share/man/man1", "/usr/share/man/man2", "/usr/share/man/man3", "/usr/share/man/man4",
    "/usr/share/man/man5", "/usr/share/man/man6", "/usr/share/man/man7", "/usr/share/man/man8",
    "/usr/share/man/man9", "/usr/share/man/mann",
    "/usr/share/metainfo", "/usr/share/mime", "/usr/share/misc", "/usr/share/pixmaps",
    "/usr/share/pkgconfig", "/usr/share/zsh", "/usr/share/zsh/site-functions", "/usr/src",
    "/var", "/var/adm", "/var/cache", "/var/db", "/var/empty", "/var/games", "/var/lib",
    "/var/lib/games", "/var/lib/misc", "/var/local", "/var/lock", "/var/log",
    "/var/mail", "/var/opt", "/var/run", "/var/spool", "/var/spool/mail",
    "/var/tmp",
};
/* clang-format on */

static int cmp_dir(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

/* Locale directories (/usr/share/locale/de, .../de/LC_MESSAGES) belong to `filesystem` too. */
static int is_locale_dir(const char *path)
{
    static const char prefix[] = "/usr/share/locale/";
    if (strncmp(path, prefix, sizeof(prefix) - 1))
        return 0;
    const char *lang = path + sizeof(prefix) - 1;
    const char *slash = strchr(lang, '/');
    return slash == NULL || !strcmp(slash, "/LC_MESSAGES");
}

const char *const *pw_rpm_system_dirs(size_t *n)
{
    *n = sizeof(system_dirs) / sizeof(system_dirs[0]);
    return system_dirs;
}

int pw_rpm_is_system_dir(const char *path)
{
    return bsearch(path, system_dirs, sizeof(system_dirs) / sizeof(system_dirs[0]),
                   sizeof(system_dirs[0]), cmp_dir) != NULL ||
           is_locale_dir(path);
}

/* ---- dependencies ---------------------------------------------------------------------- */

static void deps_add(struct pw_rpm_deps *d, const char *name, const char *version, uint32_t flags)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 16;
        d->v = pw_xrealloc(d->v, d->cap * sizeof(*d->v));
    }
    d->v[d->n].name = pw_xstrdup(name);
    d->v[d->n].version = pw_xstrdup(version ? version : "");
    d->v[d->n].flags = flags;
    d->n++;
}

static void deps_release(struct pw_rpm_deps *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].name);
        free(d->v[i].version);
    }
    free(d->v);
    memset(d, 0, sizeof(*d));
}

/* rpmbuild keeps every dependency set sorted by name, version, then flags, without
 * duplicates (rpmdsFind); the same order here makes the headers comparable. */
static int cmp_dep(const void *a, const void *b)
{
    const struct pw_rpm_dep *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (!c)
        c = strcmp(x->version, y->version);
    if (!c)
        c = x->flags < y->flags ? -1 : x->flags > y->flags;
    return c;
}

static void deps_sort(struct pw_rpm_deps *d)
{
    if (d->n < 2)
        return;
    qsort(d->v, d->n, sizeof(*d->v), cmp_dep);
    size_t out = 1;
    for (size_t i = 1; i < d->n; i++) {
        if (!cmp_dep(&d->v[out - 1], &d->v[i])) {
            free(d->v[i].name);
            free(d->v[i].version);
            continue;
        }
        d->v[out++] = d->v[i];
    }
    d->n = out;
}

static uint32_t op_flags(enum pw_dep_op op)
{
    switch (op) {
    case PW_DEP_LT:
        return PW_RPMSENSE_LESS;
    case PW_DEP_LE:
        return PW_RPMSENSE_LESS | PW_RPMSENSE_EQUAL;
    case PW_DEP_EQ:
        return PW_RPMSENSE_EQUAL;
    case PW_DEP_GE:
        return PW_RPMSENSE_GREATER | PW_RPMSENSE_EQUAL;
    case PW_DEP_GT:
        return PW_RPMSENSE_GREATER;
    case PW_DEP_ANY:
        break;
    }
    return 0;
}

static void render_alt(const struct pw_dep_alt *a, struct pw_buf *out)
{
    pw_buf_adds(out, a->name);
    if (a->op != PW_DEP_ANY)
        pw_buf_addf(out, " %s %s", pw_dep_op_rpm(a->op), a->version);
}

/* Portable list -> triplets; alternatives become a rich dependency "(a or b >= 2)". */
static int deps_add_portable(struct pw_rpm_deps *d, const struct pw_strvec *list, const char *field,
                             const char *manifest, int *rich, struct pw_err *err)
{
    for (size_t i = 0; i < list->n; i++) {
        struct pw_dep dep;
        memset(&dep, 0, sizeof(dep));
        int rc = pw_dep_parse(list->v[i], &dep, err);
        if (rc < 0)
            return pw_err_prefix(err, "%s: %s[%zu]: ", manifest, field, i);
        if (dep.nalts == 1) {
            const struct pw_dep_alt *a = &dep.alts[0];
            deps_add(d, a->name, a->version, op_flags(a->op));
        } else {
            struct pw_buf b = PW_BUF_INIT;
            pw_buf_addc(&b, '(');
            for (size_t k = 0; k < dep.nalts; k++) {
                if (k)
                    pw_buf_adds(&b, " or ");
                render_alt(&dep.alts[k], &b);
            }
            pw_buf_addc(&b, ')');
            deps_add(d, b.buf, "", 0);
            pw_buf_release(&b);
            *rich = 1;
        }
        pw_dep_release(&dep);
    }
    return 0;
}

/* Provides and Obsoletes name one package each: rpm has no alternatives there. */
static int check_no_alternatives(const struct pw_strvec *list, const char *field,
                                 const char *manifest, struct pw_err *err)
{
    for (size_t i = 0; i < list->n; i++) {
        struct pw_dep dep;
        memset(&dep, 0, sizeof(dep));
        int rc = pw_dep_parse(list->v[i], &dep, err);
        size_t nalts = dep.nalts;
        pw_dep_release(&dep);
        if (rc < 0)
            return pw_err_prefix(err, "%s: %s[%zu]: ", manifest, field, i);
        if (nalts > 1)
            return pw_err_set(err, PW_E_MANIFEST,
                              "%s: %s[%zu]: alternatives ('|') cannot be expressed in an rpm %s",
                              manifest, field, i,
                              !strcmp(field, "provides") ? "Provides" : "Obsoletes");
    }
    return 0;
}

/* ---- validation ------------------------------------------------------------------------ */

int pw_rpm_pkg_validate(const struct pw_package *pkg, struct pw_err *err)
{
    const char *m = pkg->manifest_path ? pkg->manifest_path : "package.json";
    const char *why;
    if ((why = pw_name_check_rpm(pkg->name)))
        return pw_err_set(err, PW_E_MANIFEST, "%s: name: '%s' %s (rpm)", m, pkg->name, why);
    if ((why = pw_version_check_rpm(pkg->version)))
        return pw_err_set(err, PW_E_MANIFEST, "%s: version: '%s' %s (rpm)", m, pkg->version, why);
    if (pkg->release && (why = pw_release_check(pkg->release)))
        return pw_err_set(err, PW_E_MANIFEST, "%s: release: '%s' %s (rpm)", m, pkg->release, why);
    if (!pw_arch_lookup(pkg->arch))
        return pw_err_set(err, PW_E_MANIFEST, "%s: arch: '%s' has no rpm name", m,
                          pkg->arch ? pkg->arch : "");
    int rc = check_no_alternatives(&pkg->provides, "provides", m, err);
    if (rc == 0)
        rc = check_no_alternatives(&pkg->replaces, "replaces", m, err);
    return rc;
}

/* ---- files ----------------------------------------------------------------------------- */

/* rpmbuild marks what lies below its %__docdir_path (/usr/share/doc, man and info) as %doc;
 * rpmlint reports a man page that is not (not-listed-as-documentation). */
static int is_doc_path(const char *path)
{
    static const char *const dirs[] = {"/usr/share/doc/", "/usr/share/man/", "/usr/share/info/"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        if (!strncmp(path, dirs[i], strlen(dirs[i])))
            return 1;
    return 0;
}

/* Every regular file under /etc is configuration, as in the .deb (doc/deb.md): without
 * %config an upgrade would silently replace an administrator's edits. */
static int is_etc_file(const struct pw_file *f)
{
    return f->kind == PW_FILE_REG && !(f->flags & PW_FLAG_GHOST) && !strncmp(f->path, "/etc/", 5);
}

static uint32_t rpm_file_flags(const struct pw_file *f)
{
    unsigned flags = f->flags;
    uint32_t r = 0;
    if ((flags & (PW_FLAG_CONFIG | PW_FLAG_NOREPLACE)) || is_etc_file(f))
        r |= PW_RPMFILE_CONFIG;
    if (flags & PW_FLAG_NOREPLACE)
        r |= PW_RPMFILE_NOREPLACE;
    if (flags & PW_FLAG_GHOST)
        r |= PW_RPMFILE_GHOST;
    if ((flags & PW_FLAG_DOC) ||
        (f->kind != PW_FILE_DIR && !(flags & PW_FLAG_LICENSE) && is_doc_path(f->path)))
        r |= PW_RPMFILE_DOC;
    if (flags & PW_FLAG_LICENSE)
        r |= PW_RPMFILE_LICENSE;
    return r;
}

/* The copyright file becomes %license: /usr/share/licenses/NAME/copyright, whose directory
 * the package owns as rpmbuild's %license does. */
static int add_license(struct pw_rpm_pkg *r, struct pw_err *err)
{
    const struct pw_package *pkg = r->pkg;
    if (!pkg->copyright)
        return 0;
    struct pw_buf dir = PW_BUF_INIT, path = PW_BUF_INIT, data = PW_BUF_INIT;
    pw_buf_addf(&dir, "/usr/share/licenses/%s", pkg->name);
    pw_buf_addf(&path, "%s/copyright", dir.buf);
    int rc = 0;
    if (pw_contents_find(&r->contents, path.buf))
        goto out; /* the manifest ships its own */
    rc = pw_fs_read_file(pkg->copyright, &data, err);
    if (rc == 0)
        rc = pw_contents_add_generated(&r->contents, path.buf, data.buf, data.len, 0644,
                                       PW_FLAG_LICENSE, r->ctx->source_date_epoch, err);
    for (size_t i = 0; rc == 0 && i < r->contents.n; i++)
        if (!strcmp(r->contents.files[i].path, dir.buf))
            r->contents.files[i].flags &= ~(unsigned)PW_FLAG_IMPLICIT;
out:
    pw_buf_release(&dir);
    pw_buf_release(&path);
    pw_buf_release(&data);
    return rc < 0 ? pw_err_prefix(err, "copyright: ") : 0;
}

static void select_files(struct pw_rpm_pkg *r)
{
    r->files = pw_xcalloc(r->contents.n ? r->contents.n : 1, sizeof(*r->files));
    for (size_t i = 0; i < r->contents.n; i++) {
        const struct pw_file *f = &r->contents.files[i];
        if (f->kind == PW_FILE_DIR && (f->flags & PW_FLAG_IMPLICIT))
            continue; /* a parent nobody declared: rpm creates it, the package does not own it */
        if (f->kind == PW_FILE_DIR && pw_rpm_is_system_dir(f->path)) {
            pw_ctx_warn(r->ctx, "rpm: '%s' is a system directory; the package does not own it",
                        f->path);
            continue;
        }
        struct pw_rpm_file *rf = &r->files[r->nfiles++];
        rf->f = f;
        rf->flags = rpm_file_flags(f);
        if (f->kind != PW_FILE_DIR && !(f->flags & PW_FLAG_GHOST))
            r->total_size += f->size;
        /* rpm's newc payload cannot hold 4 GiB (rpm's limit is UINT32_MAX, exclusive). */
        if (f->kind == PW_FILE_REG && !(f->flags & PW_FLAG_GHOST) && f->size >= UINT32_MAX)
            r->large = 1;
        if (f->kind == PW_FILE_REG && !(f->flags & PW_FLAG_GHOST))
            memset(rf->digest, '0', 64); /* placeholder of the final length */
    }
}

/* ---- dependencies rpmbuild adds -------------------------------------------------------- */

static const char *isa_of(const char *arch)
{
    static const struct {
        const char *arch, *isa;
    } isas[] = {
        {"x86_64", "x86-64"},  {"aarch64", "aarch-64"}, {"i686", "x86-32"},
        {"ppc64le", "ppc-64"}, {"s390x", "s390-64"},    {"riscv64", "riscv-64"},
    };
    for (size_t i = 0; i < sizeof(isas) / sizeof(isas[0]); i++)
        if (!strcmp(arch, isas[i].arch))
            return isas[i].isa;
    return NULL;
}

static const struct {
    enum pw_script_kind kind;
    uint32_t sense;
    int body_tag, prog_tag;
} scriptlets[] = {
    {PW_SCRIPT_PREINST, PW_RPMSENSE_SCRIPT_PRE, PW_RPMTAG_PREIN, PW_RPMTAG_PREINPROG},
    {PW_SCRIPT_POSTINST, PW_RPMSENSE_SCRIPT_POST, PW_RPMTAG_POSTIN, PW_RPMTAG_POSTINPROG},
    {PW_SCRIPT_PRERM, PW_RPMSENSE_SCRIPT_PREUN, PW_RPMTAG_PREUN, PW_RPMTAG_PREUNPROG},
    {PW_SCRIPT_POSTRM, PW_RPMSENSE_SCRIPT_POSTUN, PW_RPMTAG_POSTUN, PW_RPMTAG_POSTUNPROG},
    {PW_SCRIPT_PRETRANS, PW_RPMSENSE_PRETRANS, PW_RPMTAG_PRETRANS, PW_RPMTAG_PRETRANSPROG},
    {PW_SCRIPT_POSTTRANS, PW_RPMSENSE_POSTTRANS, PW_RPMTAG_POSTTRANS, PW_RPMTAG_POSTTRANSPROG},
};

static int has_script(const struct pw_package *pkg, enum pw_script_kind k)
{
    return pkg->scripts[k].body.len > 0;
}

/* Each scriptlet runs the wrapper with /bin/sh (Requires(<phase>): /bin/sh, as rpmbuild
 * writes it), and the wrapper runs the author's script with its own interpreter. */
static void add_script_requires(struct pw_rpm_pkg *r)
{
    struct pw_rpm_deps *req = &r->deps[PW_RPM_REQUIRE];
    for (size_t i = 0; i < sizeof(scriptlets) / sizeof(scriptlets[0]); i++) {
        const struct pw_script *s = &r->pkg->scripts[scriptlets[i].kind];
        if (!has_script(r->pkg, scriptlets[i].kind))
            continue;
        deps_add(req, "/bin/sh", "", PW_RPMSENSE_INTERP | scriptlets[i].sense);
        if (!s->interpreter || s->interpreter[0] != '/')
            continue;
        size_t len = strcspn(s->interpreter, " \t");
        char *interp = pw_xstrndup(s->interpreter, len);
        if (strcmp(interp, "/bin/sh"))
            deps_add(req, interp, "", scriptlets[i].sense);
        free(interp);
    }
}

static int any_version_has(const struct pw_rpm_pkg *r, char c)
{
    for (int k = 0; k < PW_RPM_DEP_COUNT; k++)
        for (size_t i = 0; i < r->deps[k].n; i++)
            if (strchr(r->deps[k].v[i].version, c) || strchr(r->deps[k].v[i].name, c))
                return 1;
    return 0;
}

static void add_rpmlib(struct pw_rpm_deps *req, const char *feature, const char *version)
{
    struct pw_buf name = PW_BUF_INIT;
    pw_buf_addf(&name, "rpmlib(%s)", feature);
    deps_add(req, name.buf, version, PW_RPMSENSE_RPMLIB | PW_RPMSENSE_LESS | PW_RPMSENSE_EQUAL);
    pw_buf_release(&name);
}

/* The rpmlib() features the package relies on, so an rpm without them says so cleanly
 * instead of failing on the payload (package-formats.md §C.7). */
static void add_rpmlib_requires(struct pw_rpm_pkg *r, int rich)
{
    struct pw_rpm_deps *req = &r->deps[PW_RPM_REQUIRE];
    int tilde = any_version_has(r, '~'), caret = any_version_has(r, '^');
    add_rpmlib(req, "CompressedFileNames", "3.0.4-1");
    add_rpmlib(req, "FileDigests", "4.6.0-1");
    add_rpmlib(req, "PayloadFilesHavePrefix", "4.0-1");
    if (r->ctx->rpm_compression.method == PW_COMPRESS_XZ)
        add_rpmlib(req, "PayloadIsXz", "5.2-1");
    if (r->ctx->rpm_compression.method == PW_COMPRESS_ZSTD)
        add_rpmlib(req, "PayloadIsZstd", "5.4.18-1");
    if (rich)
        add_rpmlib(req, "RichDependencies", "4.12.0-1");
    if (tilde)
        add_rpmlib(req, "TildeInVersions", "4.10.0-1");
    if (caret)
        add_rpmlib(req, "CaretInVersions", "4.15.0-1");
    if (r->large)
        add_rpmlib(req, "LargeFiles", "4.12.0-1");
}

static int has_config(const struct pw_rpm_pkg *r)
{
    for (size_t i = 0; i < r->nfiles; i++)
        if (r->files[i].flags & PW_RPMFILE_CONFIG)
            return 1;
    return 0;
}

static int build_deps(struct pw_rpm_pkg *r, struct pw_err *err)
{
    const struct pw_package *pkg = r->pkg;
    const char *m = pkg->manifest_path ? pkg->manifest_path : "package.json";
    static const struct {
        size_t offset;
        const char *field;
        enum pw_rpm_dep_kind kind;
    } fields[] = {
        {offsetof(struct pw_package, depends), "depends", PW_RPM_REQUIRE},
        {offsetof(struct pw_package, recommends), "recommends", PW_RPM_RECOMMEND},
        {offsetof(struct pw_package, suggests), "suggests", PW_RPM_SUGGEST},
        {offsetof(struct pw_package, enhances), "enhances", PW_RPM_ENHANCE},
        {offsetof(struct pw_package, enhances), "enhances", PW_RPM_ENHANCE},
        {offsetof(struct pw_package, conflicts), "conflicts", PW_RPM_CONFLICT},
        /* rpm has no Breaks: an installed package it breaks must not stay, i.e. Conflicts. */
        {offsetof(struct pw_package, breaks), "breaks", PW_RPM_CONFLICT},
        {offsetof(struct pw_package, provides), "provides", PW_RPM_PROVIDE},
        /* Replaces is how a renamed package takes over: rpm's Obsoletes. */
        {offsetof(struct pw_package, replaces), "replaces", PW_RPM_OBSOLETE},
    };
    int rich = 0;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const struct pw_strvec *list =
            (const struct pw_strvec *)((const char *)pkg + fields[i].offset);
        int rc = deps_add_portable(&r->deps[fields[i].kind], list, fields[i].field, m, &rich, err);
        if (rc < 0)
            return rc;
    }
    struct pw_rpm_deps *prov = &r->deps[PW_RPM_PROVIDE];
    deps_add(prov, pkg->name, r->evr, PW_RPMSENSE_EQUAL);
    const char *isa = isa_of(r->arch);
    if (isa) {
        struct pw_buf b = PW_BUF_INIT;
        pw_buf_addf(&b, "%s(%s)", pkg->name, isa);
        deps_add(prov, b.buf, r->evr, PW_RPMSENSE_EQUAL);
        pw_buf_release(&b);
    }
    if (has_config(r)) {
        struct pw_buf b = PW_BUF_INIT;
        pw_buf_addf(&b, "config(%s)", pkg->name);
        deps_add(prov, b.buf, r->evr, PW_RPMSENSE_CONFIG | PW_RPMSENSE_EQUAL);
        deps_add(&r->deps[PW_RPM_REQUIRE], b.buf, r->evr, PW_RPMSENSE_CONFIG | PW_RPMSENSE_EQUAL);
        pw_buf_release(&b);
    }
    add_script_requires(r);
    add_rpmlib_requires(r, rich);
    for (int k = 0; k < PW_RPM_DEP_COUNT; k++)
        deps_sort(&r->deps[k]);
    return 0;
}

/* ---- init / release -------------------------------------------------------------------- */

int pw_rpm_pkg_init(struct pw_rpm_pkg *r, const struct pw_package *pkg,
                    const struct pw_contents *contents, const struct pw_ctx *ctx,
                    struct pw_err *err)
{
    memset(r, 0, sizeof(*r));
    r->pkg = pkg;
    r->ctx = ctx;
    pw_contents_init(&r->contents);
    pw_contents_copy(&r->contents, contents);
    memset(r->payload_sha256, '0', 64);
    memset(r->cpio_sha256, '0', 64);
    const struct pw_arch *a = pw_arch_lookup(pkg->arch);
    if (!a)
        return pw_err_set(err, PW_E_MANIFEST, "arch '%s' has no rpm name",
                          pkg->arch ? pkg->arch : "");
    r->arch = a->rpm;
    struct pw_buf evr = PW_BUF_INIT;
    if (pkg->epoch >= 0)
        pw_buf_addf(&evr, "%lld:", (long long)pkg->epoch);
    pw_buf_addf(&evr, "%s-%s", pkg->version, pkg->release ? pkg->release : "1");
    r->evr = pw_buf_detach(&evr, NULL);
    int rc = add_license(r, err);
    if (rc < 0)
        return rc;
    select_files(r);
    return build_deps(r, err);
}

void pw_rpm_pkg_release(struct pw_rpm_pkg *r)
{
    for (int k = 0; k < PW_RPM_DEP_COUNT; k++)
        deps_release(&r->deps[k]);
    free(r->files);
    free(r->evr);
    pw_contents_release(&r->contents);
    memset(r, 0, sizeof(*r));
}

/* ---- the main header ------------------------------------------------------------------- */

/* Sticky builder: the first failing put is kept and the rest become no-ops, so the tag list
 * reads as a list. Tracks whether every string is UTF-8 (ENCODING). */
struct hb {
    struct pw_rpm_header *h;
    struct pw_err *err;
    int rc;
    int utf8;
};

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80             ? 0
                : (*p & 0xe0) == 0xc0 ? 1
                : (*p & 0xf0) == 0xe0 ? 2
                : (*p & 0xf8) == 0xf0 ? 3
                                      : -1;
        if (n < 0 || (n == 1 && *p < 0xc2))
            return 0;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

static void hb_str(struct hb *b, int tag, const char *s)
{
    if (b->rc < 0 || !s)
        return;
    b->utf8 &= valid_utf8(s);
    b->rc = pw_rpm_header_put_string(b->h, tag, s, b->err);
}

static void hb_i18n(struct hb *b, int tag, const char *s)
{
    if (b->rc < 0 || !s)
        return;
    b->utf8 &= valid_utf8(s);
    b->rc = pw_rpm_header_put_i18n(b->h, tag, s, b->err);
}

static void hb_strs(struct hb *b, int tag, const char *const *v, size_t n)
{
    if (b->rc < 0 || n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        b->utf8 &= valid_utf8(v[i]);
    b->rc = pw_rpm_header_put_strings(b->h, tag, v, n, b->err);
}

static void hb_u32s(struct hb *b, int tag, const uint32_t *v, size_t n)
{
    if (b->rc >= 0 && n > 0)
        b->rc = pw_rpm_header_put_u32(b->h, tag, v, n, b->err);
}

static void hb_u16s(struct hb *b, int tag, const uint16_t *v, size_t n)
{
    if (b->rc >= 0 && n > 0)
        b->rc = pw_rpm_header_put_u16(b->h, tag, v, n, b->err);
}

static void hb_u64s(struct hb *b, int tag, const uint64_t *v, size_t n)
{
    if (b->rc >= 0 && n > 0)
        b->rc = pw_rpm_header_put_u64(b->h, tag, v, n, b->err);
}

static void hb_u32(struct hb *b, int tag, uint32_t v)
{
    hb_u32s(b, tag, &v, 1);
}

static void hb_u64(struct hb *b, int tag, uint64_t v)
{
    hb_u64s(b, tag, &v, 1);
}

/* Without a `group`, the Debian section picks one of rpm's traditional groups (rpm's old
 * GROUPS list); rpmbuild would write "Unspecified", which rpmlint reports as no group. */
static const char *rpm_group(const struct pw_package *pkg)
{
    static const struct {
        const char *section, *group;
    } groups[] = {
        {"admin", "Applications/System"},
        {"database", "Applications/Databases"},
        {"devel", "Development/Tools"},
        {"doc", "Documentation"},
        {"editors", "Applications/Editors"},
        {"httpd", "System Environment/Daemons"},
        {"interpreters", "Development/Languages"},
        {"kernel", "System Environment/Kernel"},
        {"libdevel", "Development/Libraries"},
        {"libs", "System Environment/Libraries"},
        {"misc", "Applications/System"},
        {"net", "Applications/Internet"},
        {"perl", "Development/Languages"},
        {"python", "Development/Languages"},
        {"shells", "System Environment/Shells"},
        {"text", "Applications/Text"},
        {"utils", "Applications/System"},
        {"web", "Applications/Internet"},
    };
    if (pkg->group)
        return pkg->group;
    const char *section = pkg->section ? pkg->section : "";
    const char *slash = strrchr(section, '/'); /* "contrib/net" */
    section = slash ? slash + 1 : section;
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        if (!strcmp(section, groups[i].section))
            return groups[i].group;
    return "Unspecified";
}

static void put_package(struct hb *b, const struct pw_rpm_pkg *r)
{
    const struct pw_package *pkg = r->pkg;
    struct pw_buf srpm = PW_BUF_INIT;
    pw_buf_addf(&srpm, "%s-%s-%s.src.rpm", pkg->name, pkg->version,
                pkg->release ? pkg->release : "1");
    const char *summary = pkg->summary ? pkg->summary : pkg->name;
    hb_str(b, PW_RPMTAG_NAME, pkg->name);
    hb_str(b, PW_RPMTAG_VERSION, pkg->version);
    hb_str(b, PW_RPMTAG_RELEASE, pkg->release ? pkg->release : "1");
    if (pkg->epoch >= 0)
        hb_u32(b, PW_RPMTAG_EPOCH, (uint32_t)pkg->epoch);
    hb_i18n(b, PW_RPMTAG_SUMMARY, summary);
    hb_i18n(b, PW_RPMTAG_DESCRIPTION,
            pkg->description && *pkg->description ? pkg->description : summary);
    hb_u32(b, PW_RPMTAG_BUILDTIME, (uint32_t)r->ctx->source_date_epoch);
    /* Never the host name: identical inputs give identical bytes. */
    hb_str(b, PW_RPMTAG_BUILDHOST, "packwright");
    if (r->total_size >= UINT32_MAX)
        hb_u64(b, PW_RPMTAG_LONGSIZE, r->total_size);
    else
        hb_u32(b, PW_RPMTAG_SIZE, (uint32_t)r->total_size);
    hb_str(b, PW_RPMTAG_VENDOR, pkg->vendor);
    hb_str(b, PW_RPMTAG_LICENSE, pkg->license ? pkg->license : "NOASSERTION");
    hb_str(b, PW_RPMTAG_PACKAGER, pkg->maintainer);
    hb_i18n(b, PW_RPMTAG_GROUP, rpm_group(pkg));
    hb_str(b, PW_RPMTAG_URL, pkg->homepage);
    hb_str(b, PW_RPMTAG_OS, "linux");
    hb_str(b, PW_RPMTAG_ARCH, r->arch);
    hb_str(b, PW_RPMTAG_SOURCERPM, srpm.buf); /* its presence marks a binary package */
    pw_buf_release(&srpm);
}

static void put_payload_info(struct hb *b, const struct pw_rpm_pkg *r)
{
    char level[16];
    const struct pw_compression *c = &r->ctx->rpm_compression;
    snprintf(level, sizeof(level), "%d", pw_compression_level(c));
    hb_str(b, PW_RPMTAG_PAYLOADFORMAT, "cpio");
    hb_str(b, PW_RPMTAG_PAYLOADCOMPRESSOR, pw_compression_name(c->method));
    hb_str(b, PW_RPMTAG_PAYLOADFLAGS, level);
    const char *digest = r->payload_sha256, *alt = r->cpio_sha256;
    hb_strs(b, PW_RPMTAG_PAYLOADDIGEST, &digest, 1);
    hb_u32(b, PW_RPMTAG_PAYLOADDIGESTALGO, PW_RPM_DIGESTALGO_SHA256);
    hb_strs(b, PW_RPMTAG_PAYLOADDIGESTALT, &alt, 1);
}

static void put_deps(struct hb *b, const struct pw_rpm_pkg *r)
{
    static const int tags[PW_RPM_DEP_COUNT][3] = {
        [PW_RPM_REQUIRE] = {PW_RPMTAG_REQUIRENAME, PW_RPMTAG_REQUIREVERSION,
                            PW_RPMTAG_REQUIREFLAGS},
        [PW_RPM_PROVIDE] = {PW_RPMTAG_PROVIDENAME, PW_RPMTAG_PROVIDEVERSION,
                            PW_RPMTAG_PROVIDEFLAGS},
        [PW_RPM_CONFLICT] = {PW_RPMTAG_CONFLICTNAME, PW_RPMTAG_CONFLICTVERSION,
                             PW_RPMTAG_CONFLICTFLAGS},
        [PW_RPM_OBSOLETE] = {PW_RPMTAG_OBSOLETENAME, PW_RPMTAG_OBSOLETEVERSION,
                             PW_RPMTAG_OBSOLETEFLAGS},
        [PW_RPM_RECOMMEND] = {PW_RPMTAG_RECOMMENDNAME, PW_RPMTAG_RECOMMENDVERSION,
                              PW_RPMTAG_RECOMMENDFLAGS},
        [PW_RPM_SUGGEST] = {PW_RPMTAG_SUGGESTNAME, PW_RPMTAG_SUGGESTVERSION,
                            PW_RPMTAG_SUGGESTFLAGS},
        [PW_RPM_SUPPLEMENT] = {PW_RPMTAG_SUPPLEMENTNAME, PW_RPMTAG_SUPPLEMENTVERSION,
                               PW_RPMTAG_SUPPLEMENTFLAGS},
        [PW_RPM_ENHANCE] = {PW_RPMTAG_ENHANCENAME, PW_RPMTAG_ENHANCEVERSION,
                            PW_RPMTAG_ENHANCEFLAGS},
    };
    for (int k = 0; k < PW_RPM_DEP_COUNT; k++) {
        const struct pw_rpm_deps *d = &r->deps[k];
        if (!d->n)
            continue;
        const char **names = pw_xcalloc(d->n, sizeof(*names));
        const char **versions = pw_xcalloc(d->n, sizeof(*versions));
        uint32_t *flags = pw_xcalloc(d->n, sizeof(*flags));
        for (size_t i = 0; i < d->n; i++) {
            names[i] = d->v[i].name;
            versions[i] = d->v[i].version;
            flags[i] = d->v[i].flags;
        }
        hb_strs(b, tags[k][0], names, d->n);
        hb_strs(b, tags[k][1], versions, d->n);
        hb_u32s(b, tags[k][2], flags, d->n);
        free(names);
        free(versions);
        free(flags);
    }
}

static void trim_newlines(struct pw_buf *s)
{
    while (s->len && (s->buf[s->len - 1] == '\n' || s->buf[s->len - 1] == ' '))
        pw_buf_setlen(s, s->len - 1);
}

static void put_scripts(struct hb *b, const struct pw_rpm_pkg *r)
{
    for (size_t i = 0; i < sizeof(scriptlets) / sizeof(scriptlets[0]); i++) {
        if (!has_script(r->pkg, scriptlets[i].kind))
            continue;
        struct pw_buf body = PW_BUF_INIT;
        pw_scripts_wrap_rpm(r->pkg, scriptlets[i].kind, &body);
        trim_newlines(&body); /* rpmbuild strips trailing blanks of scriptlet bodies */
        hb_str(b, scriptlets[i].body_tag, body.buf);
        hb_str(b, scriptlets[i].prog_tag, "/bin/sh");
        pw_buf_release(&body);
    }
}

/* rpmbuild stores a changelog date ("Mon Jan 01 2024") as noon of that day; entries with a
 * time of day keep it. Never the wall clock. */
static uint32_t changelog_time(const struct pw_changelog_entry *e)
{
    int64_t t = e->time;
    if (e->date && strlen(e->date) == 10)
        t = t - (t % 86400 + 86400) % 86400 + 43200;
    return t < 0 ? 0 : (uint32_t)t;
}

/* rpm's changelog items are "- " lines: "* " bullets (the Debian spelling) become "- ", a
 * first line without a bullet gets one, other lines stay as written. */
static char *changelog_text(const char *t)
{
    struct pw_buf out = PW_BUF_INIT;
    for (int first = 1; *t; first = 0) {
        size_t len = strcspn(t, "\n");
        if (len >= 2 && (t[0] == '*' || t[0] == '-') && t[1] == ' ')
            pw_buf_addf(&out, "- %.*s", (int)(len - 2), t + 2);
        else
            pw_buf_addf(&out, "%s%.*s", first ? "- " : "", (int)len, t);
        t += len;
        if (*t == '\n' && *++t)
            pw_buf_addc(&out, '\n');
    }
    trim_newlines(&out);
    return pw_buf_detach(&out, NULL);
}

/* The entry for the version being built names it exactly as the package does (with
 * release and epoch), as in the .deb; without a changelog there is one entry for it, dated
 * SOURCE_DATE_EPOCH, so that rpmlint and `rpm -q --changelog` find one. */
static void changelog_entry(const struct pw_rpm_pkg *r, const struct pw_changelog_entry *e,
                            uint32_t *time, char **name, char **text)
{
    const struct pw_package *pkg = r->pkg;
    const char *maintainer = pkg->maintainer ? pkg->maintainer : "packwright";
    struct pw_buf n = PW_BUF_INIT;
    if (!e) {
        *time = (uint32_t)r->ctx->source_date_epoch;
        pw_buf_addf(&n, "%s - %s", maintainer, r->evr);
        *text = pw_xstrdup("- Built by packwright.");
    } else {
        const char *v = e->version ? e->version : r->evr;
        if (pkg->version && !strcmp(v, pkg->version))
            v = r->evr;
        *time = changelog_time(e);
        pw_buf_addf(&n, "%s - %s", e->author ? e->author : maintainer, v);
        *text = changelog_text(e->text ? e->text : "");
    }
    *name = pw_buf_detach(&n, NULL);
}

static void put_changelog(struct hb *b, const struct pw_rpm_pkg *r)
{
    const struct pw_package *pkg = r->pkg;
    size_t n = pkg->nchangelog ? pkg->nchangelog : 1;
    uint32_t *times = pw_xcalloc(n, sizeof(*times));
    char **names = pw_xcalloc(n, sizeof(*names));
    char **texts = pw_xcalloc(n, sizeof(*texts));
    for (size_t i = 0; i < n; i++)
        changelog_entry(r, pkg->nchangelog ? &pkg->changelog[i] : NULL, &times[i], &names[i],
                        &texts[i]);
    hb_u32s(b, PW_RPMTAG_CHANGELOGTIME, times, n);
    hb_strs(b, PW_RPMTAG_CHANGELOGNAME, (const char *const *)names, n);
    hb_strs(b, PW_RPMTAG_CHANGELOGTEXT, (const char *const *)texts, n);
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
        free(texts[i]);
    }
    free(times);
    free(names);
    free(texts);
}

/* DIRNAMES holds each directory once, in order of first use; DIRINDEXES points into it. */
struct dir_index {
    struct pw_strvec names;
    size_t *slots; /* open addressing: index + 1 into names, 0 = empty */
    size_t cap;
};

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static uint32_t dir_index_of(struct dir_index *d, const char *path)
{
    size_t len = pw_path_parent_len(path);
    len = len == 1 ? 0 : len; /* "/x": the directory is "/" */
    size_t h = (size_t)hash_bytes(path, len) & (d->cap - 1);
    for (;; h = (h + 1) & (d->cap - 1)) {
        size_t s = d->slots[h];
        if (!s)
            break;
        const char *name = d->names.v[s - 1];
        if (strlen(name) == len + 1 && !strncmp(name, path, len))
            return (uint32_t)(s - 1);
    }
    char *name = pw_xmalloc(len + 2);
    memcpy(name, path, len);
    name[len] = '/';
    name[len + 1] = '\0';
    pw_strvec_push_owned(&d->names, name);
    d->slots[h] = d->names.n;
    return (uint32_t)(d->names.n - 1);
}

uint16_t pw_rpm_file_mode(const struct pw_file *f)
{
    switch (f->kind) {
    case PW_FILE_DIR:
        return (uint16_t)(S_IFDIR | (f->mode & 07777));
    case PW_FILE_SYMLINK:
        return (uint16_t)(S_IFLNK | 0777);
    case PW_FILE_REG:
        break;
    }
    return (uint16_t)(S_IFREG | (f->mode & 07777));
}

struct file_arrays {
    uint32_t *sizes32, *mtimes, *flags, *verify, *devices, *inodes, *dirindexes, *colors;
    uint64_t *sizes64;
    uint16_t *modes, *rdevs;
    const char **basenames, **digests, **linktos, **users, **groups, **langs;
};

static void file_arrays_alloc(struct file_arrays *a, size_t n)
{
    a->sizes32 = pw_xcalloc(n, sizeof(uint32_t));
    a->mtimes = pw_xcalloc(n, sizeof(uint32_t));
    a->flags = pw_xcalloc(n, sizeof(uint32_t));
    a->verify = pw_xcalloc(n, sizeof(uint32_t));
    a->devices = pw_xcalloc(n, sizeof(uint32_t));
    a->inodes = pw_xcalloc(n, sizeof(uint32_t));
    a->dirindexes = pw_xcalloc(n, sizeof(uint32_t));
    a->colors = pw_xcalloc(n, sizeof(uint32_t));
    a->sizes64 = pw_xcalloc(n, sizeof(uint64_t));
    a->modes = pw_xcalloc(n, sizeof(uint16_t));
    a->rdevs = pw_xcalloc(n, sizeof(uint16_t));
    a->basenames = pw_xcalloc(n, sizeof(char *));
    a->digests = pw_xcalloc(n, sizeof(char *));
    a->linktos = pw_xcalloc(n, sizeof(char *));
    a->users = pw_xcalloc(n, sizeof(char *));
    a->groups = pw_xcalloc(n, sizeof(char *));
    a->langs = pw_xcalloc(n, sizeof(char *));
}

static void file_arrays_free(struct file_arrays *a)
{
    void *all[] = {a->sizes32,    a->mtimes,  a->flags,   a->verify, a->devices, a->inodes,
                   a->dirindexes, a->colors,  a->sizes64, a->modes,  a->rdevs,   a->basenames,
                   a->digests,    a->linktos, a->users,   a->groups, a->langs};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        free(all[i]);
}

static void fill_file(struct file_arrays *a, size_t i, const struct pw_rpm_file *rf,
                      struct dir_index *dirs)
{
    const struct pw_file *f = rf->f;
    a->sizes64[i] = f->kind == PW_FILE_DIR ? 0 : f->size;
    a->sizes32[i] = (uint32_t)a->sizes64[i];
    a->modes[i] = pw_rpm_file_mode(f);
    a->mtimes[i] = f->mtime < 0 ? 0 : (uint32_t)f->mtime;
    a->flags[i] = rf->flags;
    /* RPMVERIFY_ALL, as rpmbuild writes; a ghost's content is not the package's, so
     * rpmbuild leaves out its digest, size, link target and mtime (0x27). */
    a->verify[i] = (rf->flags & PW_RPMFILE_GHOST) ? ~UINT32_C(0x27) : UINT32_MAX;
    a->devices[i] = 1;
    a->inodes[i] = (uint32_t)(i + 1); /* unique: no hardlink sets */
    a->colors[i] = rf->color;
    a->dirindexes[i] = dir_index_of(dirs, f->path);
    a->basenames[i] = pw_path_base(f->path);
    a->digests[i] = rf->digest;
    a->linktos[i] = f->kind == PW_FILE_SYMLINK && f->target ? f->target : "";
    a->users[i] = f->owner ? f->owner : "root";
    a->groups[i] = f->group ? f->group : "root";
    a->langs[i] = "";
}

static void put_files(struct hb *b, const struct pw_rpm_pkg *r)
{
    size_t n = r->nfiles;
    if (!n)
        return; /* rpm rejects empty arrays: a package without files has no file tags */
    struct file_arrays a;
    file_arrays_alloc(&a, n);
    struct dir_index dirs = {PW_STRVEC_INIT, NULL, 16};
    while (dirs.cap < 2 * n)
        dirs.cap *= 2;
    dirs.slots = pw_xcalloc(dirs.cap, sizeof(*dirs.slots));
    for (size_t i = 0; i < n; i++)
        fill_file(&a, i, &r->files[i], &dirs);
    if (r->large)
        hb_u64s(b, PW_RPMTAG_LONGFILESIZES, a.sizes64, n);
    else
        hb_u32s(b, PW_RPMTAG_FILESIZES, a.sizes32, n);
    hb_u16s(b, PW_RPMTAG_FILEMODES, a.modes, n);
    hb_u16s(b, PW_RPMTAG_FILERDEVS, a.rdevs, n);
    hb_u32s(b, PW_RPMTAG_FILEMTIMES, a.mtimes, n);
    hb_strs(b, PW_RPMTAG_FILEDIGESTS, a.digests, n);
    hb_strs(b, PW_RPMTAG_FILELINKTOS, a.linktos, n);
    hb_u32s(b, PW_RPMTAG_FILEFLAGS, a.flags, n);
    hb_strs(b, PW_RPMTAG_FILEUSERNAME, a.users, n);
    hb_strs(b, PW_RPMTAG_FILEGROUPNAME, a.groups, n);
    hb_u32s(b, PW_RPMTAG_FILEVERIFYFLAGS, a.verify, n);
    hb_u32s(b, PW_RPMTAG_FILEDEVICES, a.devices, n);
    hb_u32s(b, PW_RPMTAG_FILEINODES, a.inodes, n);
    hb_strs(b, PW_RPMTAG_FILELANGS, a.langs, n);
    hb_u32s(b, PW_RPMTAG_DIRINDEXES, a.dirindexes, n);
    hb_strs(b, PW_RPMTAG_BASENAMES, a.basenames, n);
    hb_strs(b, PW_RPMTAG_DIRNAMES, (const char *const *)dirs.names.v, dirs.names.n);
    hb_u32s(b, PW_RPMTAG_FILECOLORS, a.colors, n);
    pw_strvec_release(&dirs.names);
    free(dirs.slots);
    file_arrays_free(&a);
}

int pw_rpm_pkg_header(const struct pw_rpm_pkg *r, struct pw_buf *out, struct pw_err *err)
{
    struct hb b = {pw_rpm_header_new(), err, 0, 1};
    put_package(&b, r);
    put_files(&b, r);
    put_deps(&b, r);
    put_scripts(&b, r);
    put_changelog(&b, r);
    put_payload_info(&b, r);
    hb_u32(&b, PW_RPMTAG_FILEDIGESTALGO, PW_RPM_DIGESTALGO_SHA256); /* even without files */
    /* rpmbuild declares the encoding only after checking that every string is UTF-8. */
    if (b.utf8)
        hb_str(&b, PW_RPMTAG_ENCODING, "utf-8");
    int rc = b.rc < 0 ? b.rc : pw_rpm_header_export(b.h, PW_RPM_HEADER_MAIN, out, err);
    pw_rpm_header_free(b.h);
    return rc;
}
