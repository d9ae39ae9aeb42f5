/* .rpm header reading with librpm (the only librpm user on the repository side). The header
 * range is computed by hand from the lead and the header intros, the main header is imported
 * with headerImport, and the dependency lists are filtered as createrepo_c filters them so that
 * dnf, yum and tdnf see what they expect. */
#include "pkgread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rpm/header.h>
#include <rpm/rpmds.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>
#include <rpm/rpmver.h>

#define RPM_LEAD_SIZE 96
#define RPM_HEADER_MAX (256u << 20) /* rpm's own limit on a header */

void pw_rpmhdr_init(struct pw_rpmhdr *h)
{
    memset(h, 0, sizeof(*h));
}

static void deps_release(struct pw_rpmdeps *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].name);
        free(d->v[i].epoch);
        free(d->v[i].ver);
        free(d->v[i].rel);
    }
    free(d->v);
}

void pw_rpmhdr_release(struct pw_rpmhdr *h)
{
    char **strs[] = {&h->name,    &h->arch,      &h->epoch,   &h->version,   &h->release,
                     &h->summary, &h->description, &h->packager, &h->url,     &h->license,
                     &h->vendor,  &h->group,     &h->buildhost, &h->sourcerpm};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        free(*strs[i]);
    for (int k = 0; k < PW_RPMDEP_KINDS; k++)
        deps_release(&h->deps[k]);
    for (size_t i = 0; i < h->nfiles; i++)
        free(h->files[i].path);
    free(h->files);
    for (size_t i = 0; i < h->nchanges; i++) {
        free(h->changes[i].author);
        free(h->changes[i].text);
    }
    free(h->changes);
    pw_rpmhdr_init(h);
}

