/* The apt side of a mirror run: InRelease (or Release + Release.gpg) verified with gpgv, its
 * freshness checked, then every Packages index of the chosen components and architectures
 * fetched (by-hash when the upstream offers it), checked against Release and parsed. */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "mirror_int.h"

#define PACKAGES_MAX ((size_t)1 << 31)

struct apt_load {
    struct pw_mirror *m;
    struct pw_apt_release rel;
    struct pw_buf text; /* the signed Release text */
};

static void dists_path(const struct pw_mirror *m, const char *rel, struct pw_buf *out)
{
    pw_buf_reset(out);
    pw_buf_addf(out, "dists/%s/%s", m->o->suite, rel);
}

/* InRelease when there is one (one file: no Release/Release.gpg race), else the pair. */
static int fetch_entry(struct apt_load *l, struct pw_err *err)
{
    struct pw_mirror *m = l->m;
    struct pw_buf path = PW_BUF_INIT;
    dists_path(m, "InRelease", &path);
    int rc = pw_mirror_fetch_small(m, path.buf, 1, &m->entry, err);
    if (rc == 0) {
        rc = pw_mirror_verify_signature(m, path.buf, m->entry.buf, m->entry.len, NULL, 0, err);
        if (rc == 0 && pw_apt_clearsigned_split(m->entry.buf, m->entry.len, &l->text, err) < 0)
            rc = pw_err_prefix(err, "upstream '%s/%s': ", m->url, path.buf);
    } else if (rc == PW_FETCH_MISSING) {
        dists_path(m, "Release", &path);
        rc = pw_mirror_fetch_small(m, path.buf, 0, &m->entry, err);
        dists_path(m, "Release.gpg", &path);
        if (rc == 0)
            rc = pw_mirror_fetch_signature(m, path.buf, err);
        dists_path(m, "Release", &path);
        if (rc == 0)
            rc = pw_mirror_verify_signature(m, path.buf, m->entry.buf, m->entry.len,
                                            m->entry_sig.buf, m->entry_sig.len, err);
        if (rc == 0)
            pw_buf_add(&l->text, m->entry.buf, m->entry.len);
    }
    pw_buf_release(&path);
    return rc;
}

static int check_fresh(struct apt_load *l, struct pw_err *err)
{
    struct pw_mirror *m = l->m;
    const struct pw_apt_release *r = &l->rel;
    if (r->valid_until && m->o->now > r->valid_until)
        return pw_err_set(err, PW_E_SIGNATURE,
                          "upstream '%s' suite '%s': Release expired (Valid-Until is %lld seconds "
                          "ago)",
                          m->url, m->o->suite, (long long)(m->o->now - r->valid_until));
    struct pw_buf url = PW_BUF_INIT, date = PW_BUF_INIT;
    pw_mirror_state_get(m, "url", &url);
    pw_mirror_state_get(m, "date", &date);
    long long before = date.len ? strtoll(date.buf, NULL, 10) : 0;
    int same_upstream = !strcmp(url.buf, m->url);
    pw_buf_release(&url);
    pw_buf_release(&date);
    if (same_upstream && r->date && before && r->date < before)
        return pw_err_set(err, PW_E_SIGNATURE,
                          "upstream '%s' suite '%s': Release is older than the one mirrored "
                          "before (Date %lld < %lld); refusing a downgrade",
                          m->url, m->o->suite, (long long)r->date, before);
    m->upstream_date = r->date;
    const char *last = strrchr(m->o->suite, '/');
    last = last ? last + 1 : m->o->suite;
    if ((!r->suite || strcmp(r->suite, last)) && (!r->codename || strcmp(r->codename, last)))
        pw_ctx_warn(m->o->ctx, "upstream '%s': Release of suite '%s' names itself '%s' (%s)",
                    m->url, m->o->suite, r->suite ? r->suite : "", r->codename ? r->codename : "");
    return 0;
}

/* The requested names (or all the Release offers, minus those in skip) into out; each must be
 * in offered when the Release lists any. */
static int resolve_list(const struct pw_mirror *m, const struct pw_strvec *want,
                        const struct pw_strvec *offered, const char *what, const char *skip,
                        struct pw_strvec *out, struct pw_err *err)
{
    if (want && want->n) {
        for (size_t i = 0; i < want->n; i++) {
            if (offered->n && !pw_strvec_contains(offered, want->v[i]))
                return pw_err_set(err, PW_E_FAIL, "upstream '%s' suite '%s' has no %s '%s'", m->url,
                                  m->o->suite, what, want->v[i]);
            pw_strvec_push(out, want->v[i]);
        }
        return 0;
    }
    for (size_t i = 0; i < offered->n; i++)
        if (!skip || strcmp(offered->v[i], skip))
            pw_strvec_push(out, offered->v[i]);
    if (!out->n)
        return pw_err_set(err, PW_E_FAIL, "upstream '%s' suite '%s' lists no %s; name them", m->url,
                          m->o->suite, what);
    return 0;
}

/* The best listed variant of COMP/binary-ARCH/Packages; NULL when Release lists none. */
static const struct pw_apt_relfile *pick_index(const struct pw_apt_release *r, const char *base)
{
    static const char *const ext[] = {".xz", ".zst", ".gz", ".bz2", ".lzma", ""};
    struct pw_buf b = PW_BUF_INIT;
    const struct pw_apt_relfile *f = NULL;
    for (size_t i = 0; !f && i < sizeof(ext) / sizeof(ext[0]); i++) {
        pw_buf_reset(&b);
        pw_buf_addf(&b, "%s%s", base, ext[i]);
        f = pw_apt_release_find(r, b.buf);
        if (f && f->size == 0 && ext[i][0]) /* a compressed file is never empty */
            f = NULL;
    }
    pw_buf_release(&b);
    return f;
}

