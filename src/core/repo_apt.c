/* The apt family (REPO/deb): pool/COMPONENT/PREFIX/SOURCE/NAME_VERSION_ARCH.deb, and per generation
 * dists/SUITE/{Release,InRelease,Release.gpg} and COMPONENT/binary-ARCH/Packages(.gz|.xz)
 * with by-hash copies. Stanzas follow apt-ftparchive's field order. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/fs.h"
#include "pkgread.h"
#include "repo_chunk.h"
#include "repo_compress.h"
#include "repo_deb822.h"
#include "repo_int.h"

/* ---- stanzas ---------------------------------------------------------------------------- */

/* apt's TFRewritePackageOrder (apt-pkg/tagfile-order.c): the order apt-ftparchive writes. */
static const char *const field_order[] = {
    "Package", "Package-Type", "Architecture", "Subarchitecture", "Version", "Kernel-Version",
    "Built-Using", "Static-Built-Using", "Built-For-Profiles", "Auto-Built-Package",
    "Multi-Arch", "Status", "Priority", "Build-Essential", "Protected", "Important",
    "Essential", "Installer-Menu-Item", "Section", "Source", "Origin",
    "Phased-Update-Percentage", "Maintainer", "Original-Maintainer", "Bugs", "Config-Version",
    "Conffiles", "Triggers-Awaited", "Triggers-Pending", "Installed-Size", "Provides",
    "Pre-Depends", "Depends", "Recommends", "Suggests", "Conflicts", "Breaks", "Replaces",
    "Enhances", "Filename", "MSDOS-Filename", "Size", "MD5sum", "SHA1", "SHA256", "SHA512",
    "Homepage", "Description", "Description-md5", "Tag", "Task", NULL};

static const char *const added_fields[] = {"Filename", "Size", "MD5sum", "SHA1", "SHA256",
                                           "SHA512", NULL};

static int in_list(const char *const *list, const char *key)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcasecmp(list[i], key))
            return 1;
    return 0;
}

static const char *added_value(const char *key, const char *filename,
                               const struct pw_repo_sums *s, char *size)
{
    if (!strcmp(key, "Filename"))
        return filename;
    if (!strcmp(key, "Size"))
        return size;
    if (!strcmp(key, "MD5sum"))
        return s->md5;
    if (!strcmp(key, "SHA1"))
        return s->sha1;
    if (!strcmp(key, "SHA256"))
        return s->sha256;
    if (!strcmp(key, "SHA512"))
        return s->sha512;
    return NULL;
}

static void render_stanza(const struct pw_deb822 *ctl, const char *filename,
                          const struct pw_repo_sums *s, struct pw_buf *out)
{
    char size[32];
    snprintf(size, sizeof(size), "%" PRIu64, s->size);
    for (size_t i = 0; field_order[i]; i++) {
        const char *v = added_value(field_order[i], filename, s, size);
        if (!v)
            v = pw_deb822_get(ctl, field_order[i]);
        if (v)
            pw_deb822_write_field(out, field_order[i], v);
    }
    for (size_t i = 0; i < ctl->n; i++)
        if (!in_list(field_order, ctl->fields[i].key) && !in_list(added_fields, ctl->fields[i].key))
            pw_deb822_write_field(out, ctl->fields[i].key, ctl->fields[i].value);
}

/* ---- adding ----------------------------------------------------------------------------- */

static int apt_probe(const unsigned char *head, size_t len)
{
    return len >= 21 && !memcmp(head, "!<arch>\ndebian-binary", 21);
}

/* pool/COMP/PREFIX/SOURCE/NAME_VERSION_ARCH.deb (Debian's layout; the epoch is left out of
 * the file name as dpkg-deb and the archive do). */
static void pool_path(const char *component, const struct pw_deb822 *ctl, struct pw_buf *out)
{
    const char *name = pw_deb822_get(ctl, "Package");
    const char *src = pw_deb822_get(ctl, "Source");
    size_t srclen = src ? strcspn(src, " (") : 0;
    if (!srclen) {
        src = name;
        srclen = strlen(name);
    }
    size_t plen = srclen > 3 && !strncmp(src, "lib", 3) ? 4 : 1;
    const char *version = pw_deb822_get(ctl, "Version");
    const char *colon = strchr(version, ':');
    pw_buf_addf(out, "pool/%s/%.*s/%.*s/%s_%s_%s.deb", component, (int)plen, src, (int)srclen,
                src, name, colon ? colon + 1 : version, pw_deb822_get(ctl, "Architecture"));
}

static int check_control(const struct pw_deb822 *ctl, const char *file, struct pw_err *err)
{
    const char *name = pw_deb822_get(ctl, "Package");
    const char *version = pw_deb822_get(ctl, "Version");
    const char *arch = pw_deb822_get(ctl, "Architecture");
    const char *src = pw_deb822_get(ctl, "Source");
    if (!pw_repo_safe_name(name, "+-."))
        return pw_err_set(err, PW_E_FORMAT, "'%s': invalid package name '%s'", file, name);
    if (!pw_repo_safe_name(version, "+-.~:"))
        return pw_err_set(err, PW_E_FORMAT, "'%s': invalid version '%s'", file, version);
    if (!pw_repo_safe_name(arch, "-"))
        return pw_err_set(err, PW_E_FORMAT, "'%s': invalid architecture '%s'", file, arch);
    if (src) {
        char *s = pw_xstrndup(src, strcspn(src, " ("));
        int ok = pw_repo_safe_name(s, "+-.");
        free(s);
        if (!ok)
            return pw_err_set(err, PW_E_FORMAT, "'%s': invalid Source field '%s'", file, src);
    }
    return 0;
}

static struct pw_repo_rec *suite_rec(struct pw_repo *r, struct pw_repo_state *s,
                                     const char *suite)
{
    struct pw_repo_rec *rec = pw_repo_db_find(&s->db, "suite", "name", suite);
    if (rec)
        return rec;
    rec = pw_repo_db_add(&s->db);
    pw_repo_rec_set(rec, "type", "suite");
    pw_repo_rec_set(rec, "name", suite);
    pw_repo_rec_set(rec, "codename", suite);
    pw_repo_rec_set(rec, "origin", r->name);
    pw_repo_rec_set(rec, "label", r->name);
    /* the two architectures packwright builds for are always indexed, so that a client of
     * either never warns that the repository "does not seem to provide it" */
    pw_repo_rec_add_word(rec, "archs", "amd64");
    pw_repo_rec_add_word(rec, "archs", "arm64");
    return rec;
}

