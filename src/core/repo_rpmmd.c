/* The rpm-md family (REPO/rpm): Packages/X/NAME-VERSION-RELEASE.ARCH.rpm, and per generation
 * repodata/ with hash-named primary, filelists and other (.xml.gz, or .xml.zst) and
 * repomd.xml (+ .asc and .key when signed). Package entries are rendered the way createrepo_c
 * renders them when the package is added, and cached in the index. */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/fs.h"
#include "hash.h"
#include "pkgread.h"
#include "repo_chunk.h"
#include "repo_compress.h"
#include "repo_int.h"
#include "xmlr.h"
#include "xmlw.h"

#define NS_COMMON "http://linux.duke.edu/metadata/common"
#define NS_RPM "http://linux.duke.edu/metadata/rpm"
#define NS_FILELISTS "http://linux.duke.edu/metadata/filelists"
#define NS_OTHER "http://linux.duke.edu/metadata/other"
#define NS_REPO "http://linux.duke.edu/metadata/repo"

static int rpm_probe(const unsigned char *head, size_t len)
{
    return len >= 4 && head[0] == 0xed && head[1] == 0xab && head[2] == 0xee && head[3] == 0xdb;
}

/* ---- entries ---------------------------------------------------------------------------- */

static const char *const dep_elements[PW_RPMDEP_KINDS] = {
    "rpm:provides", "rpm:requires",   "rpm:conflicts",  "rpm:obsoletes",
    "rpm:suggests", "rpm:enhances",   "rpm:recommends", "rpm:supplements"};

static void write_version(struct pw_xmlw *w, const struct pw_rpmhdr *h)
{
    pw_xmlw_open(w, "version");
    pw_xmlw_attr(w, "epoch", h->epoch);
    pw_xmlw_attr(w, "ver", h->version);
    pw_xmlw_attr(w, "rel", h->release);
    pw_xmlw_close(w);
}

static void write_deps(struct pw_xmlw *w, const struct pw_rpmhdr *h)
{
    for (int k = 0; k < PW_RPMDEP_KINDS; k++) {
        const struct pw_rpmdeps *d = &h->deps[k];
        if (!d->n)
            continue;
        pw_xmlw_open(w, dep_elements[k]);
        for (size_t i = 0; i < d->n; i++) {
            const struct pw_rpmdep *e = &d->v[i];
            if (!*e->name)
                continue;
            pw_xmlw_open(w, "rpm:entry");
            pw_xmlw_attr(w, "name", e->name);
            if (e->flags) {
                pw_xmlw_attr(w, "flags", e->flags);
                pw_xmlw_attr(w, "epoch", e->epoch && *e->epoch ? e->epoch : NULL);
                pw_xmlw_attr(w, "ver", e->ver && *e->ver ? e->ver : NULL);
                pw_xmlw_attr(w, "rel", e->rel && *e->rel ? e->rel : NULL);
            }
            if (k == PW_RPMDEP_REQUIRES && e->pre)
                pw_xmlw_attr(w, "pre", "1");
            pw_xmlw_close(w);
        }
        pw_xmlw_close(w);
    }
}

static void write_files(struct pw_xmlw *w, const struct pw_rpmhdr *h, int primary_only)
{
    for (size_t i = 0; i < h->nfiles; i++) {
        const struct pw_rpmfile *f = &h->files[i];
        if (primary_only && !pw_rpm_is_primary_file(f->path))
            continue;
        pw_xmlw_open(w, "file");
        pw_xmlw_attr(w, "type", f->type == 'd' ? "dir" : f->type == 'g' ? "ghost" : NULL);
        pw_xmlw_text(w, f->path);
        pw_xmlw_close(w);
    }
}

static void render_primary(const struct pw_rpmhdr *h, const char *href, const char *sha256,
                           uint64_t size, int64_t mtime, struct pw_buf *out)
{
    struct pw_xmlw w;
    pw_xmlw_init(&w, out, 0);
    pw_xmlw_open(&w, "package");
    pw_xmlw_attr(&w, "type", "rpm");
    pw_xmlw_leaf(&w, "name", h->name);
    pw_xmlw_leaf(&w, "arch", h->arch);
    write_version(&w, h);
    pw_xmlw_open(&w, "checksum");
    pw_xmlw_attr(&w, "type", "sha256");
    pw_xmlw_attr(&w, "pkgid", "YES");
    pw_xmlw_text(&w, sha256);
    pw_xmlw_close(&w);
    pw_xmlw_leaf(&w, "summary", h->summary);
    pw_xmlw_leaf(&w, "description", h->description);
    pw_xmlw_leaf(&w, "packager", h->packager);
    pw_xmlw_leaf(&w, "url", h->url);
    pw_xmlw_open(&w, "time");
    pw_xmlw_attr_int(&w, "file", mtime);
    pw_xmlw_attr_int(&w, "build", h->buildtime);
    pw_xmlw_close(&w);
    pw_xmlw_open(&w, "size");
    pw_xmlw_attr_int(&w, "package", (int64_t)size);
    pw_xmlw_attr_int(&w, "installed", (int64_t)h->installed_size);
    pw_xmlw_attr_int(&w, "archive", (int64_t)h->archive_size);
    pw_xmlw_close(&w);
    pw_xmlw_open(&w, "location");
    pw_xmlw_attr(&w, "href", href);
    pw_xmlw_close(&w);
    pw_xmlw_open(&w, "format");
    pw_xmlw_leaf(&w, "rpm:license", h->license);
    pw_xmlw_leaf(&w, "rpm:vendor", h->vendor);
    pw_xmlw_leaf(&w, "rpm:group", h->group);
    pw_xmlw_leaf(&w, "rpm:buildhost", h->buildhost);
    pw_xmlw_leaf(&w, "rpm:sourcerpm", h->sourcerpm);
    pw_xmlw_open(&w, "rpm:header-range");
    pw_xmlw_attr_int(&w, "start", (int64_t)h->header_start);
    pw_xmlw_attr_int(&w, "end", (int64_t)h->header_end);
    pw_xmlw_close(&w);
    write_deps(&w, h);
    write_files(&w, h, 1);
    pw_xmlw_close(&w);
    pw_xmlw_close(&w);
}