int pw_rpm_is_primary_file(const char *path)
{
    return !strncmp(path, "/etc/", 5) || strstr(path, "bin/") ||
           !strcmp(path, "/usr/lib/sendmail");
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

static const unsigned char header_magic[4] = {0x8e, 0xad, 0xe8, 0x01};

/* Signature tags whose presence means "signed with OpenPGP": DSA/RSA header signatures (RSA
 * and EdDSA keys), the legacy PGP/GPG ones and rpm 4.20's OPENPGP tag. */
static int is_openpgp_sigtag(uint32_t tag)
{
    return tag == RPMSIGTAG_DSA || tag == RPMSIGTAG_RSA || tag == RPMSIGTAG_PGP ||
           tag == RPMSIGTAG_GPG || tag == 278;
}

/* The lead, the signature header and the main header's intro normally sit in the first few
 * kilobytes: one read covers them. */
#define HEAD_READ 16384

/* An rpm's bytes: the first len in memory, the rest read from fd (opened from path on first
 * need when fd < 0). */
struct rpm_src {
    const unsigned char *head;
    size_t len;
    uint64_t size;
    int fd;
    int own_fd;
    const char *path;
};

static int src_read(struct rpm_src *s, void *dst, size_t n, uint64_t off)
{
    if (off + n <= s->len) {
        memcpy(dst, s->head + off, n);
        return 0;
    }
    if (s->fd < 0 && s->path) {
        s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
        s->own_fd = s->fd >= 0;
    }
    return s->fd < 0 ? -1 : pread_all(s->fd, dst, n, off);
}

static const unsigned char *src_at(struct rpm_src *s, uint64_t off, size_t n, unsigned char *spill)
{
    if (off + n <= s->len)
        return s->head + off;
    return src_read(s, spill, n, off) < 0 ? NULL : spill;
}

/* n bytes at off: where they lie in memory, else read into *owned (the caller frees it). */
static const unsigned char *src_blob(struct rpm_src *s, uint64_t off, size_t n, void **owned)
{
    *owned = NULL;
    if (off + n <= s->len)
        return s->head + off;
    *owned = pw_xmalloc(n ? n : 1);
    return src_read(s, *owned, n, off) < 0 ? NULL : *owned;
}

static void src_close(struct rpm_src *s)
{
    if (s->own_fd)
        close(s->fd);
}

static int header_range(struct rpm_src *src, uint64_t *start, uint64_t *end, int *signed_pkg,
                        struct pw_err *err)
{
    unsigned char spill[RPM_LEAD_SIZE + 16];
    const unsigned char *lead =
        src->size < RPM_LEAD_SIZE + 16 ? NULL : src_at(src, 0, RPM_LEAD_SIZE + 16, spill);
    if (!lead || be32(lead) != 0xedabeedb || memcmp(lead + RPM_LEAD_SIZE, header_magic, 3))
        return pw_err_set(err, PW_E_FORMAT, "not an rpm package (bad lead)");
    uint64_t sil = be32(lead + RPM_LEAD_SIZE + 8), sdl = be32(lead + RPM_LEAD_SIZE + 12);
    uint64_t sigsize = 16 * sil + sdl;
    uint64_t s = RPM_LEAD_SIZE + 16 + sigsize + (8 - sigsize % 8) % 8;
    const unsigned char *intro =
        sigsize > RPM_HEADER_MAX || s + 16 > src->size ? NULL : src_at(src, s, 16, spill);
    if (!intro || memcmp(intro, header_magic, 3))
        return pw_err_set(err, PW_E_FORMAT, "not an rpm package (bad header)");
    uint64_t e = s + 16 + 16 * (uint64_t)be32(intro + 8) + be32(intro + 12);
    if (e - s > RPM_HEADER_MAX || e > src->size)
        return pw_err_set(err, PW_E_FORMAT, "not an rpm package (truncated header)");
    if (signed_pkg) {
        *signed_pkg = 0;
        for (uint64_t i = 0; i < sil; i++) {
            const unsigned char *entry = src_at(src, RPM_LEAD_SIZE + 16 + i * 16, 16, spill);
            if (!entry)
                return pw_err_set(err, PW_E_FORMAT, "not an rpm package (truncated signature)");
            if (is_openpgp_sigtag(be32(entry)))
                *signed_pkg = 1;
        }
    }
    *start = s;
    *end = e;
    return 0;
}

int pw_rpm_header_range(int fd, uint64_t file_size, uint64_t *start, uint64_t *end, int *signed_pkg,
                        struct pw_err *err)
{
    unsigned char buf[HEAD_READ];
    size_t len = file_size < HEAD_READ ? (size_t)file_size : HEAD_READ;
    struct rpm_src src = {buf, len, file_size, fd, 0, NULL};
    if (pread_all(fd, buf, len, 0) < 0)
        return pw_err_set(err, PW_E_FORMAT, "not an rpm package (bad lead)");
    return header_range(&src, start, end, signed_pkg, err);
}

static char *get_str(Header hdr, rpmTagVal tag)
{
    const char *s = headerGetString(hdr, tag);
    return pw_xstrdup(s ? s : "");
}

static uint64_t get_num(Header hdr, rpmTagVal tag)
{
    struct rpmtd_s td;
    uint64_t v = 0;
    if (headerGet(hdr, tag, &td, HEADERGET_MINMEM | HEADERGET_EXT)) {
        v = rpmtdGetNumber(&td);
        rpmtdFreeData(&td);
    }
    return v;
}

static const char *flag_name(uint64_t flags)
{
    switch (flags & (RPMSENSE_LESS | RPMSENSE_GREATER | RPMSENSE_EQUAL)) {
    case RPMSENSE_LESS: return "LT";
    case RPMSENSE_GREATER: return "GT";
    case RPMSENSE_EQUAL: return "EQ";
    case RPMSENSE_LESS | RPMSENSE_EQUAL: return "LE";
    case RPMSENSE_GREATER | RPMSENSE_EQUAL: return "GE";
    }
    return NULL;
}

/* "E:V-R" into its parts the way createrepo_c splits it; 0 when the epoch is not a number
 * (createrepo_c skips such a dependency). */
static int split_evr(const char *s, struct pw_rpmdep *d)
{
    if (!s || !*s)
        return 1;
    const char *colon = strchr(s, ':');
    const char *v = s;
    if (colon) {
        for (const char *p = s; p < colon; p++)
            if (*p < '0' || *p > '9')
                return 0;
        d->epoch = colon > s ? pw_xstrndup(s, (size_t)(colon - s)) : pw_xstrdup("0");
        v = colon + 1;
    } else {
        d->epoch = pw_xstrdup("0");
    }
    const char *dash = strchr(v, '-');
    if (dash) {
        d->ver = pw_xstrndup(v, (size_t)(dash - v));
        if (dash[1])
            d->rel = pw_xstrdup(dash + 1);
    } else {
        d->ver = pw_xstrdup(v);
    }
    return 1;
}

static struct pw_rpmdep *deps_push(struct pw_rpmdeps *d)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->v = pw_xrealloc(d->v, d->cap * sizeof(*d->v));
    }
    struct pw_rpmdep *x = &d->v[d->n++];
    memset(x, 0, sizeof(*x));
    return x;
}

