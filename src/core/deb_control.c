#include "deb_control.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "../base/fs.h"
#include "arch.h"
#include "deps.h"
#include "hash.h"

void pw_deb_version(const struct pw_package *pkg, struct pw_buf *out)
{
    if (pkg->epoch >= 0)
        pw_buf_addf(out, "%" PRId64 ":", pkg->epoch);
    pw_buf_adds(out, pkg->version ? pkg->version : "0");
    pw_buf_addf(out, "-%s", pkg->release && *pkg->release ? pkg->release : "1");
}

const char *pw_deb_arch(const struct pw_package *pkg)
{
    if (pkg->arch && *pkg->arch) {
        const struct pw_arch *a = pw_arch_lookup(pkg->arch);
        return a ? a->deb : pkg->arch;
    }
    return pw_arch_host()->deb;
}

int pw_deb_ships(const struct pw_contents *c, size_t i)
{
    const struct pw_file *f = &c->files[i];
    if (f->flags & PW_FLAG_GHOST)
        return 0;
    if (f->kind != PW_FILE_DIR || !(f->flags & PW_FLAG_IMPLICIT))
        return 1;
    /* Everything below f sorts right after it, among the paths that start with f->path; an
     * implicit directory is shipped when something declared lies below it. */
    size_t len = strlen(f->path);
    for (size_t j = i + 1; j < c->n && !strncmp(c->files[j].path, f->path, len); j++)
        if (c->files[j].path[len] == '/' &&
            !(c->files[j].flags & (PW_FLAG_GHOST | PW_FLAG_IMPLICIT)))
            return 1;
    return 0;
}

uint64_t pw_deb_installed_size(const struct pw_contents *c)
{
    uint64_t kib = 1; /* the top directory */
    for (size_t i = 0; i < c->n; i++) {
        const struct pw_file *f = &c->files[i];
        if (!pw_deb_ships(c, i))
            continue;
        if (f->kind == PW_FILE_DIR)
            kib += 1;
        else
            kib += (f->size + 1023) / 1024;
    }
    return kib;
}

int pw_deb_is_conffile(const struct pw_file *f)
{
    if (f->kind != PW_FILE_REG || (f->flags & PW_FLAG_GHOST))
        return 0;
    return (f->flags & PW_FLAG_CONFIG) || !strncmp(f->path, "/etc/", 5);
}

void pw_deb_conffiles(const struct pw_contents *c, struct pw_buf *out)
{
    for (size_t i = 0; i < c->n; i++)
        if (pw_deb_is_conffile(&c->files[i]))
            pw_buf_addf(out, "%s\n", c->files[i].path);
}

void pw_deb_md5sums(const struct pw_contents *c, struct pw_buf *out)
{
    for (size_t i = 0; i < c->n; i++) {
        const struct pw_file *f = &c->files[i];
        if (f->kind != PW_FILE_REG || (f->flags & PW_FLAG_GHOST) || pw_deb_is_conffile(f) ||
            !f->have_digests)
            continue;
        char hex[33];
        pw_hex(f->md5, 16, hex);
        pw_buf_addf(out, "%s  %s\n", hex, f->path + 1);
    }
}

/* One line of a control field: newlines would start a new field, so they become spaces. */
static void add_field(struct pw_buf *out, const char *key, const char *value)
{
    if (!value || !*value)
        return;
    pw_buf_addf(out, "%s: ", key);
    for (const char *p = value; *p; p++)
        pw_buf_addc(out, *p == '\n' || *p == '\r' ? ' ' : *p);
    pw_buf_addc(out, '\n');
}

static void add_deps(struct pw_buf *out, const char *key, const struct pw_strvec *deps)
{
    if (!deps->n)
        return;
    struct pw_buf v = PW_BUF_INIT;
    pw_deps_render_deb(deps, &v);
    add_field(out, key, v.buf);
    pw_buf_release(&v);
}

static int blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

void pw_deb_description(const char *summary, const char *description, struct pw_buf *out)
{
    const char *s = summary ? summary : "";
    pw_buf_add(out, s, strcspn(s, "\r\n"));
    pw_buf_addc(out, '\n');
    const char *p = description ? description : "";
    size_t pending_blank = 0;
    int started = 0;
    while (*p) {
        size_t len = strcspn(p, "\n");
        size_t end = len;
        while (end && (p[end - 1] == ' ' || p[end - 1] == '\t' || p[end - 1] == '\r'))
            end--;
        if (blank(p, end)) {
            pending_blank += started;
        } else {
            for (; pending_blank; pending_blank--)
                pw_buf_adds(out, " .\n");
            pw_buf_addc(out, ' ');
            pw_buf_add(out, p, end);
            pw_buf_addc(out, '\n');
            started = 1;
        }
        p += len + (p[len] == '\n');
    }
}

void pw_deb_control(const struct pw_package *pkg, uint64_t installed_size, struct pw_buf *out)
{
    struct pw_buf v = PW_BUF_INIT;
    add_field(out, "Package", pkg->name);
    pw_deb_version(pkg, &v);
    add_field(out, "Version", v.buf);
    add_field(out, "Architecture", pw_deb_arch(pkg));
    add_field(out, "Maintainer", pkg->maintainer);
    pw_buf_reset(&v);
    pw_buf_addf(&v, "%" PRIu64, installed_size);
    add_field(out, "Installed-Size", v.buf);
    add_deps(out, "Depends", &pkg->depends);
    add_deps(out, "Recommends", &pkg->recommends);
    add_deps(out, "Suggests", &pkg->suggests);
    add_deps(out, "Enhances", &pkg->enhances);
    add_deps(out, "Conflicts", &pkg->conflicts);
    add_deps(out, "Breaks", &pkg->breaks);
    add_deps(out, "Replaces", &pkg->replaces);
    add_deps(out, "Provides", &pkg->provides);
    add_field(out, "Section", pkg->section && *pkg->section ? pkg->section : "misc");
    add_field(out, "Priority", pkg->priority && *pkg->priority ? pkg->priority : "optional");
    add_field(out, "Homepage", pkg->homepage);
    pw_buf_adds(out, "Description: ");
    pw_deb_description(pkg->summary, pkg->description, out);
    pw_buf_release(&v);
}