static void open_pkg(struct pw_xmlw *w, const struct pw_rpmhdr *h, const char *sha256)
{
    pw_xmlw_open(w, "package");
    pw_xmlw_attr(w, "pkgid", sha256);
    pw_xmlw_attr(w, "name", h->name);
    pw_xmlw_attr(w, "arch", h->arch);
    write_version(w, h);
}

static void render_filelists(const struct pw_rpmhdr *h, const char *sha256, struct pw_buf *out)
{
    struct pw_xmlw w;
    pw_xmlw_init(&w, out, 0);
    open_pkg(&w, h, sha256);
    write_files(&w, h, 0);
    pw_xmlw_close(&w);
}

static void render_other(const struct pw_rpmhdr *h, const char *sha256, struct pw_buf *out)
{
    struct pw_xmlw w;
    pw_xmlw_init(&w, out, 0);
    open_pkg(&w, h, sha256);
    for (size_t i = 0; i < h->nchanges; i++) {
        pw_xmlw_open(&w, "changelog");
        pw_xmlw_attr(&w, "author", h->changes[i].author);
        pw_xmlw_attr_int(&w, "date", h->changes[i].date);
        pw_xmlw_text(&w, h->changes[i].text);
        pw_xmlw_close(&w);
    }
    pw_xmlw_close(&w);
}

/* ---- adding ----------------------------------------------------------------------------- */

static int check_header(const struct pw_rpmhdr *h, const char *file, struct pw_err *err)
{
    const char *what[] = {"name", "version", "release", "arch"};
    const char *val[] = {h->name, h->version, h->release, h->arch};
    for (int i = 0; i < 4; i++)
        if (!pw_repo_safe_name(val[i], "+-._~^"))
            return pw_err_set(err, PW_E_FORMAT, "'%s': invalid %s '%s'", file, what[i], val[i]);
    return 0;
}

static void rpm_pool_path(const struct pw_rpmhdr *h, struct pw_buf *out)
{
    pw_buf_addf(out, "Packages/%c/%s-%s-%s.%s.rpm", tolower((unsigned char)h->name[0]), h->name,
                h->version, h->release, h->arch);
}

static void nevra(const struct pw_rpmhdr *h, struct pw_buf *out)
{
    pw_buf_addf(out, "rpm %s-%s:%s-%s.%s", h->name, h->epoch, h->version, h->release, h->arch);
}

static struct pw_repo_rec *make_rpm_record(const struct pw_rpmhdr *h, const char *dest,
                                           const struct pw_repo_sums *sums,
                                           const struct stat *st)
{
    struct pw_buf b = PW_BUF_INIT;
    nevra(h, &b);
    struct pw_repo_rec *rec = pw_repo_file_rec("rpm", dest, b.buf, sums, st);
    pw_repo_rec_set(rec, "name", h->name);
    pw_repo_rec_set(rec, "epoch", h->epoch);
    pw_repo_rec_set(rec, "version", h->version);
    pw_repo_rec_set(rec, "release", h->release);
    pw_repo_rec_set(rec, "arch", h->arch);
    pw_buf_reset(&b);
    pw_buf_addf(&b, "%s:%s-%s", h->epoch, h->version, h->release);
    pw_repo_rec_set(rec, "evr", b.buf);
    pw_repo_rec_set_int(rec, "signed", h->signed_pkg);
    pw_repo_rec_set_int(rec, "header_start", (int64_t)h->header_start);
    pw_repo_rec_set_int(rec, "header_end", (int64_t)h->header_end);
    pw_buf_reset(&b);
    render_primary(h, dest, sums->sha256, sums->size, st->st_mtim.tv_sec, &b);
    pw_repo_rec_setn(rec, "primary", b.buf, b.len);
    pw_chunk_keep_sum(rec, "primary");
    pw_buf_reset(&b);
    render_filelists(h, sums->sha256, &b);
    pw_repo_rec_setn(rec, "filelists", b.buf, b.len);
    pw_chunk_keep_sum(rec, "filelists");
    pw_buf_reset(&b);
    render_other(h, sums->sha256, &b);
    pw_repo_rec_setn(rec, "other", b.buf, b.len);
    pw_chunk_keep_sum(rec, "other");
    pw_buf_release(&b);
    return rec;
}