static void dep_free(struct pw_rpmdep *d)
{
    free(d->name);
    free(d->epoch);
    free(d->ver);
    free(d->rel);
    memset(d, 0, sizeof(*d));
}

struct raw_dep {
    const char *name;
    uint64_t flags;
    const char *version;
};

static int raw_same(const struct raw_dep *a, const struct raw_dep *b)
{
    return !strcmp(a->name, b->name) && flag_name(a->flags) == flag_name(b->flags) &&
           !strcmp(a->version ? a->version : "", b->version ? b->version : "");
}

static int has_file(const struct pw_rpmhdr *h, const char *path)
{
    for (size_t i = 0; i < h->nfiles; i++)
        if (!strcmp(h->files[i].path, path))
            return 1;
    return 0;
}

/* libc.so.6(GLIBC_2.x) ordering of createrepo_c: compares the first version-looking part
 * inside the parentheses. Returns >0 when b is the higher one. */
static int libc_b_higher(const char *a, const char *b)
{
    const char *pa = strchr(a, '('), *pb = strchr(b, '(');
    if (!pa || !pb)
        return !pa && pb;
    const char *ea = strchr(pa, ')'), *eb = strchr(pb, ')');
    if (!ea || !eb)
        return !eb ? 0 : !ea;
    pa++;
    pb++;
    if (pa == ea || pb == eb)
        return pa == ea && pb != eb;
    while (*pa && (*pa < '0' || *pa > '9'))
        pa++;
    while (*pb && (*pb < '0' || *pb > '9'))
        pb++;
    if (pa > ea || pb > eb)
        return pa > ea && pb <= eb;
    char *va = pw_xstrndup(pa, (size_t)(ea - pa)), *vb = pw_xstrndup(pb, (size_t)(eb - pb));
    int r = rpmvercmp(va, vb) < 0;
    free(va);
    free(vb);
    return r;
}

static const rpmTagVal dep_tags[PW_RPMDEP_KINDS][3] = {
    {RPMTAG_PROVIDENAME, RPMTAG_PROVIDEFLAGS, RPMTAG_PROVIDEVERSION},
    {RPMTAG_REQUIRENAME, RPMTAG_REQUIREFLAGS, RPMTAG_REQUIREVERSION},
    {RPMTAG_CONFLICTNAME, RPMTAG_CONFLICTFLAGS, RPMTAG_CONFLICTVERSION},
    {RPMTAG_OBSOLETENAME, RPMTAG_OBSOLETEFLAGS, RPMTAG_OBSOLETEVERSION},
    {RPMTAG_SUGGESTNAME, RPMTAG_SUGGESTFLAGS, RPMTAG_SUGGESTVERSION},
    {RPMTAG_ENHANCENAME, RPMTAG_ENHANCEFLAGS, RPMTAG_ENHANCEVERSION},
    {RPMTAG_RECOMMENDNAME, RPMTAG_RECOMMENDFLAGS, RPMTAG_RECOMMENDVERSION},
    {RPMTAG_SUPPLEMENTNAME, RPMTAG_SUPPLEMENTFLAGS, RPMTAG_SUPPLEMENTVERSION},
};

struct raw_list {
    struct raw_dep *v;
    size_t n;
    struct rpmtd_s names, flags, versions;
};

static void raw_load(Header hdr, int kind, struct raw_list *l)
{
    memset(l, 0, sizeof(*l));
    headerGetFlags hf = HEADERGET_MINMEM;
    if (!headerGet(hdr, dep_tags[kind][0], &l->names, hf))
        return;
    headerGet(hdr, dep_tags[kind][1], &l->flags, hf);
    headerGet(hdr, dep_tags[kind][2], &l->versions, hf);
    size_t n = rpmtdCount(&l->names);
    l->v = pw_xcalloc(n ? n : 1, sizeof(*l->v));
    for (size_t i = 0; i < n; i++) {
        rpmtdSetIndex(&l->names, (int)i);
        l->v[i].name = rpmtdGetString(&l->names);
        if (rpmtdSetIndex(&l->flags, (int)i) >= 0)
            l->v[i].flags = rpmtdGetNumber(&l->flags);
        if (rpmtdSetIndex(&l->versions, (int)i) >= 0)
            l->v[i].version = rpmtdGetString(&l->versions);
        if (!l->v[i].name)
            l->v[i].name = "";
    }
    l->n = n;
}