/* Write-once: one name+version+arch has one content, wherever it sits in the pool. */
static void identity(const char *name, const char *version, const char *arch,
                     struct pw_buf *out)
{
    pw_buf_addf(out, "deb %s %s %s", name, version, arch);
}

static struct pw_repo_rec *make_record(const struct pw_deb822 *ctl, const char *dest,
                                       const char *component, const struct pw_repo_sums *sums,
                                       const struct stat *st)
{
    const char *name = pw_deb822_get(ctl, "Package"), *version = pw_deb822_get(ctl, "Version"),
               *arch = pw_deb822_get(ctl, "Architecture");
    struct pw_buf b = PW_BUF_INIT;
    identity(name, version, arch, &b);
    struct pw_repo_rec *rec = pw_repo_file_rec("deb", dest, b.buf, sums, st);
    pw_repo_rec_set(rec, "component", component);
    pw_repo_rec_set(rec, "name", name);
    pw_repo_rec_set(rec, "version", version);
    pw_repo_rec_set(rec, "arch", arch);
    pw_buf_reset(&b);
    render_stanza(ctl, dest, sums, &b);
    pw_repo_rec_setn(rec, "stanza", b.buf, b.len);
    pw_chunk_keep_sum(rec, "stanza");
    pw_buf_release(&b);
    return rec;
}

static int apt_read(const struct pw_repo *r, struct pw_repo_pending *p,
                    const struct pw_repo_sums *sums, const struct stat *st, struct pw_err *err)
{
    struct pw_deb822 ctl;
    pw_deb822_init(&ctl);
    int rc = pw_pkgread_deb(p->path, p->bytes, &ctl, err);
    if (rc == 0)
        rc = check_control(&ctl, p->file, err);
    if (rc == 0) {
        struct pw_buf dest = PW_BUF_INIT;
        pool_path(r->o->component, &ctl, &dest);
        p->rec = make_record(&ctl, dest.buf, r->o->component, sums, st);
        pw_buf_release(&dest);
    }
    pw_deb822_release(&ctl);
    return rc;
}

/* Suite, component and architectures the package brings; returns 1 when anything is new. */
static int add_to_suite(struct pw_repo *r, struct pw_repo_state *s, struct pw_repo_rec *rec)
{
    const char *suite = r->o->suite, *arch = pw_repo_rec_str(rec, "arch");
    int added = pw_repo_rec_add_word(rec, "suites", suite);
    struct pw_repo_rec *srec = suite_rec(r, s, suite);
    added |= pw_repo_rec_add_word(srec, "components", pw_repo_rec_str(rec, "component"));
    if (strcmp(arch, "all"))
        added |= pw_repo_rec_add_word(srec, "archs", arch);
    for (size_t i = 0; i < r->o->narchs; i++)
        added |= pw_repo_rec_add_word(srec, "archs", r->o->archs[i]);
    return added;
}

static void apt_record(struct pw_repo *r, struct pw_repo_state *s, struct pw_repo_pending *p)
{
    struct pw_repo_rec *rec = pw_repo_db_lookup(&s->db, "path", pw_repo_rec_str(p->rec, "path"));
    if (!rec) {
        rec = p->rec;
        p->rec = NULL;
        pw_repo_db_append(&s->db, rec);
    }
    int added = add_to_suite(r, s, rec);
    s->changed |= added;
    pw_repo_note(r, "%s '%s' %s (%s) in %s/%s", added ? "added" : "unchanged",
                 pw_repo_rec_str(rec, "name"), pw_repo_rec_str(rec, "version"),
                 pw_repo_rec_str(rec, "arch"), r->o->suite, pw_repo_rec_str(rec, "component"));
}

static int version_matches(const char *have, const char *want)
{
    if (!strcmp(have, want))
        return 1;
    const char *colon = strchr(have, ':');
    return colon && !strcmp(colon + 1, want);
}

static int apt_remove(struct pw_repo *r, struct pw_repo_state *s, const char *name,
                      const char *version, struct pw_err *err)
{
    int count = 0;
    for (size_t i = s->db.n; i-- > 0;) {
        struct pw_repo_rec *rec = s->db.recs[i];
        if (strcmp(pw_repo_rec_str(rec, "type"), "deb") ||
            strcmp(pw_repo_rec_str(rec, "name"), name) ||
            (version && !version_matches(pw_repo_rec_str(rec, "version"), version)))
            continue;
        if (r->o->suite && !pw_repo_rec_del_word(rec, "suites", r->o->suite))
            continue;
        pw_repo_note(r, "removed '%s' %s (%s) from %s", name, pw_repo_rec_str(rec, "version"),
                     pw_repo_rec_str(rec, "arch"), r->o->suite ? r->o->suite : "every suite");
        count++;
        if (!r->o->suite || !*pw_repo_rec_str(rec, "suites"))
            pw_repo_db_drop(&s->db, i);
    }
    s->changed |= count > 0;
    return count;
}

/* ---- Release files ---------------------------------------------------------------------- */

struct rel_entry {
    char *path;
    uint64_t size;
    char sha256[65], sha512[129];
};

struct rel_list {
    struct rel_entry *v;
    size_t n, cap;
};

static void rel_list_release(struct rel_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].path);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static struct rel_entry *rel_find(const struct rel_list *l, const char *path)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].path, path))
            return &l->v[i];
    return NULL;
}

static struct rel_entry *rel_get(struct rel_list *l, const char *path)
{
    struct rel_entry *e = rel_find(l, path);
    if (e)
        return e;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = pw_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    e = &l->v[l->n++];
    memset(e, 0, sizeof(*e));
    e->path = pw_xstrdup(path);
    return e;
}