static int rpm_read(const struct pw_repo *r, struct pw_repo_pending *p,
                    const struct pw_repo_sums *sums, const struct stat *st, struct pw_err *err)
{
    struct pw_rpmhdr h;
    pw_rpmhdr_init(&h);
    int rc = pw_pkgread_rpm(p->path, p->bytes, r->o->changelog_limit, &h, err);
    if (rc == 0)
        rc = check_header(&h, p->file, err);
    if (rc == 0) {
        struct pw_buf dest = PW_BUF_INIT;
        rpm_pool_path(&h, &dest);
        p->rec = make_rpm_record(&h, dest.buf, sums, st);
        p->unsigned_pkg = !h.signed_pkg;
        pw_buf_release(&dest);
    }
    pw_rpmhdr_release(&h);
    return rc;
}

static void rpm_record(struct pw_repo *r, struct pw_repo_state *s, struct pw_repo_pending *p)
{
    int added = !pw_repo_db_lookup(&s->db, "path", pw_repo_rec_str(p->rec, "path"));
    const struct pw_repo_rec *rec = p->rec;
    if (added) {
        pw_repo_db_append(&s->db, p->rec);
        p->rec = NULL;
    }
    s->changed |= added;
    if (added && r->sign_key && p->unsigned_pkg && r->o->ctx)
        pw_ctx_warn(r->o->ctx, "'%s' is not signed: dnf and yum with gpgcheck=1 refuse it "
                               "(sign it with 'packwright build --sign-key')", p->file);
    pw_repo_note(r, "%s '%s' %s-%s (%s) in rpm", added ? "added" : "unchanged",
                 pw_repo_rec_str(rec, "name"), pw_repo_rec_str(rec, "version"),
                 pw_repo_rec_str(rec, "release"), pw_repo_rec_str(rec, "arch"));
}

/* NAME=VERSION matches "V", "V-R" or "E:V-R". */
static int rpm_version_matches(const struct pw_repo_rec *rec, const char *want)
{
    const char *v = pw_repo_rec_str(rec, "version"), *rel = pw_repo_rec_str(rec, "release");
    struct pw_buf vr = PW_BUF_INIT, evr = PW_BUF_INIT;
    pw_buf_addf(&vr, "%s-%s", v, rel);
    pw_buf_addf(&evr, "%s:%s-%s", pw_repo_rec_str(rec, "epoch"), v, rel);
    int m = !strcmp(want, v) || !strcmp(want, vr.buf) || !strcmp(want, evr.buf);
    pw_buf_release(&vr);
    pw_buf_release(&evr);
    return m;
}

static int rpm_remove(struct pw_repo *r, struct pw_repo_state *s, const char *name,
                      const char *version, struct pw_err *err)
{
    int count = 0;
    if (r->o->suite) /* suites are an apt notion: the rpm side serves every package */
        return 0;
    for (size_t i = s->db.n; i-- > 0;) {
        struct pw_repo_rec *rec = s->db.recs[i];
        if (strcmp(pw_repo_rec_str(rec, "type"), "rpm") ||
            strcmp(pw_repo_rec_str(rec, "name"), name) ||
            (version && !rpm_version_matches(rec, version)))
            continue;
        pw_repo_note(r, "removed '%s' %s-%s (%s) from rpm", name,
                     pw_repo_rec_str(rec, "version"), pw_repo_rec_str(rec, "release"),
                     pw_repo_rec_str(rec, "arch"));
        pw_repo_db_drop(&s->db, i);
        count++;
    }
    s->changed |= count > 0;
    return count;
}

/* ---- rendering -------------------------------------------------------------------------- */

/* What rendering needs of a package record, picked out in one pass over its fields. */
struct by_path {
    const char *path, *sha256;
    struct pw_chunk_item entry[3]; /* primary, filelists, other */
};

static int cmp_path(const void *a, const void *b)
{
    return strcmp(((const struct by_path *)a)->path, ((const struct by_path *)b)->path);
}

struct md_file {
    const char *type;
    char href[200];
    struct pw_repo_sums z, open;
};

/* Writes one compressed file and records its chunks. */
static int write_md(const char *dir, const char *type, struct pw_chunk_job *job,
                    struct pw_chunk_store *cs, struct md_file *f, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT;
    f->type = type;
    f->open = job->t->sums;
    pw_repo_sums_buffer(job->out.buf, job->out.len, PW_REPO_SUM_SHA256, &f->z);
    snprintf(f->href, sizeof(f->href), "repodata/%s-%s.xml%s", f->z.sha256, type,
             pw_repo_compress_suffix(job->m));
    const char *name = f->href + strlen("repodata/");
    pw_buf_addf(&path, "%s/%s", dir, name);
    int rc = pw_repo_write(path.buf, job->out.buf, job->out.len, err);
    pw_chunk_store_add(cs, name, f->z.sha256, &job->chunks);
    pw_buf_release(&path);
    return rc;
}