static void raw_free(struct raw_list *l)
{
    free(l->v);
    rpmtdFreeData(&l->names);
    rpmtdFreeData(&l->flags);
    rpmtdFreeData(&l->versions);
}

static int provided(const struct raw_list *prov, const struct raw_dep *d)
{
    for (size_t i = 0; i < prov->n; i++)
        if (raw_same(&prov->v[i], d))
            return 1;
    return 0;
}

static int skip_require(const struct pw_rpmhdr *h, const struct raw_list *prov,
                        const struct raw_list *req, size_t i, int pre)
{
    const struct raw_dep *d = &req->v[i];
    if (!strncmp(d->name, "rpmlib(", 7))
        return 1;
    if (d->name[0] == '/' && pw_rpm_is_primary_file(d->name) && has_file(h, d->name))
        return 1;
    if (provided(prov, d))
        return 1;
    /* a duplicate of the last kept require with the same name */
    for (size_t j = i; j-- > 0;) {
        const struct raw_dep *o = &req->v[j];
        if (strcmp(o->name, d->name))
            continue;
        int opre = (o->flags & (RPMSENSE_PREREQ | RPMSENSE_SCRIPT_PRE | RPMSENSE_SCRIPT_POST)) != 0;
        return raw_same(o, d) && opre == pre;
    }
    return 0;
}

static void load_deps(Header hdr, struct pw_rpmhdr *h)
{
    struct raw_list prov;
    raw_load(hdr, PW_RPMDEP_PROVIDES, &prov);
    for (int k = 0; k < PW_RPMDEP_KINDS; k++) {
        struct raw_list own, *l = &own;
        if (k == PW_RPMDEP_PROVIDES)
            l = &prov;
        else
            raw_load(hdr, k, &own);
        struct pw_rpmdep libc = {0};
        for (size_t i = 0; i < l->n; i++) {
            const struct raw_dep *d = &l->v[i];
            int pre = 0;
            if (k == PW_RPMDEP_REQUIRES) {
                pre = (d->flags & (RPMSENSE_PREREQ | RPMSENSE_SCRIPT_PRE |
                                   RPMSENSE_SCRIPT_POST)) != 0;
                if (skip_require(h, &prov, l, i, pre))
                    continue;
            }
            struct pw_rpmdep x = {0};
            if (!split_evr(d->version, &x)) {
                dep_free(&x);
                continue;
            }
            x.name = pw_xstrdup(d->name);
            x.flags = flag_name(d->flags);
            x.pre = pre;
            if (k == PW_RPMDEP_REQUIRES && !strncmp(x.name, "libc.so.6", 9)) {
                if (!libc.name || libc_b_higher(libc.name, x.name)) {
                    dep_free(&libc);
                    libc = x;
                } else {
                    dep_free(&x);
                }
                continue;
            }
            *deps_push(&h->deps[k]) = x;
        }
        if (libc.name)
            *deps_push(&h->deps[k]) = libc;
        if (k != PW_RPMDEP_PROVIDES)
            raw_free(&own);
    }
    raw_free(&prov);
}

static void load_files(Header hdr, struct pw_rpmhdr *h)
{
    struct rpmtd_s names, modes, flags;
    headerGetFlags hf = HEADERGET_MINMEM | HEADERGET_EXT;
    if (!headerGet(hdr, RPMTAG_FILENAMES, &names, hf))
        return;
    headerGet(hdr, RPMTAG_FILEMODES, &modes, HEADERGET_MINMEM);
    headerGet(hdr, RPMTAG_FILEFLAGS, &flags, HEADERGET_MINMEM);
    size_t n = rpmtdCount(&names);
    h->files = pw_xcalloc(n ? n : 1, sizeof(*h->files));
    for (size_t i = 0; i < n; i++) {
        rpmtdSetIndex(&names, (int)i);
        const char *p = rpmtdGetString(&names);
        uint64_t mode = rpmtdSetIndex(&modes, (int)i) >= 0 ? rpmtdGetNumber(&modes) : 0;
        uint64_t fl = rpmtdSetIndex(&flags, (int)i) >= 0 ? rpmtdGetNumber(&flags) : 0;
        h->files[i].path = pw_xstrdup(p ? p : "");
        h->files[i].type = S_ISDIR(mode) ? 'd' : (fl & RPMFILE_GHOST) ? 'g' : 'f';
    }
    h->nfiles = n;
    rpmtdFreeData(&names);
    rpmtdFreeData(&modes);
    rpmtdFreeData(&flags);
}