/* Reads one hash list (" hex size path" lines) into l. */
static int parse_hash_list(const char *value, int is512, struct rel_list *l)
{
    for (const char *p = value; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = pw_xstrndup(p, n);
        char hex[130], path[4096];
        unsigned long long size;
        int ok = sscanf(line, " %129s %llu %4095s", hex, &size, path);
        free(line);
        if (ok == 3) {
            if (strlen(hex) != (is512 ? 128u : 64u))
                return -1;
            struct rel_entry *e = rel_get(l, path);
            if (e->size && e->size != size)
                return -1;
            e->size = size;
            strcpy(is512 ? e->sha512 : e->sha256, hex);
        } else if (n && strspn(p, " \t") != n) {
            return -1;
        }
        p += n;
        if (*p == '\n')
            p++;
    }
    return 0;
}

static int parse_release(const char *text, size_t len, const char *what, struct pw_deb822 *st,
                         struct rel_list *l, struct pw_err *err)
{
    size_t pos = 0;
    int rc = pw_deb822_next(text, len, &pos, what, st, err);
    if (rc == 0)
        return pw_err_set(err, PW_E_FORMAT, "'%s' is empty", what);
    if (rc < 0)
        return rc;
    const char *h256 = pw_deb822_get(st, "SHA256"), *h512 = pw_deb822_get(st, "SHA512");
    if ((h256 && parse_hash_list(h256, 0, l) < 0) || (h512 && parse_hash_list(h512, 1, l) < 0))
        return pw_err_set(err, PW_E_FORMAT, "'%s': malformed hash list", what);
    return 0;
}

static int load_release_file(const char *path, struct pw_deb822 *st, struct rel_list *l,
                             struct pw_err *err)
{
    struct pw_buf text = PW_BUF_INIT;
    int rc = pw_fs_read_file(path, &text, err);
    if (rc == 0)
        rc = parse_release(text.buf, text.len, path, st, l, err);
    pw_buf_release(&text);
    return rc;
}

/* ---- rendering -------------------------------------------------------------------------- */

static int cmp_recs(const void *a, const void *b)
{
    const struct pw_repo_rec *x = *(const struct pw_repo_rec *const *)a;
    const struct pw_repo_rec *y = *(const struct pw_repo_rec *const *)b;
    static const char *const keys[] = {"name", "version", "arch", "path"};
    for (size_t i = 0; i < 4; i++) {
        int c = strcmp(pw_repo_rec_str(x, keys[i]), pw_repo_rec_str(y, keys[i]));
        if (c)
            return c;
    }
    return 0;
}

/* Stanzas of a Packages file compressed anew must parse as apt parses them and hold what
 * apt needs. */
static int validate_stanzas(const char *text, size_t len, void *arg, struct pw_err *err)
{
    static const char *const needed[] = {"Package", "Version", "Architecture", "Filename", "Size",
                                         "SHA256",  NULL};
    struct pw_deb822 st;
    pw_deb822_init(&st);
    size_t pos = 0;
    int rc;
    while ((rc = pw_deb822_next(text, len, &pos, (const char *)arg, &st, err)) > 0)
        for (size_t i = 0; needed[i] && rc > 0; i++)
            if (!pw_deb822_get(&st, needed[i]))
                rc = pw_err_set(err, PW_E_FORMAT, "'%s': a stanza has no '%s'", (const char *)arg,
                                needed[i]);
    pw_deb822_release(&st);
    return rc < 0 ? rc : 0;
}

static void packages_text(const struct pw_repo_db *db, const char *suite, const char *comp,
                          const char *arch, struct pw_chunk_text *out)
{
    const struct pw_repo_rec **sel = pw_xcalloc(db->n ? db->n : 1, sizeof(*sel));
    size_t n = 0;
    for (size_t i = 0; i < db->n; i++) {
        const struct pw_repo_rec *rec = db->recs[i];
        const char *a = pw_repo_rec_str(rec, "arch");
        if (!strcmp(pw_repo_rec_str(rec, "type"), "deb") &&
            pw_repo_words_has(pw_repo_rec_str(rec, "suites"), suite) &&
            !strcmp(pw_repo_rec_str(rec, "component"), comp) &&
            (!strcmp(a, arch) || !strcmp(a, "all")))
            sel[n++] = rec;
    }
    qsort(sel, n, sizeof(*sel), cmp_recs);
    struct pw_chunk_item *items = pw_xcalloc(n ? n : 1, sizeof(*items));
    for (size_t i = 0; i < n; i++) {
        items[i].text = pw_repo_rec_getn(sel[i], "stanza", &items[i].len);
        items[i].sum = pw_repo_rec_get(sel[i], "stanza_sum");
        items[i].key = pw_repo_rec_str(sel[i], "sha256");
    }
    pw_chunk_text_build(out, "", items, n, "\n", "", PW_REPO_SUM_SHA256 | PW_REPO_SUM_SHA512);
    out->validate = validate_stanzas;
    free(items);
    free(sel);
}

struct index_ctx {
    struct pw_repo *r;
    const char *suite;     /* its name: index files are recorded as SUITE/REL */
    const char *suite_dir; /* staged dists/SUITE */
    struct pw_chunk_store *chunks;
    struct rel_list *out; /* entries for the new Release */
};

static void by_hash_path(const char *base, const char *rel, const char *type, const char *hex,
                         struct pw_buf *out)
{
    const char *slash = strrchr(rel, '/');
    pw_buf_reset(out);
    pw_buf_addf(out, "%s/%.*s%sby-hash/%s/%s", base, slash ? (int)(slash - rel) : 0, rel,
                slash ? "/" : "", type, hex);
}

/* Writes one file of an index (rel like main/binary-amd64/Packages.xz) and its by-hash
 * copies, and records it for the Release. */
static int put_index_file(struct index_ctx *c, const char *rel, const void *data, size_t len,
                          const struct pw_repo_sums *sums, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT, bh = PW_BUF_INIT;
    pw_buf_addf(&path, "%s/%s", c->suite_dir, rel);
    int rc = pw_repo_mkdirs_for(path.buf, err);
    if (rc == 0)
        rc = pw_repo_write(path.buf, data, len, err);
    static const char *const types[] = {"SHA256", "SHA512"};
    for (int i = 0; i < 2 && rc == 0; i++) {
        by_hash_path(c->suite_dir, rel, types[i], i ? sums->sha512 : sums->sha256, &bh);
        rc = pw_repo_mkdirs_for(bh.buf, err);
        if (rc == 0 && !pw_fs_exists(bh.buf))
            rc = pw_repo_link(path.buf, bh.buf, err);
    }
    if (rc == 0) {
        struct rel_entry *e = rel_get(c->out, rel);
        e->size = sums->size;
        strcpy(e->sha256, sums->sha256);
        strcpy(e->sha512, sums->sha512);
    }
    pw_buf_release(&path);
    pw_buf_release(&bh);
    return rc;
}