/* A run of package entries compressed anew must parse as XML. */
static int validate_entries(const char *text, size_t len, void *arg, struct pw_err *err)
{
    return pw_xml_check_fragment(text, len, (const char *)arg, err);
}

static void leaf_num(struct pw_xmlw *w, const char *name, uint64_t v)
{
    char num[32];
    snprintf(num, sizeof(num), "%" PRIu64, v);
    pw_xmlw_leaf(w, name, num);
}

static void checksum(struct pw_xmlw *w, const char *name, const char *hex)
{
    pw_xmlw_open(w, name);
    pw_xmlw_attr(w, "type", "sha256");
    pw_xmlw_text(w, hex);
    pw_xmlw_close(w);
}

static void repomd_text(int64_t now, const struct md_file *files, size_t n, struct pw_buf *out)
{
    struct pw_xmlw w;
    pw_xmlw_init(&w, out, 0);
    pw_xmlw_declaration(&w);
    pw_xmlw_open(&w, "repomd");
    pw_xmlw_attr(&w, "xmlns", NS_REPO);
    pw_xmlw_attr(&w, "xmlns:rpm", NS_RPM);
    leaf_num(&w, "revision", (uint64_t)now);
    for (size_t i = 0; i < n; i++) {
        pw_xmlw_open(&w, "data");
        pw_xmlw_attr(&w, "type", files[i].type);
        checksum(&w, "checksum", files[i].z.sha256);
        checksum(&w, "open-checksum", files[i].open.sha256);
        pw_xmlw_open(&w, "location");
        pw_xmlw_attr(&w, "href", files[i].href);
        pw_xmlw_close(&w);
        leaf_num(&w, "timestamp", (uint64_t)now);
        leaf_num(&w, "size", files[i].z.size);
        leaf_num(&w, "open-size", files[i].open.size);
        pw_xmlw_close(&w);
    }
    pw_xmlw_close(&w);
}

static int sign_repomd(struct pw_repo *r, const char *dir, const struct pw_buf *repomd,
                       struct pw_err *err)
{
    struct pw_buf sig = PW_BUF_INIT, path = PW_BUF_INIT;
    int rc = pw_repo_sign(r, PW_GPG_DETACHED_ARMOR, repomd->buf, repomd->len, &sig, err);
    pw_buf_addf(&path, "%s/repomd.xml.asc", dir);
    if (rc == 0)
        rc = pw_repo_write(path.buf, sig.buf, sig.len, err);
    if (rc == 0)
        rc = pw_gpg_export(r->sign_key, 1, &sig, err);
    pw_buf_reset(&path);
    pw_buf_addf(&path, "%s/repomd.xml.key", dir); /* where zypper looks for the key */
    if (rc == 0)
        rc = pw_repo_write(path.buf, sig.buf, sig.len, err);
    pw_buf_release(&sig);
    pw_buf_release(&path);
    return rc;
}

static const char *const md_types[3] = {"primary", "filelists", "other"};

/* Fills b from an rpm package record; 0 for other records. */
static int pick(const struct pw_repo_rec *rec, struct by_path *b)
{
    memset(b, 0, sizeof(*b));
    int rpm = 0;
    for (size_t i = 0; i < rec->n; i++) {
        const struct pw_repo_kv *kv = &rec->kv[i];
        const char **text = NULL;
        size_t *len = NULL;
        switch (kv->key[0]) { /* a thousand records of twenty fields: compare little */
        case 't':
            rpm |= !strcmp(kv->key, "type") && !strcmp(kv->val, "rpm");
            break;
        case 's':
            if (!strcmp(kv->key, "sha256"))
                b->sha256 = kv->val;
            break;
        case 'p':
            if (!strcmp(kv->key, "path"))
                b->path = kv->val;
            else if (!strcmp(kv->key, md_types[0]))
                text = &b->entry[0].text, len = &b->entry[0].len;
            break;
        case 'f':
            if (!strcmp(kv->key, md_types[1]))
                text = &b->entry[1].text, len = &b->entry[1].len;
            break;
        case 'o':
            if (!strcmp(kv->key, md_types[2]))
                text = &b->entry[2].text, len = &b->entry[2].len;
            break;
        }
        for (int t = 0; t < 3 && kv->len == 64 && strchr("pfo", kv->key[0]); t++)
            if (!strncmp(kv->key, md_types[t], strlen(md_types[t])) &&
                !strcmp(kv->key + strlen(md_types[t]), "_sum"))
                b->entry[t].sum = kv->val;
        if (text && !*text) {
            *text = kv->val;
            *len = kv->len;
        }
    }
    if (!rpm || !b->path || !b->sha256)
        return 0;
    for (int t = 0; t < 3; t++) {
        if (!b->entry[t].text)
            b->entry[t].text = "";
        b->entry[t].key = b->sha256;
    }
    return 1;
}