/* createrepo_c keeps the first `limit` entries (the newest), writes them oldest first, and
 * nudges equal timestamps apart so that each entry has its own date. */
static void load_changelog(Header hdr, int limit, struct pw_rpmhdr *h)
{
    struct rpmtd_s times, names, texts;
    headerGetFlags hf = HEADERGET_MINMEM;
    if (limit <= 0 || !headerGet(hdr, RPMTAG_CHANGELOGTIME, &times, hf))
        return;
    headerGet(hdr, RPMTAG_CHANGELOGNAME, &names, hf);
    headerGet(hdr, RPMTAG_CHANGELOGTEXT, &texts, hf);
    size_t n = rpmtdCount(&times);
    if (n > (size_t)limit)
        n = (size_t)limit;
    if ((size_t)rpmtdCount(&names) < n || (size_t)rpmtdCount(&texts) < n)
        n = 0;
    struct pw_rpmchange *c = pw_xcalloc(n ? n : 1, sizeof(*c));
    int64_t last = 0;
    for (size_t i = 0; i < n; i++) {
        rpmtdSetIndex(&times, (int)i);
        rpmtdSetIndex(&names, (int)i);
        rpmtdSetIndex(&texts, (int)i);
        const char *a = rpmtdGetString(&names), *t = rpmtdGetString(&texts);
        c[i].date = (int64_t)rpmtdGetNumber(&times);
        c[i].author = pw_xstrdup(a ? a : "");
        c[i].text = pw_xstrdup(t ? t : "");
        for (size_t l = strlen(c[i].author); l > 1 && c[i].author[l - 1] == ' '; l--)
            c[i].author[l - 1] = '\0';
        if (i > 0 && c[i].date == last) {
            int64_t t0 = c[i].date;
            for (size_t j = i; j-- > 0 && c[j].date == t0; t0++)
                c[j].date++;
        } else {
            last = c[i].date;
        }
    }
    h->changes = pw_xcalloc(n ? n : 1, sizeof(*h->changes));
    for (size_t i = 0; i < n; i++)
        h->changes[i] = c[n - 1 - i];
    h->nchanges = n;
    free(c);
    rpmtdFreeData(&times);
    rpmtdFreeData(&names);
    rpmtdFreeData(&texts);
}

static void load_strings(Header hdr, struct pw_rpmhdr *h)
{
    h->name = get_str(hdr, RPMTAG_NAME);
    h->arch = headerIsSource(hdr) ? pw_xstrdup("src") : get_str(hdr, RPMTAG_ARCH);
    char epoch[32];
    snprintf(epoch, sizeof(epoch), "%llu", (unsigned long long)get_num(hdr, RPMTAG_EPOCH));
    h->epoch = pw_xstrdup(epoch);
    h->version = get_str(hdr, RPMTAG_VERSION);
    h->release = get_str(hdr, RPMTAG_RELEASE);
    h->summary = get_str(hdr, RPMTAG_SUMMARY);
    h->description = get_str(hdr, RPMTAG_DESCRIPTION);
    h->packager = get_str(hdr, RPMTAG_PACKAGER);
    h->url = get_str(hdr, RPMTAG_URL);
    h->license = get_str(hdr, RPMTAG_LICENSE);
    h->vendor = get_str(hdr, RPMTAG_VENDOR);
    h->group = get_str(hdr, RPMTAG_GROUP);
    h->buildhost = get_str(hdr, RPMTAG_BUILDHOST);
    h->sourcerpm = get_str(hdr, RPMTAG_SOURCERPM);
    h->buildtime = (int64_t)get_num(hdr, RPMTAG_BUILDTIME);
    h->installed_size = get_num(hdr, RPMTAG_LONGSIZE);
    h->archive_size = get_num(hdr, RPMTAG_LONGARCHIVESIZE);
}