/* Packages, and Packages.gz and .xz made of chunks: only the chunks whose stanzas changed
 * since the live generation are compressed again (xz costs more than everything else in an
 * incremental publish). */
static int put_index(struct index_ctx *c, const char *rel, const struct pw_chunk_text *text,
                     struct pw_err *err)
{
    struct pw_repo_sums zs;
    const unsigned mask = PW_REPO_SUM_SHA256 | PW_REPO_SUM_SHA512;
    struct pw_buf z = PW_BUF_INIT, name = PW_BUF_INIT;
    pw_chunk_text_plain(text, &z);
    int rc = put_index_file(c, rel, z.buf, z.len, &text->sums, err);
    /* gzip and xz at once: the xz chunks need not wait for the gzip ones */
    struct pw_chunk_job jobs[2] = {{.t = text, .m = PW_COMPRESS_GZIP, .out = PW_BUF_INIT},
                                   {.t = text, .m = PW_COMPRESS_XZ, .out = PW_BUF_INIT}};
    if (rc == 0)
        rc = pw_chunk_compress_jobs(c->chunks, jobs, 2, err);
    for (int i = 0; i < 2 && rc == 0; i++) {
        const char *suffix = pw_repo_compress_suffix(jobs[i].m);
        pw_buf_reset(&name);
        pw_buf_addf(&name, "%s%s", rel, suffix);
        pw_repo_sums_buffer(jobs[i].out.buf, jobs[i].out.len, mask, &zs);
        rc = put_index_file(c, name.buf, jobs[i].out.buf, jobs[i].out.len, &zs, err);
        pw_buf_reset(&name);
        pw_buf_addf(&name, "%s/%s%s", c->suite, rel, suffix);
        pw_chunk_store_add(c->chunks, name.buf, zs.sha256, &jobs[i].chunks);
    }
    for (int i = 0; i < 2; i++)
        pw_chunk_job_release(&jobs[i]);
    pw_buf_release(&z);
    pw_buf_release(&name);
    return rc;
}

static int cmp_entries(const void *a, const void *b)
{
    return strcmp(((const struct rel_entry *)a)->path, ((const struct rel_entry *)b)->path);
}

static void release_text(const struct pw_repo *r, const struct pw_repo_rec *srec, int64_t date,
                         struct rel_list *entries, struct pw_buf *out)
{
    pw_buf_addf(out, "Origin: %s\nLabel: %s\nSuite: %s\nCodename: %s\nDate: ",
                pw_repo_rec_str(srec, "origin"), pw_repo_rec_str(srec, "label"),
                pw_repo_rec_str(srec, "name"), pw_repo_rec_str(srec, "codename"));
    pw_repo_rfc1123(date, out);
    pw_buf_addc(out, '\n');
    if (r->o->valid_for > 0) {
        pw_buf_adds(out, "Valid-Until: ");
        pw_repo_rfc1123(date + r->o->valid_for, out);
        pw_buf_addc(out, '\n');
    }
    pw_buf_addf(out, "Architectures: %s\nComponents: %s\nAcquire-By-Hash: yes\n",
                pw_repo_rec_str(srec, "archs"), pw_repo_rec_str(srec, "components"));
    qsort(entries->v, entries->n, sizeof(*entries->v), cmp_entries);
    pw_buf_adds(out, "SHA256:\n");
    for (size_t i = 0; i < entries->n; i++)
        pw_buf_addf(out, " %s %16" PRIu64 " %s\n", entries->v[i].sha256, entries->v[i].size,
                    entries->v[i].path);
    pw_buf_adds(out, "SHA512:\n");
    for (size_t i = 0; i < entries->n; i++)
        pw_buf_addf(out, " %s %16" PRIu64 " %s\n", entries->v[i].sha512, entries->v[i].size,
                    entries->v[i].path);
}

static int write_signed(struct pw_repo *r, const char *suite_dir, const struct pw_buf *release,
                        struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT, sig = PW_BUF_INIT;
    pw_buf_addf(&path, "%s/Release", suite_dir);
    int rc = pw_repo_write(path.buf, release->buf, release->len, err);
    if (rc == 0 && r->sign_key) {
        rc = pw_repo_sign(r, PW_GPG_DETACHED_ARMOR, release->buf, release->len, &sig, err);
        pw_buf_reset(&path);
        pw_buf_addf(&path, "%s/Release.gpg", suite_dir);
        if (rc == 0)
            rc = pw_repo_write(path.buf, sig.buf, sig.len, err);
        if (rc == 0)
            rc = pw_repo_sign(r, PW_GPG_CLEARSIGN, release->buf, release->len, &sig, err);
        pw_buf_reset(&path);
        pw_buf_addf(&path, "%s/InRelease", suite_dir);
        if (rc == 0)
            rc = pw_repo_write(path.buf, sig.buf, sig.len, err);
    }
    pw_buf_release(&path);
    pw_buf_release(&sig);
    return rc;
}