/* RFC 2822 in UTC with English names, whatever the locale: "Mon, 01 Jan 2024 00:00:00 +0000". */
static void add_rfc2822(struct pw_buf *out, int64_t t)
{
    static const char days[][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    pw_buf_addf(out, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Change lines: "* x" items as written, other lines as items or their continuations. */
static void add_change_text(struct pw_buf *out, const char *text)
{
    int first = 1;
    for (const char *p = text ? text : ""; *p;) {
        size_t len = strcspn(p, "\n");
        size_t end = len;
        while (end && (p[end - 1] == ' ' || p[end - 1] == '\t' || p[end - 1] == '\r'))
            end--;
        size_t lead = 0;
        while (lead < end && (p[lead] == ' ' || p[lead] == '\t'))
            lead++;
        if (lead == end)
            pw_buf_addc(out, '\n');
        else if (p[lead] == '*' || p[lead] == '-') {
            size_t from = lead + 1 + (lead + 1 < end && p[lead + 1] == ' ');
            pw_buf_addf(out, "  * %.*s\n", (int)(end - from), p + from);
        } else if (first)
            pw_buf_addf(out, "  * %.*s\n", (int)(end - lead), p + lead);
        else
            pw_buf_addf(out, "    %.*s\n", (int)(end - lead), p + lead);
        if (lead < end)
            first = 0;
        p += len + (p[len] == '\n');
    }
}

static void add_changelog_entry(struct pw_buf *out, const struct pw_package *pkg,
                                const char *version, const char *author, const char *text,
                                int64_t t)
{
    pw_buf_addf(out, "%s (%s) unstable; urgency=medium\n\n", pkg->name, version);
    add_change_text(out, text);
    pw_buf_addf(out, "\n -- %s  ", author);
    add_rfc2822(out, t);
    pw_buf_adds(out, "\n");
}

void pw_deb_changelog(const struct pw_package *pkg, int64_t source_date_epoch, struct pw_buf *out)
{
    struct pw_buf full = PW_BUF_INIT;
    pw_deb_version(pkg, &full);
    const char *fallback_author =
        pkg->maintainer && *pkg->maintainer ? pkg->maintainer : "packwright <root@localhost>";
    if (!pkg->nchangelog)
        add_changelog_entry(out, pkg, full.buf, fallback_author, "Built by packwright.",
                            source_date_epoch);
    for (size_t i = 0; i < pkg->nchangelog; i++) {
        const struct pw_changelog_entry *e = &pkg->changelog[i];
        /* The entry for the version being built names it exactly as the package does. */
        const char *v = e->version && pkg->version && !strcmp(e->version, pkg->version)
                            ? full.buf
                            : (e->version ? e->version : full.buf);
        if (i)
            pw_buf_addc(out, '\n');
        add_changelog_entry(out, pkg, v, e->author && *e->author ? e->author : fallback_author,
                            e->text, e->time);
    }
    pw_buf_release(&full);
}

int pw_deb_copyright(const struct pw_package *pkg, struct pw_buf *out, struct pw_err *err)
{
    if (pkg->copyright)
        return pw_fs_read_file(pkg->copyright, out, err);
    const char *holder = pkg->vendor && *pkg->vendor ? pkg->vendor : pkg->maintainer;
    pw_buf_addf(out, "%s\n\n", pkg->name);
    if (pkg->homepage && *pkg->homepage)
        pw_buf_addf(out, "Homepage: %s\n", pkg->homepage);
    if (holder && *holder)
        pw_buf_addf(out, "Copyright: %s\n", holder);
    pw_buf_addf(out, "License: %s\n",
                pkg->license && *pkg->license ? pkg->license : "not stated in the manifest");
    return 0;
}

int pw_deb_control_parse(const char *text, size_t len, struct pw_pkginfo *info, struct pw_err *err)
{
    struct pw_buf key = PW_BUF_INIT, value = PW_BUF_INIT;
    int have = 0, rc = 0;
    for (size_t pos = 0; pos < len;) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (n == 0 || blank(line, n))
            continue; /* the stanza's end; one stanza per control file */
        if (line[0] == ' ' || line[0] == '\t') {
            if (!have) {
                rc = pw_err_set(err, PW_E_FORMAT, "control: continuation line before a field");
                break;
            }
            pw_buf_addc(&value, '\n');
            pw_buf_add(&value, line + 1, n - 1);
            continue;
        }
        const char *colon = memchr(line, ':', n);
        if (!colon || colon == line) {
            rc = pw_err_set(err, PW_E_FORMAT, "control: malformed line '%.*s'", (int)n, line);
            break;
        }
        if (have)
            pw_pkginfo_add_field(info, key.buf, value.buf);
        pw_buf_reset(&key);
        pw_buf_reset(&value);
        pw_buf_add(&key, line, (size_t)(colon - line));
        const char *v = colon + 1;
        while (v < line + n && (*v == ' ' || *v == '\t'))
            v++;
        size_t vlen = (size_t)(line + n - v);
        while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t' || v[vlen - 1] == '\r'))
            vlen--;
        pw_buf_add(&value, v, vlen);
        have = 1;
    }
    if (rc == 0 && have)
        pw_pkginfo_add_field(info, key.buf, value.buf);
    pw_buf_release(&key);
    pw_buf_release(&value);
    return rc;
}