static int import_header(struct rpm_src *src, struct pw_rpmhdr *h, Header *out, const char *path,
                         struct pw_err *err)
{
    size_t blen = (size_t)(h->header_end - h->header_start - 8);
    void *owned;
    const unsigned char *blob = src_blob(src, h->header_start + 8, blen, &owned);
    if (!blob) {
        int e = errno;
        free(owned);
        return pw_err_errno(err, PW_E_IO, e, "cannot read '%s'", path);
    }
    *out = headerImport((void *)blob, (unsigned)blen, HEADERIMPORT_COPY);
    free(owned);
    if (!*out)
        return pw_err_set(err, PW_E_FORMAT, "'%s': the rpm header is damaged", path);
    return 0;
}

/* The first value of an integer tag of the signature header, read from its index in place
 * (importing the whole header for one number cost as much as reading the main header's
 * strings); 0 when absent or not an integer. */
static uint64_t signature_number(struct rpm_src *src, uint32_t tag)
{
    static const unsigned widths[] = {0, 1, 1, 2, 4, 8}; /* by RPM_*_TYPE, CHAR to INT64 */
    unsigned char spill[16];
    const unsigned char *intro = src_at(src, RPM_LEAD_SIZE, 16, spill);
    if (!intro)
        return 0;
    uint64_t il = be32(intro + 8), dl = be32(intro + 12);
    uint64_t index = RPM_LEAD_SIZE + 16, store = index + 16 * il;
    if (16 * il + dl > RPM_HEADER_MAX)
        return 0;
    for (uint64_t i = 0; i < il; i++) {
        const unsigned char *e = src_at(src, index + 16 * i, 16, spill);
        if (!e)
            return 0;
        uint32_t type = be32(e + 4), off = be32(e + 8);
        if (be32(e) != tag)
            continue;
        unsigned w = type >= RPM_CHAR_TYPE && type <= RPM_INT64_TYPE ? widths[type] : 0;
        const unsigned char *v = w && be32(e + 12) >= 1 && (uint64_t)off + w <= dl
                                     ? src_at(src, store + off, w, spill)
                                     : NULL;
        uint64_t n = 0;
        for (unsigned k = 0; v && k < w; k++)
            n = n << 8 | v[k];
        return n;
    }
    return 0;
}

/* The payload size lives in the signature header (rpm merges it into the main header when it
 * reads a package; createrepo_c reports the merged value). */
static uint64_t signature_archive_size(struct rpm_src *src)
{
    uint64_t size = signature_number(src, RPMSIGTAG_LONGARCHIVESIZE);
    return size ? size : signature_number(src, RPMSIGTAG_PAYLOADSIZE);
}

static int read_rpm(struct rpm_src *src, const char *path, int changelog_limit, struct pw_rpmhdr *h,
                    struct pw_err *err)
{
    int rc = header_range(src, &h->header_start, &h->header_end, &h->signed_pkg, err);
    if (rc < 0)
        return pw_err_prefix(err, "'%s'", path);
    Header hdr;
    rc = import_header(src, h, &hdr, path, err);
    if (rc < 0)
        return rc;
    load_strings(hdr, h);
    load_files(hdr, h);
    load_deps(hdr, h);
    load_changelog(hdr, changelog_limit, h);
    headerFree(hdr);
    if (!h->archive_size)
        h->archive_size = signature_archive_size(src);
    if (!*h->name || !*h->version || !*h->release || !*h->arch)
        return pw_err_set(err, PW_E_FORMAT, "'%s': the rpm header lacks name, version or arch",
                          path);
    return 0;
}

int pw_pkgread_rpm(const char *path, const struct pw_pkgbytes *b, int changelog_limit,
                   struct pw_rpmhdr *h, struct pw_err *err)
{
    if (b) {
        struct rpm_src src = {b->head, b->head_len, b->size, -1, 0, path};
        int rc = read_rpm(&src, path, changelog_limit, h, err);
        src_close(&src);
        return rc;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", path);
    struct stat st;
    int rc;
    if (fstat(fd, &st) < 0) {
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot stat '%s'", path);
    } else {
        unsigned char buf[HEAD_READ];
        size_t len = (uint64_t)st.st_size < HEAD_READ ? (size_t)st.st_size : HEAD_READ;
        struct rpm_src src = {
            buf, pread_all(fd, buf, len, 0) < 0 ? 0 : len, (uint64_t)st.st_size, fd, 0, NULL};
        rc = read_rpm(&src, path, changelog_limit, h, err);
    }
    close(fd);
    return rc;
}