static int render_suite(struct pw_repo *r, struct pw_repo_state *s, struct pw_repo_rec *srec,
                        const char *dir, struct pw_chunk_store *chunks, struct pw_err *err)
{
    const char *suite = pw_repo_rec_str(srec, "name");
    struct pw_buf sdir = PW_BUF_INIT, text = PW_BUF_INIT, rel = PW_BUF_INIT;
    struct rel_list entries = {0};
    struct pw_strvec comps = PW_STRVEC_INIT, archs = PW_STRVEC_INIT;
    pw_buf_addf(&sdir, "%s/%s", dir, suite);
    int rc = pw_fs_mkdir_p(sdir.buf, 0755, err);
    struct index_ctx c = {r, suite, sdir.buf, chunks, &entries};
    pw_repo_words_split(pw_repo_rec_str(srec, "components"), &comps);
    pw_repo_words_split(pw_repo_rec_str(srec, "archs"), &archs);
    for (size_t i = 0; i < comps.n && rc == 0; i++)
        for (size_t j = 0; j < archs.n && rc == 0; j++) {
            pw_buf_reset(&rel);
            pw_buf_addf(&rel, "%s/binary-%s/Packages", comps.v[i], archs.v[j]);
            struct pw_chunk_text doc;
            pw_chunk_text_init(&doc);
            packages_text(&s->db, suite, comps.v[i], archs.v[j], &doc);
            doc.validate_arg = rel.buf;
            rc = put_index(&c, rel.buf, &doc, err);
            pw_chunk_text_release(&doc);
        }
    if (rc == 0) {
        /* Date never goes backwards: apt keeps an older-dated Release as not modified */
        int64_t date = r->o->now;
        if (pw_repo_rec_int(srec, "date") > date)
            date = pw_repo_rec_int(srec, "date");
        pw_repo_rec_set_int(srec, "date", date);
        release_text(r, srec, date, &entries, &text);
        rc = write_signed(r, sdir.buf, &text, err);
    }
    rel_list_release(&entries);
    pw_strvec_release(&comps);
    pw_strvec_release(&archs);
    pw_buf_release(&sdir);
    pw_buf_release(&text);
    pw_buf_release(&rel);
    return rc;
}

static int apt_render(struct pw_repo *r, struct pw_repo_state *s, const char *dir,
                      const char *prev, struct pw_err *err)
{
    for (size_t i = 0; i < s->db.n; i++)
        pw_chunk_keep_sum(s->db.recs[i], "stanza");
    struct pw_chunk_store chunks;
    pw_chunk_store_init(&chunks);
    pw_chunk_store_load(&chunks, prev);
    int rc = 0;
    for (size_t i = 0; i < s->db.n && rc == 0; i++) {
        struct pw_repo_rec *srec = s->db.recs[i];
        if (strcmp(pw_repo_rec_str(srec, "type"), "suite"))
            continue;
        rc = render_suite(r, s, srec, dir, &chunks, err);
        if (rc < 0)
            pw_err_prefix(err, "suite '%s': ", pw_repo_rec_str(srec, "name"));
    }
    if (rc == 0)
        rc = pw_chunk_store_save(&chunks, dir, err);
    pw_chunk_store_release(&chunks);
    return rc;
}

/* ---- finding suites --------------------------------------------------------------------- */

/* Suites are the directories under dists/ holding a Release or InRelease (names may contain
 * slashes, as in "stable/updates"). */
static int find_suites(const char *dir, const char *rel, struct pw_strvec *out, int depth)
{
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "%s%s%s/InRelease", dir, *rel ? "/" : "", rel);
    int has = pw_fs_exists(p.buf);
    pw_buf_setlen(&p, p.len - strlen("InRelease"));
    pw_buf_adds(&p, "Release");
    has |= pw_fs_exists(p.buf);
    pw_buf_setlen(&p, p.len - strlen("/Release"));
    if (has && *rel) {
        pw_strvec_push(out, rel);
        pw_buf_release(&p);
        return 0;
    }
    DIR *d = depth < 3 ? opendir(p.buf) : NULL;
    pw_buf_release(&p);
    if (!d)
        return 0;
    struct pw_strvec names = PW_STRVEC_INIT;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.' && de->d_type != DT_REG)
            pw_strvec_push(&names, de->d_name);
    closedir(d);
    pw_strvec_sort(&names);
    for (size_t i = 0; i < names.n; i++) {
        struct pw_buf sub = PW_BUF_INIT;
        pw_buf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "", names.v[i]);
        find_suites(dir, sub.buf, out, depth + 1);
        pw_buf_release(&sub);
    }
    pw_strvec_release(&names);
    return 0;
}

static int apt_referenced(const char *dir, struct pw_strvec *out, struct pw_err *err)
{
    struct pw_strvec suites = PW_STRVEC_INIT;
    find_suites(dir, "", &suites, 0);
    struct pw_buf p = PW_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < suites.n && rc == 0; i++) {
        struct rel_list l = {0};
        struct pw_deb822 st;
        pw_deb822_init(&st);
        pw_buf_reset(&p);
        pw_buf_addf(&p, "%s/%s/Release", dir, suites.v[i]);
        if (pw_fs_exists(p.buf))
            rc = load_release_file(p.buf, &st, &l, err);
        for (size_t j = 0; j < l.n && rc == 0; j++) {
            by_hash_path(suites.v[i], l.v[j].path, "SHA256", l.v[j].sha256, &p);
            if (l.v[j].sha256[0])
                pw_strvec_push(out, p.buf);
            by_hash_path(suites.v[i], l.v[j].path, "SHA512", l.v[j].sha512, &p);
            if (l.v[j].sha512[0])
                pw_strvec_push(out, p.buf);
        }
        rel_list_release(&l);
        pw_deb822_release(&st);
    }
    pw_buf_release(&p);
    pw_strvec_release(&suites);
    return rc;
}

/* ---- verification ----------------------------------------------------------------------- */

/* The text an OpenPGP cleartext signature covers, as strictly as apt reads it: the armor
 * header first, nothing but whitespace after the signature. */
static int clearsigned_body(const char *text, size_t len, struct pw_buf *out)
{
    static const char begin[] = "-----BEGIN PGP SIGNED MESSAGE-----\n";
    if (len < sizeof(begin) - 1 || memcmp(text, begin, sizeof(begin) - 1))
        return -1;
    size_t p = sizeof(begin) - 1;
    while (p < len && text[p] != '\n') { /* armor headers ("Hash: SHA256") */
        const char *nl = memchr(text + p, '\n', len - p);
        if (!nl)
            return -1;
        p = (size_t)(nl - text) + 1;
    }
    if (p >= len)
        return -1;
    p++;
    for (;;) {
        const char *nl = memchr(text + p, '\n', len - p);
        if (!nl)
            return -1;
        size_t n = (size_t)(nl - (text + p));
        if (n == 29 && !memcmp(text + p, "-----BEGIN PGP SIGNATURE-----", 29))
            break;
        const char *line = text + p;
        if (n >= 2 && line[0] == '-' && line[1] == ' ') {
            line += 2;
            n -= 2;
        }
        pw_buf_add(out, line, n);
        pw_buf_addc(out, '\n');
        p = (size_t)(nl - text) + 1;
    }
    const char *end = memmem(text + p, len - p, "-----END PGP SIGNATURE-----", 27);
    if (!end)
        return -1;
    for (const char *q = end + 27; q < text + len; q++)
        if (*q != '\n' && *q != '\r' && *q != ' ' && *q != '\t')
            return -1;
    return 0;
}