static void by_hash_path(const struct pw_mirror *m, const struct pw_apt_relfile *f,
                         struct pw_buf *out)
{
    const char *slash = strrchr(f->path, '/');
    pw_buf_reset(out);
    pw_buf_addf(out, "dists/%s/%.*s%sby-hash/%s/%s", m->o->suite,
                slash ? (int)(slash - f->path) : 0, f->path, slash ? "/" : "",
                f->algo == PW_HASH_SHA512 ? "SHA512" : "SHA256", f->digest);
}

/* Checks the decompressed text against the uncompressed entry of Release, when listed. */
static int check_plain(const struct pw_apt_relfile *plain, const struct pw_buf *text,
                       const char *url, struct pw_err *err)
{
    if (!plain)
        return 0;
    unsigned char md[PW_HASH_MAX_LEN];
    char hex[2 * PW_HASH_MAX_LEN + 1];
    pw_hash_buffer(plain->algo, text->buf, text->len, md);
    pw_hex(md, pw_hash_len(plain->algo), hex);
    if (text->len != plain->size || strcmp(hex, plain->digest))
        return pw_err_set(err, PW_E_CHECKSUM,
                          "'%s' decompressed does not match the signed %s of '%s'", url,
                          pw_hash_name(plain->algo), plain->path);
    return 0;
}

static int load_index(struct apt_load *l, const char *comp, const char *arch, size_t origin,
                      struct pw_err *err)
{
    struct pw_mirror *m = l->m;
    struct pw_buf base = PW_BUF_INIT, rel = PW_BUF_INIT, hashed = PW_BUF_INIT, file = PW_BUF_INIT,
                  text = PW_BUF_INIT;
    pw_buf_addf(&base, "%s/binary-%s/Packages", comp, arch);
    const struct pw_apt_relfile *f = pick_index(&l->rel, base.buf);
    const struct pw_apt_relfile *plain = pw_apt_release_find(&l->rel, base.buf);
    int rc = 0;
    if (!f) {
        if (strcmp(arch, "all"))
            pw_ctx_warn(m->o->ctx, "upstream '%s' suite '%s' has no index '%s'", m->url,
                        m->o->suite, base.buf);
        goto out;
    }
    dists_path(m, f->path, &rel);
    if (l->rel.acquire_by_hash)
        by_hash_path(m, f, &hashed);
    rc = pw_mirror_fetch_index(m, rel.buf, hashed.len ? hashed.buf : NULL, f->size, f->algo,
                               f->digest, &file, err);
    if (rc == 0)
        rc = pw_mirror_read_all(file.buf, plain ? plain->size : PACKAGES_MAX, &text, err);
    pw_mirror_url(m, rel.buf, &hashed);
    if (rc == 0)
        rc = check_plain(plain, &text, hashed.buf, err);
    size_t first = m->pkgs.n;
    if (rc == 0 && (rc = pw_apt_packages_parse(text.buf, text.len, &m->pkgs, err)) < 0)
        pw_err_prefix(err, "upstream '%s': ", hashed.buf);
    for (size_t i = first; i < m->pkgs.n; i++)
        m->pkgs.v[i].origin = origin;
out:
    pw_buf_release(&base);
    pw_buf_release(&rel);
    pw_buf_release(&hashed);
    pw_buf_release(&file);
    pw_buf_release(&text);
    return rc;
}

static int load_indexes(struct apt_load *l, struct pw_err *err)
{
    struct pw_mirror *m = l->m;
    int rc =
        resolve_list(m, m->o->components, &l->rel.components, "component", NULL, &m->origins, err);
    if (rc == 0)
        rc = resolve_list(m, m->o->archs, &l->rel.architectures, "architecture", "all", &m->archs,
                          err);
    for (size_t c = 0; rc == 0 && c < m->origins.n; c++) {
        for (size_t a = 0; rc == 0 && a < m->archs.n; a++)
            rc = load_index(l, m->origins.v[c], m->archs.v[a], c, err);
        if (rc == 0 && pw_strvec_contains(&l->rel.architectures, "all"))
            rc = load_index(l, m->origins.v[c], "all", c, err);
    }
    return rc;
}

static int apt_load(struct pw_mirror *m, struct pw_err *err)
{
    struct apt_load l;
    memset(&l, 0, sizeof(l));
    l.m = m;
    pw_apt_release_init(&l.rel);
    pw_buf_init(&l.text);
    int rc = fetch_entry(&l, err);
    if (rc == 0 && pw_apt_release_parse(l.text.buf, l.text.len, &l.rel, err) < 0)
        rc = pw_err_prefix(err, "upstream '%s' suite '%s': ", m->url, m->o->suite);
    if (rc == 0)
        rc = check_fresh(&l, err);
    if (rc == 0)
        rc = load_indexes(&l, err);
    pw_apt_release_release(&l.rel);
    pw_buf_release(&l.text);
    return rc;
}

const struct pw_mirror_family pw_mirror_family_apt = {"deb", apt_load, NULL};