/* The head, entries and tail of one of primary, filelists and other (t). */
static void md_text(const struct by_path *recs, size_t n, int t, struct pw_chunk_text *doc)
{
    static const char *const heads[3] = {
        "<metadata xmlns=\"" NS_COMMON "\" xmlns:rpm=\"" NS_RPM "\"",
        "<filelists xmlns=\"" NS_FILELISTS "\"", "<otherdata xmlns=\"" NS_OTHER "\""};
    static const char *const tails[3] = {"</metadata>\n", "</filelists>\n", "</otherdata>\n"};
    struct pw_chunk_item *items = pw_xcalloc(n ? n : 1, sizeof(*items));
    for (size_t i = 0; i < n; i++)
        items[i] = recs[i].entry[t];
    struct pw_buf head = PW_BUF_INIT;
    pw_buf_addf(&head, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n%s packages=\"%zu\">\n",
                heads[t], n);
    pw_chunk_text_build(doc, head.buf, items, n, "", tails[t], PW_REPO_SUM_SHA256);
    doc->validate = validate_entries;
    doc->validate_arg = (void *)md_types[t];
    pw_buf_release(&head);
    free(items);
}

static int write_mds(struct pw_repo *r, struct pw_repo_state *s, const char *dir, const char *prev,
                     struct md_file *files, struct pw_err *err)
{
    struct by_path *recs = pw_xcalloc(s->db.n ? s->db.n : 1, sizeof(*recs));
    size_t n = 0;
    for (size_t i = 0; i < s->db.n; i++) {
        for (int t = 0; t < 3; t++)
            pw_chunk_keep_sum(s->db.recs[i], md_types[t]);
        if (pick(s->db.recs[i], &recs[n]))
            n++;
    }
    qsort(recs, n, sizeof(*recs), cmp_path);
    struct pw_chunk_store cs;
    pw_chunk_store_init(&cs);
    pw_chunk_store_load(&cs, prev);
    enum pw_compress_method m =
        r->rpm_compression == PW_COMPRESS_ZSTD ? PW_COMPRESS_ZSTD : PW_COMPRESS_GZIP;
    struct pw_chunk_text docs[3];
    struct pw_chunk_job jobs[3];
    for (int t = 0; t < 3; t++) {
        pw_chunk_text_init(&docs[t]);
        md_text(recs, n, t, &docs[t]);
        jobs[t] = (struct pw_chunk_job){.t = &docs[t], .m = m, .out = PW_BUF_INIT};
    }
    /* the three files at once: filelists and other are too small to split on their own */
    int rc = pw_chunk_compress_jobs(&cs, jobs, 3, err);
    for (int t = 0; t < 3 && rc == 0; t++)
        rc = write_md(dir, md_types[t], &jobs[t], &cs, &files[t], err);
    for (int t = 0; t < 3; t++) {
        pw_chunk_job_release(&jobs[t]);
        pw_chunk_text_release(&docs[t]);
    }
    if (rc == 0)
        rc = pw_chunk_store_save(&cs, dir, err);
    pw_chunk_store_release(&cs);
    free(recs);
    return rc;
}

static int rpm_render(struct pw_repo *r, struct pw_repo_state *s, const char *dir, const char *prev,
                      struct pw_err *err)
{
    struct md_file files[3];
    int rc = write_mds(r, s, dir, prev, files, err);
    struct pw_buf doc = PW_BUF_INIT, path = PW_BUF_INIT;
    if (rc == 0) {
        repomd_text(r->o->now, files, 3, &doc);
        pw_buf_addf(&path, "%s/repomd.xml", dir);
        rc = pw_repo_write(path.buf, doc.buf, doc.len, err);
    }
    if (rc == 0 && r->sign_key)
        rc = sign_repomd(r, dir, &doc, err);
    pw_buf_release(&doc);
    pw_buf_release(&path);
    return rc;
}

/* ---- verification ----------------------------------------------------------------------- */

struct md_entry {
    const char *type, *href, *checksum, *ctype, *open_checksum, *otype;
    uint64_t size, open_size;
    int has_size, has_open_size;
};

static int parse_repomd(const struct pw_xml_node *root, struct md_entry *out, size_t max,
                        size_t *n)
{
    *n = 0;
    if (strcmp(root->name, "repomd"))
        return -1;
    for (size_t i = 0; i < root->nkids && *n < max; i++) {
        const struct pw_xml_node *d = root->kids[i];
        if (strcmp(d->name, "data"))
            continue;
        struct md_entry *e = &out[(*n)++];
        memset(e, 0, sizeof(*e));
        e->type = pw_xml_attr(d, "type");
        e->href = pw_xml_attr(pw_xml_child(d, "location"), "href");
        e->checksum = pw_xml_child_text(d, "checksum");
        e->ctype = pw_xml_attr(pw_xml_child(d, "checksum"), "type");
        e->open_checksum = pw_xml_child_text(d, "open-checksum");
        e->otype = pw_xml_attr(pw_xml_child(d, "open-checksum"), "type");
        e->has_size = pw_xml_child(d, "size") != NULL;
        e->size = strtoull(pw_xml_child_text(d, "size"), NULL, 10);
        e->has_open_size = pw_xml_child(d, "open-size") != NULL;
        e->open_size = strtoull(pw_xml_child_text(d, "open-size"), NULL, 10);
        if (!e->type || !e->href)
            return -1;
    }
    return 0;
}