static int read_optional(const char *path, struct pw_buf *out, int *present)
{
    struct pw_err ignored;
    *present = pw_fs_exists(path);
    return *present ? pw_fs_read_file(path, out, &ignored) : 0;
}

/* Reads the suite's Release the way apt does: InRelease first (signature checked), then the
 * Release + Release.gpg pair, which must agree with it. */
static int signed_release(struct pw_repo_verify *v, const char *sdir, const char *suite,
                          struct pw_buf *content, struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT, inrel = PW_BUF_INIT, rel = PW_BUF_INIT, sig = PW_BUF_INIT;
    int has_in, has_rel, has_sig, rc = 0;
    pw_buf_addf(&p, "%s/InRelease", sdir);
    read_optional(p.buf, &inrel, &has_in);
    pw_buf_reset(&p);
    pw_buf_addf(&p, "%s/Release", sdir);
    read_optional(p.buf, &rel, &has_rel);
    pw_buf_reset(&p);
    pw_buf_addf(&p, "%s/Release.gpg", sdir);
    read_optional(p.buf, &sig, &has_sig);
    if (has_in && clearsigned_body(inrel.buf, inrel.len, content) < 0) {
        rc = pw_repo_problem(v, err, PW_E_FORMAT,
                             "suite '%s': InRelease is not a clean clearsigned file", suite);
        goto out;
    }
    if (v->keyring) {
        if (!has_in) {
            rc = pw_repo_problem(v, err, PW_E_SIGNATURE, "suite '%s': no InRelease", suite);
            goto out;
        }
        struct pw_err gerr;
        pw_err_init(&gerr);
        if (pw_gpg_verify(v->keyring, inrel.buf, inrel.len, NULL, 0, NULL, &gerr) < 0)
            rc = pw_repo_problem(v, err, PW_E_SIGNATURE, "suite '%s': InRelease: %s", suite,
                                 gerr.msg);
        if (rc == 0 && has_rel && !has_sig)
            rc = pw_repo_problem(v, err, PW_E_SIGNATURE, "suite '%s': no Release.gpg", suite);
        if (rc == 0 && has_rel && has_sig &&
            pw_gpg_verify(v->keyring, rel.buf, rel.len, sig.buf, sig.len, NULL, &gerr) < 0)
            rc = pw_repo_problem(v, err, PW_E_SIGNATURE, "suite '%s': Release.gpg: %s", suite,
                                 gerr.msg);
        if (rc == 0 && has_sig && strstr(sig.buf, "-----BEGIN PGP SIGNATURE-----") != sig.buf)
            rc = pw_repo_problem(v, err, PW_E_SIGNATURE,
                                 "suite '%s': Release.gpg is not ASCII-armored", suite);
    } else if (!has_in) {
        if (!has_rel)
            rc = pw_repo_problem(v, err, PW_E_FORMAT, "suite '%s': no Release file", suite);
        else
            pw_buf_add(content, rel.buf, rel.len);
    }
    if (rc == 0 && has_in && has_rel &&
        (rel.len != content->len || memcmp(rel.buf, content->buf, rel.len)))
        rc = pw_repo_problem(v, err, PW_E_SIGNATURE,
                             "suite '%s': Release and InRelease differ", suite);
out:
    pw_buf_release(&p);
    pw_buf_release(&inrel);
    pw_buf_release(&rel);
    pw_buf_release(&sig);
    return rc;
}

static int check_dates(struct pw_repo_verify *v, const struct pw_deb822 *st, const char *suite,
                       struct pw_err *err)
{
    const char *date = pw_deb822_get(st, "Date"), *until = pw_deb822_get(st, "Valid-Until");
    int64_t t;
    int rc = 0;
    if (!date || pw_repo_parse_rfc1123(date, &t) < 0)
        rc = pw_repo_problem(v, err, PW_E_FORMAT, "suite '%s': invalid 'Date' entry", suite);
    else if (t > v->now + 10)
        rc = pw_repo_problem(v, err, PW_E_FORMAT,
                             "suite '%s': Release file is not valid yet (Date %s)", suite, date);
    if (rc == 0 && until && pw_repo_parse_rfc1123(until, &t) < 0)
        rc = pw_repo_problem(v, err, PW_E_FORMAT, "suite '%s': invalid 'Valid-Until' entry",
                             suite);
    else if (rc == 0 && until && t < v->now)
        rc = pw_repo_problem(v, err, PW_E_FORMAT, "suite '%s': Release file is expired (%s)",
                             suite, until);
    return rc;
}

static int check_release_fields(struct pw_repo_verify *v, const struct pw_deb822 *st,
                                const char *suite, struct pw_err *err)
{
    const char *s = pw_deb822_get(st, "Suite"), *c = pw_deb822_get(st, "Codename");
    int rc = 0;
    if ((!s || strcmp(s, suite)) && (!c || strcmp(c, suite)))
        rc = pw_repo_problem(v, err, PW_E_FORMAT,
                             "suite '%s': conflicting distribution (Suite '%s', Codename '%s')",
                             suite, s ? s : "", c ? c : "");
    static const char *const needed[] = {"Architectures", "Components", "SHA256"};
    for (size_t i = 0; i < 3 && rc == 0; i++)
        if (!pw_deb822_get(st, needed[i]))
            rc = pw_repo_problem(v, err, PW_E_FORMAT, "suite '%s': Release has no '%s'%s",
                                 suite, needed[i],
                                 i == 2 ? " (only weak security information)" : "");
    return rc < 0 ? rc : check_dates(v, st, suite, err);
}