/* Metadata locations are relative to the repository root, normally repodata/NAME: while a
 * generation is staged, repodata/ means the staged directory. */
static void md_path(const struct pw_repo_verify *v, const char *dir, const char *href,
                    struct pw_buf *out)
{
    pw_buf_reset(out);
    if (!strncmp(href, "repodata/", 9))
        pw_buf_addf(out, "%s/%s", dir, href + 9);
    else
        pw_buf_addf(out, "%s/%s", v->root, href);
}

static const char *digest_of(const struct pw_repo_sums *s, const char *type)
{
    if (!type || !strcmp(type, "sha256"))
        return s->sha256;
    if (!strcmp(type, "sha512"))
        return s->sha512;
    if (!strcmp(type, "sha") || !strcmp(type, "sha1"))
        return s->sha1;
    if (!strcmp(type, "md5"))
        return s->md5;
    return NULL;
}

static unsigned digest_mask(const char *type)
{
    if (!type || !strcmp(type, "sha256"))
        return PW_REPO_SUM_SHA256;
    if (!strcmp(type, "sha512"))
        return PW_REPO_SUM_SHA512;
    if (!strcmp(type, "sha") || !strcmp(type, "sha1"))
        return PW_REPO_SUM_SHA1;
    return PW_REPO_SUM_MD5;
}

/* The file's size and checksum, then (unless staged: its chunks were checked as they were
 * compressed) its decompressed text against open-size and open-checksum. */
static int check_md_file(struct pw_repo_verify *v, const char *dir, const struct md_entry *e,
                         struct pw_buf *open, struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT, raw = PW_BUF_INIT;
    int rc = 0;
    struct pw_err ignored;
    md_path(v, dir, e->href, &p);
    if (!pw_repo_safe_relpath(e->href) || pw_fs_read_file(p.buf, &raw, &ignored) < 0) {
        rc = pw_repo_problem(v, err, PW_E_IO, "repomd.xml lists '%s', which is missing", e->href);
        goto out;
    }
    struct pw_repo_sums s, os;
    pw_repo_sums_buffer(raw.buf, raw.len, digest_mask(e->ctype), &s);
    const char *got = digest_of(&s, e->ctype);
    if (!got || strcmp(got, e->checksum) || (e->has_size && e->size != s.size)) {
        rc = pw_repo_problem(v, err, PW_E_CHECKSUM, "'%s': checksum doesn't match repomd.xml",
                             e->href);
        goto out;
    }
    if (v->staged)
        goto out;
    if (pw_repo_decompress(raw.buf, raw.len, e->href, open, err) < 0) {
        rc = pw_repo_problem(v, err, PW_E_FORMAT, "%s", err->msg);
        goto out;
    }
    pw_repo_sums_buffer(open->buf, open->len, digest_mask(e->otype), &os);
    got = digest_of(&os, e->otype);
    if ((*e->open_checksum && (!got || strcmp(got, e->open_checksum))) ||
        (e->has_open_size && e->open_size != os.size))
        rc = pw_repo_problem(v, err, PW_E_CHECKSUM,
                             "'%s': open-checksum or open-size doesn't match repomd.xml", e->href);
out:
    pw_buf_release(&p);
    pw_buf_release(&raw);
    return rc;
}

/* rpm:header-range ws-we (as written) against the package's own lead and headers. */
static int check_range(struct pw_repo_verify *v, const char *href, const char *ws, const char *we,
                       struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/%s", v->root, href);
    int fd = open(p.buf, O_RDONLY | O_CLOEXEC);
    pw_buf_release(&p);
    if (fd < 0)
        return 0; /* reported as missing already */
    struct stat st;
    uint64_t start = 0, end = 0;
    struct pw_err e2;
    int rc = fstat(fd, &st) < 0
                 ? -1
                 : pw_rpm_header_range(fd, (uint64_t)st.st_size, &start, &end, NULL, &e2);
    close(fd);
    if (rc < 0 || !ws || !we || strtoull(ws, NULL, 10) != start || strtoull(we, NULL, 10) != end)
        return pw_repo_problem(v, err, PW_E_FORMAT,
                               "'%s': rpm:header-range %s-%s, the package has %" PRIu64 "-%" PRIu64,
                               href, ws ? ws : "?", we ? we : "?", start, end);
    return 0;
}

static int check_header_range(struct pw_repo_verify *v, const char *href,
                              const struct pw_xml_node *pkg, struct pw_err *err)
{
    const struct pw_xml_node *range = pw_xml_child(pw_xml_child(pkg, "format"), "rpm:header-range");
    if (!range)
        return pw_repo_problem(v, err, PW_E_FORMAT, "'%s': no rpm:header-range", href);
    return check_range(v, href, pw_xml_attr(range, "start"), pw_xml_attr(range, "end"), err);
}

static int check_package(struct pw_repo_verify *v, const struct pw_xml_node *pkg,
                         struct pw_repo_map *nevras, struct pw_repo_map *ids, struct pw_err *err)
{
    const struct pw_xml_node *ck = pw_xml_child(pkg, "checksum");
    const char *href = pw_xml_attr(pw_xml_child(pkg, "location"), "href");
    const char *size = pw_xml_attr(pw_xml_child(pkg, "size"), "package");
    const struct pw_xml_node *ver = pw_xml_child(pkg, "version");
    const char *name = pw_xml_child_text(pkg, "name");
    if (!ck || !href || !size || !ver || !*name)
        return pw_repo_problem(v, err, PW_E_FORMAT,
                               "primary: package '%s' lacks checksum, location, size or version",
                               name);
    const char *type = pw_xml_attr(ck, "type");
    if (pw_xml_attr(pkg, "xml:base") || strstr(href, "://"))
        return pw_repo_problem(v, err, PW_E_FORMAT, "'%s': absolute location", href);
    struct pw_buf nevra = PW_BUF_INIT;
    pw_buf_addf(&nevra, "%s-%s:%s-%s.%s", name, pw_xml_attr(ver, "epoch"),
                pw_xml_attr(ver, "ver"), pw_xml_attr(ver, "rel"),
                pw_xml_child_text(pkg, "arch"));
    int rc = 0;
    if (!pw_repo_map_add(nevras, nevra.buf, v))
        rc = pw_repo_problem(v, err, PW_E_FORMAT, "primary: duplicate package %s", nevra.buf);
    pw_repo_map_add(ids, ck->text.buf, v);
    pw_buf_release(&nevra);
    if (rc < 0)
        return rc;
    int sha256 = !type || !strcmp(type, "sha256");
    rc = pw_repo_verify_pool_file(v, href, strtoull(size, NULL, 10),
                                  sha256 ? ck->text.buf : NULL,
                                  type && !strcmp(type, "sha512") ? ck->text.buf : NULL,
                                  type && !strcmp(type, "md5") ? ck->text.buf : NULL,
                                  type && (!strcmp(type, "sha") || !strcmp(type, "sha1"))
                                      ? ck->text.buf
                                      : NULL,
                                  err);
    return rc < 0 ? rc : check_header_range(v, href, pkg, err);
}

static int check_primary(struct pw_repo_verify *v, const struct pw_buf *doc,
                         struct pw_repo_map *ids, struct pw_err *err)
{
    struct pw_xml_node *root;
    if (pw_xml_parse(doc->buf, doc->len, "primary.xml", &root, err) < 0)
        return pw_repo_problem(v, err, PW_E_FORMAT, "%s", err->msg);
    struct pw_repo_map nevras;
    pw_repo_map_init(&nevras);
    size_t count = 0;
    int rc = 0;
    for (size_t i = 0; i < root->nkids && rc == 0; i++)
        if (!strcmp(root->kids[i]->name, "package")) {
            count++;
            rc = check_package(v, root->kids[i], &nevras, ids, err);
        }
    const char *declared = pw_xml_attr(root, "packages");
    if (rc == 0 && (!declared || strtoull(declared, NULL, 10) != count))
        rc = pw_repo_problem(v, err, PW_E_FORMAT, "primary: packages=\"%s\" but %zu listed",
                             declared ? declared : "", count);
    pw_repo_map_release(&nevras);
    pw_xml_free(root);
    return rc;
}

/* filelists and other describe the same packages as primary, by pkgid. */
static int check_secondary(struct pw_repo_verify *v, const char *type, const struct pw_buf *doc,
                           const struct pw_repo_map *ids, struct pw_err *err)
{
    struct pw_xml_node *root;
    if (pw_xml_parse(doc->buf, doc->len, type, &root, err) < 0)
        return pw_repo_problem(v, err, PW_E_FORMAT, "%s", err->msg);
    size_t count = 0;
    int rc = 0;
    for (size_t i = 0; i < root->nkids && rc == 0; i++) {
        if (strcmp(root->kids[i]->name, "package"))
            continue;
        count++;
        const char *id = pw_xml_attr(root->kids[i], "pkgid");
        if (!id || !pw_repo_map_get(ids, id))
            rc = pw_repo_problem(v, err, PW_E_FORMAT, "%s: package '%s' is not in primary",
                                 type, id ? id : "");
    }
    if (rc == 0 && count != ids->n)
        rc = pw_repo_problem(v, err, PW_E_FORMAT, "%s lists %zu packages, primary %zu", type,
                             count, ids->n);
    pw_xml_free(root);
    return rc;
}