/* One copy of a listed file: present, with the listed size and hashes. A by-hash copy that is
 * the very file just checked (a hard link) needs no second reading. */
static int check_copy(struct pw_repo_verify *v, const char *suite, const char *sdir,
                      const struct rel_entry *e, const char *path, const struct stat *checked,
                      struct stat *st, struct pw_err *err)
{
    const char *shown = path + strlen(sdir) + 1;
    struct pw_buf data = PW_BUF_INIT;
    struct pw_err ignored;
    int rc = 0;
    if (!pw_repo_safe_relpath(e->path) || stat(path, st) < 0 ||
        pw_fs_read_file(path, &data, &ignored) < 0)
        rc = pw_repo_problem(v, err, PW_E_IO, "suite '%s': '%s' is listed but missing", suite,
                             shown);
    else if (checked && st->st_ino == checked->st_ino && st->st_dev == checked->st_dev)
        rc = 0;
    else {
        /* a staged generation: SHA-256 proves the files hold what was written */
        struct pw_repo_sums s;
        int sha512 = !v->staged || !e->sha256[0];
        pw_repo_sums_buffer(data.buf, data.len,
                            PW_REPO_SUM_SHA256 | (sha512 ? PW_REPO_SUM_SHA512 : 0), &s);
        if (s.size != e->size || (e->sha256[0] && strcmp(s.sha256, e->sha256)) ||
            (sha512 && e->sha512[0] && strcmp(s.sha512, e->sha512)))
            rc = pw_repo_problem(v, err, PW_E_CHECKSUM, "suite '%s': '%s': Hash Sum mismatch",
                                 suite, shown);
        else
            rc = 1; /* verified */
    }
    pw_buf_release(&data);
    return rc;
}

/* Every listed file: present, right size and hashes, and its by-hash copies likewise. */
static int check_listed(struct pw_repo_verify *v, const char *sdir, const char *suite,
                        const struct rel_list *l, int by_hash, struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const struct rel_entry *e = &l->v[i];
        struct stat canonical, st;
        int verified = 0;
        for (int k = 0; k < 3 && rc == 0; k++) {
            const char *hex = k == 1 ? e->sha256 : e->sha512;
            if (k > 0 && (!by_hash || !hex[0]))
                continue;
            pw_buf_reset(&p);
            if (k == 0)
                pw_buf_addf(&p, "%s/%s", sdir, e->path);
            else
                by_hash_path(sdir, e->path, k == 1 ? "SHA256" : "SHA512", hex, &p);
            rc = check_copy(v, suite, sdir, e, p.buf, verified ? &canonical : NULL,
                            k == 0 ? &canonical : &st, err);
            if (k == 0 && rc == 1)
                verified = 1;
            rc = rc < 0 ? rc : 0;
        }
    }
    pw_buf_release(&p);
    return rc;
}

/* apt looks an index up by its uncompressed name and reads any listed compressed variant:
 * all must hold the same text. */
static int load_index(struct pw_repo_verify *v, const char *sdir, const char *suite,
                      const struct rel_list *l, const char *rel, struct pw_buf *text,
                      struct pw_err *err)
{
    const struct rel_entry *plain = rel_find(l, rel);
    if (!plain)
        return pw_repo_problem(v, err, PW_E_FORMAT,
                               "suite '%s': '%s' is not listed in Release (apt: \"does not seem "
                               "to provide it\")", suite, rel);
    static const char *const suffixes[] = {"", ".gz", ".xz", ".zst", ".bz2", ".lzma", ".lz4"};
    struct pw_buf p = PW_BUF_INIT, raw = PW_BUF_INIT, dec = PW_BUF_INIT;
    int rc = 0, have = 0;
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]) && rc == 0; i++) {
        pw_buf_reset(&p);
        pw_buf_addf(&p, "%s%s", rel, suffixes[i]);
        if (!rel_find(l, p.buf))
            continue;
        pw_buf_reset(&p);
        pw_buf_addf(&p, "%s/%s%s", sdir, rel, suffixes[i]);
        pw_buf_reset(&raw);
        pw_buf_reset(&dec);
        struct pw_err ignored;
        if (pw_fs_read_file(p.buf, &raw, &ignored) < 0)
            continue; /* reported by check_listed */
        if (pw_repo_decompress(raw.buf, raw.len, p.buf, &dec, err) < 0) {
            rc = pw_repo_problem(v, err, PW_E_FORMAT, "suite '%s': %s", suite, err->msg);
            continue;
        }
        if (!have) {
            pw_buf_add(text, dec.buf, dec.len);
            have = 1;
        } else if (dec.len != text->len || memcmp(dec.buf, text->buf, dec.len)) {
            rc = pw_repo_problem(v, err, PW_E_CHECKSUM,
                                 "suite '%s': '%s%s' differs from the other compressions", suite,
                                 rel, suffixes[i]);
        }
    }
    if (rc == 0 && !have)
        rc = pw_repo_problem(v, err, PW_E_IO, "suite '%s': no readable '%s'", suite, rel);
    if (rc == 0 && plain->size && !text->len)
        rc = pw_repo_problem(v, err, PW_E_FORMAT, "suite '%s': '%s' is empty", suite, rel);
    pw_buf_release(&p);
    pw_buf_release(&raw);
    pw_buf_release(&dec);
    return have ? rc : (rc < 0 ? rc : 1);
}

struct seen_pkg {
    struct pw_repo_map sums; /* "name version arch" -> its SHA256 (owned by hashes) */
    struct pw_strvec hashes;
};

static int check_stanza(struct pw_repo_verify *v, const struct pw_deb822 *st, const char *where,
                        const char *arch, struct seen_pkg *seen, struct pw_err *err)
{
    static const char *const needed[] = {"Package", "Version", "Architecture", "Filename",
                                         "Size", "SHA256"};
    for (size_t i = 0; i < 6; i++)
        if (!pw_deb822_get(st, needed[i]))
            return pw_repo_problem(v, err, PW_E_FORMAT, "%s: a stanza has no '%s'%s", where,
                                   needed[i], i == 5 ? " (apt refuses unhashed packages)" : "");
    const char *a = pw_deb822_get(st, "Architecture"), *sha = pw_deb822_get(st, "SHA256");
    if (strcmp(a, arch) && strcmp(a, "all"))
        return pw_repo_problem(v, err, PW_E_FORMAT, "%s: '%s' has architecture '%s'", where,
                               pw_deb822_get(st, "Package"), a);
    struct pw_buf key = PW_BUF_INIT;
    pw_buf_addf(&key, "%s %s %s", pw_deb822_get(st, "Package"), pw_deb822_get(st, "Version"), a);
    int rc = 0;
    const char *before = pw_repo_map_get(&seen->sums, key.buf);
    if (before) {
        if (strcmp(before, sha))
            rc = pw_repo_problem(v, err, PW_E_CHECKSUM,
                                 "%s: '%s' is listed twice with different hashes", where,
                                 key.buf);
        goto out;
    }
    pw_strvec_push(&seen->hashes, sha);
    pw_repo_map_add(&seen->sums, key.buf, seen->hashes.v[seen->hashes.n - 1]);
    rc = pw_repo_verify_pool_file(v, pw_deb822_get(st, "Filename"),
                                  strtoull(pw_deb822_get(st, "Size"), NULL, 10), sha,
                                  pw_deb822_get(st, "SHA512"), pw_deb822_get(st, "MD5sum"),
                                  pw_deb822_get(st, "SHA1"), err);
out:
    pw_buf_release(&key);
    return rc;
}

static int check_packages(struct pw_repo_verify *v, const char *where, const char *arch,
                          const struct pw_buf *text, struct seen_pkg *seen, struct pw_err *err)
{
    struct pw_deb822 st;
    pw_deb822_init(&st);
    size_t pos = 0;
    int rc;
    while ((rc = pw_deb822_next(text->buf, text->len, &pos, where, &st, err)) > 0) {
        rc = check_stanza(v, &st, where, arch, seen, err);
        if (rc < 0)
            break;
    }
    if (rc < 0 && v->problem)
        rc = pw_repo_problem(v, err, PW_E_FORMAT, "%s", err->msg);
    pw_deb822_release(&st);
    return rc;
}

static int check_indexes(struct pw_repo_verify *v, const char *sdir, const char *suite,
                         const struct pw_deb822 *st, const struct rel_list *l,
                         struct seen_pkg *seen, struct pw_err *err)
{
    struct pw_strvec comps = PW_STRVEC_INIT, archs = PW_STRVEC_INIT;
    pw_repo_words_split(pw_deb822_get(st, "Components"), &comps);
    pw_repo_words_split(pw_deb822_get(st, "Architectures"), &archs);
    struct pw_buf rel = PW_BUF_INIT, text = PW_BUF_INIT, where = PW_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < comps.n && rc >= 0; i++)
        for (size_t j = 0; j < archs.n && rc >= 0; j++) {
            if (!strcmp(archs.v[j], "all"))
                continue;
            const char *comp = comps.v[i];
            pw_buf_reset(&rel);
            pw_buf_addf(&rel, "%s/binary-%s/Packages", comp, archs.v[j]);
            pw_buf_reset(&text);
            rc = load_index(v, sdir, suite, l, rel.buf, &text, err);
            if (rc != 0)
                continue;
            pw_buf_reset(&where);
            pw_buf_addf(&where, "%s/%s", suite, rel.buf);
            rc = check_packages(v, where.buf, archs.v[j], &text, seen, err);
        }
    pw_strvec_release(&comps);
    pw_strvec_release(&archs);
    pw_buf_release(&rel);
    pw_buf_release(&text);
    pw_buf_release(&where);
    return rc < 0 ? rc : 0;
}

static int verify_suite(struct pw_repo_verify *v, const char *dir, const char *suite,
                        struct seen_pkg *seen, struct pw_err *err)
{
    struct pw_buf sdir = PW_BUF_INIT, content = PW_BUF_INIT;
    struct pw_deb822 st;
    struct rel_list l = {0};
    pw_deb822_init(&st);
    pw_buf_addf(&sdir, "%s/%s", dir, suite);
    size_t before = v->problems;
    int rc = signed_release(v, sdir.buf, suite, &content, err);
    if (rc < 0 || v->problems > before)
        goto out;
    rc = parse_release(content.buf, content.len, suite, &st, &l, err);
    if (rc < 0) {
        rc = pw_repo_problem(v, err, PW_E_FORMAT, "suite '%s': %s", suite, err->msg);
        goto out;
    }
    rc = check_release_fields(v, &st, suite, err);
    const char *abh = pw_deb822_get(&st, "Acquire-By-Hash");
    if (rc == 0)
        rc = check_listed(v, sdir.buf, suite, &l, abh && !strcasecmp(abh, "yes"), err);
    if (rc == 0 && v->staged)
        rc = pw_repo_verify_staged(v, "deb", err);
    else if (rc == 0 && pw_deb822_get(&st, "Components") && pw_deb822_get(&st, "Architectures"))
        rc = check_indexes(v, sdir.buf, suite, &st, &l, seen, err);
out:
    pw_deb822_release(&st);
    rel_list_release(&l);
    pw_buf_release(&sdir);
    pw_buf_release(&content);
    return rc;
}

static int apt_verify(struct pw_repo_verify *v, const char *dir, struct pw_err *err)
{
    struct pw_strvec suites = PW_STRVEC_INIT;
    struct seen_pkg seen = {{NULL, NULL, 0, 0}, PW_STRVEC_INIT};
    find_suites(dir, "", &suites, 0);
    int rc = 0;
    if (!suites.n)
        rc = pw_repo_problem(v, err, PW_E_FORMAT, "'%s' holds no suite", dir);
    for (size_t i = 0; i < suites.n && rc == 0; i++)
        rc = verify_suite(v, dir, suites.v[i], &seen, err);
    pw_strvec_release(&suites);
    pw_repo_map_release(&seen.sums);
    pw_strvec_release(&seen.hashes);
    return rc;
}

const struct pw_repo_family pw_repo_family_apt = {
    "deb", "dists", "pool", apt_probe, PW_REPO_SUM_ALL, apt_read, apt_record, apt_remove, apt_render, apt_verify, apt_referenced,
};