static int check_signature(struct pw_repo_verify *v, const char *dir, const struct pw_buf *md,
                           struct pw_err *err)
{
    if (!v->keyring)
        return 0;
    struct pw_buf p = PW_BUF_INIT, sig = PW_BUF_INIT;
    pw_buf_addf(&p, "%s/repomd.xml.asc", dir);
    struct pw_err gerr;
    pw_err_init(&gerr);
    int rc = 0;
    if (pw_fs_read_file(p.buf, &sig, &gerr) < 0)
        rc = pw_repo_problem(v, err, PW_E_SIGNATURE,
                             "repomd.xml.asc is missing (dnf: GPG signature is not available)");
    else if (pw_gpg_verify(v->keyring, md->buf, md->len, sig.buf, sig.len, NULL, &gerr) < 0)
        rc = pw_repo_problem(v, err, PW_E_SIGNATURE, "repomd.xml: %s", gerr.msg);
    pw_buf_release(&p);
    pw_buf_release(&sig);
    return rc;
}

static int rpm_verify(struct pw_repo_verify *v, const char *dir, struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT, md = PW_BUF_INIT, doc = PW_BUF_INIT;
    struct pw_xml_node *root = NULL;
    struct pw_repo_map ids;
    pw_repo_map_init(&ids);
    struct md_entry entries[32];
    size_t n = 0;
    int rc;
    pw_buf_addf(&p, "%s/repomd.xml", dir);
    if (pw_fs_read_file(p.buf, &md, err) < 0) {
        rc = pw_repo_problem(v, err, PW_E_IO, "no repodata/repomd.xml");
        goto out;
    }
    rc = check_signature(v, dir, &md, err);
    if (rc < 0)
        goto out;
    if (pw_xml_parse(md.buf, md.len, "repomd.xml", &root, err) < 0 ||
        parse_repomd(root, entries, 32, &n) < 0) {
        rc = pw_repo_problem(v, err, PW_E_FORMAT, "repomd.xml: %s",
                             root ? "not rpm-md metadata" : err->msg);
        goto out;
    }
    static const char *const needed[] = {"primary", "filelists", "other"};
    const struct md_entry *found[3] = {NULL, NULL, NULL};
    for (size_t i = 0; i < n; i++)
        for (int t = 0; t < 3; t++)
            if (!strcmp(entries[i].type, needed[t]))
                found[t] = &entries[i];
    for (int t = 0; t < 3 && rc == 0; t++)
        if (!found[t])
            rc = pw_repo_problem(v, err, PW_E_FORMAT, "repomd.xml has no '%s' data", needed[t]);
    /* filelists and other are cross-checked against primary by repo check; a staged
     * generation made them from the same records, so its check stops at their checksums */
    struct pw_buf kept[3] = {PW_BUF_INIT, PW_BUF_INIT, PW_BUF_INIT};
    for (size_t i = 0; i < n && rc == 0; i++) {
        pw_buf_reset(&doc);
        size_t before = v->problems;
        rc = check_md_file(v, dir, &entries[i], &doc, err);
        if (rc < 0 || v->problems > before)
            continue;
        for (int t = 1; t < 3; t++)
            if (&entries[i] == found[t] && !v->trusted) {
                struct pw_buf swap = kept[t];
                kept[t] = doc;
                doc = swap;
            }
        if (&entries[i] == found[0] && !v->staged)
            rc = check_primary(v, &doc, &ids, err);
    }
    if (rc == 0 && v->staged)
        rc = pw_repo_verify_staged(v, "rpm", err);
    for (int t = 1; t < 3; t++) {
        if (rc == 0 && kept[t].len)
            rc = check_secondary(v, needed[t], &kept[t], &ids, err);
        pw_buf_release(&kept[t]);
    }
out:
    pw_xml_free(root);
    pw_repo_map_release(&ids);
    pw_buf_release(&p);
    pw_buf_release(&md);
    pw_buf_release(&doc);
    return rc;
}

static int rpm_referenced(const char *dir, struct pw_strvec *out, struct pw_err *err)
{
    struct pw_buf p = PW_BUF_INIT, md = PW_BUF_INIT;
    struct pw_xml_node *root = NULL;
    struct md_entry entries[32];
    size_t n = 0;
    pw_buf_addf(&p, "%s/repomd.xml", dir);
    int rc = pw_fs_read_file(p.buf, &md, err);
    if (rc == 0)
        rc = pw_xml_parse(md.buf, md.len, p.buf, &root, err);
    if (rc == 0 && parse_repomd(root, entries, 32, &n) < 0)
        rc = pw_err_set(err, PW_E_FORMAT, "'%s' is not rpm-md metadata", p.buf);
    for (size_t i = 0; i < n && rc == 0; i++)
        if (!strncmp(entries[i].href, "repodata/", 9) && !strchr(entries[i].href + 9, '/'))
            pw_strvec_push(out, entries[i].href + 9);
    pw_xml_free(root);
    pw_buf_release(&p);
    pw_buf_release(&md);
    return rc;
}

const struct pw_repo_family pw_repo_family_rpmmd = {
    "rpm", "repodata", "Packages", rpm_probe, PW_REPO_SUM_SHA256, rpm_read, rpm_record, rpm_remove, rpm_render, rpm_verify, rpm_referenced,
};
