#include "rpm_read.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <rpm/header.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contents.h"
#include "hash.h"
#include "rpm_header.h"

/* rpm's own sanity limits for a header (lib/header_internal.h). */
#define MAX_INDEX 0x0000ffff
#define MAX_DATA 0x0fffffff

static int read_exact(int fd, void *buf, size_t len, const char *path, struct pw_err *err)
{
    char *p = buf;
    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", path);
        if (n == 0)
            return pw_err_set(err, PW_E_FORMAT, "'%s': truncated rpm package", path);
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads one header structure (magic, il, dl, index, data) and imports it. pad8: the
 * signature header is followed by padding to a multiple of 8. */
static Header read_header(int fd, const char *path, int pad8, struct pw_err *err)
{
    static const unsigned char magic[8] = {0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0};
    unsigned char intro[16];
    if (read_exact(fd, intro, sizeof(intro), path, err) < 0)
        return NULL;
    uint32_t il = be32(intro + 8), dl = be32(intro + 12);
    if (memcmp(intro, magic, 8) || il < 1 || il > MAX_INDEX || dl > MAX_DATA) {
        pw_err_set(err, PW_E_FORMAT, "'%s': bad rpm header structure", path);
        return NULL;
    }
    size_t len = 8 + (size_t)il * 16 + dl;
    unsigned char *blob = pw_xmalloc(len);
    memcpy(blob, intro + 8, 8);
    Header h = NULL;
    if (read_exact(fd, blob + 8, len - 8, path, err) == 0) {
        h = headerImport(blob, (unsigned)len, HEADERIMPORT_COPY);
        if (!h)
            pw_err_set(err, PW_E_FORMAT, "'%s': librpm rejects the rpm header", path);
    }
    free(blob);
    size_t pad = pad8 ? (8 - (16 + len - 8) % 8) % 8 : 0;
    unsigned char zeros[8];
    if (h && pad && read_exact(fd, zeros, pad, path, err) < 0) {
        headerFree(h);
        h = NULL;
    }
    return h;
}

static void add_string(struct pw_pkginfo *info, const char *key, Header h, rpmTagVal tag)
{
    const char *s = headerGetString(h, tag);
    if (s)
        pw_pkginfo_add_field(info, key, s);
}

static void add_number(struct pw_pkginfo *info, const char *key, Header h, rpmTagVal tag)
{
    if (!headerIsEntry(h, tag))
        return;
    char num[32];
    snprintf(num, sizeof(num), "%" PRIu64, headerGetNumber(h, tag));
    pw_pkginfo_add_field(info, key, num);
}

static const char *sense_op(uint32_t flags)
{
    switch (flags & (PW_RPMSENSE_LESS | PW_RPMSENSE_GREATER | PW_RPMSENSE_EQUAL)) {
    case PW_RPMSENSE_LESS:
        return "<";
    case PW_RPMSENSE_LESS | PW_RPMSENSE_EQUAL:
        return "<=";
    case PW_RPMSENSE_EQUAL:
        return "=";
    case PW_RPMSENSE_GREATER | PW_RPMSENSE_EQUAL:
        return ">=";
    case PW_RPMSENSE_GREATER:
        return ">";
    }
    return NULL;
}

/* One dependency set as a field: "bash >= 5.0, /bin/sh, rpmlib(FileDigests) <= 4.6.0-1".
 * Types are checked: a package is untrusted input and librpm does not type-check on import. */
static void add_deps(struct pw_pkginfo *info, const char *key, Header h, rpmTagVal ntag,
                     rpmTagVal vtag, rpmTagVal ftag)
{
    struct rpmtd_s n, v, f;
    int have_n = headerGet(h, ntag, &n, HEADERGET_MINMEM);
    int have_v = headerGet(h, vtag, &v, HEADERGET_MINMEM);
    int have_f = headerGet(h, ftag, &f, HEADERGET_MINMEM);
    if (have_n && rpmtdType(&n) == RPM_STRING_ARRAY_TYPE) {
        int versions = have_v && rpmtdType(&v) == RPM_STRING_ARRAY_TYPE;
        int flags = have_f && rpmtdType(&f) == RPM_INT32_TYPE;
        struct pw_buf out = PW_BUF_INIT;
        for (rpm_count_t i = 0; i < rpmtdCount(&n); i++) {
            const char *name = ((const char **)n.data)[i];
            const char *ver = versions && i < rpmtdCount(&v) ? ((const char **)v.data)[i] : "";
            uint32_t fl = flags && i < rpmtdCount(&f) ? ((const uint32_t *)f.data)[i] : 0;
            const char *op = sense_op(fl);
            pw_buf_addf(&out, "%s%s", i ? ", " : "", name);
            if (op && *ver)
                pw_buf_addf(&out, " %s %s", op, ver);
        }
        pw_pkginfo_add_field(info, key, out.buf);
        pw_buf_release(&out);
    }
    rpmtdFreeData(&n);
    rpmtdFreeData(&v);
    rpmtdFreeData(&f);
}

static void add_fields(struct pw_pkginfo *info, Header h)
{
    add_string(info, "Name", h, RPMTAG_NAME);
    add_number(info, "Epoch", h, RPMTAG_EPOCH);
    add_string(info, "Version", h, RPMTAG_VERSION);
    add_string(info, "Release", h, RPMTAG_RELEASE);
    add_string(info, "Arch", h, RPMTAG_ARCH);
    add_string(info, "Os", h, RPMTAG_OS);
    add_string(info, "Summary", h, RPMTAG_SUMMARY);
    add_string(info, "Description", h, RPMTAG_DESCRIPTION);
    add_string(info, "License", h, RPMTAG_LICENSE);
    add_string(info, "Group", h, RPMTAG_GROUP);
    add_string(info, "Url", h, RPMTAG_URL);
    add_string(info, "Vendor", h, RPMTAG_VENDOR);
    add_string(info, "Packager", h, RPMTAG_PACKAGER);
    add_number(info, "Buildtime", h, RPMTAG_BUILDTIME);
    add_string(info, "Buildhost", h, RPMTAG_BUILDHOST);
    add_number(info, "Size", h, headerIsEntry(h, RPMTAG_LONGSIZE) ? RPMTAG_LONGSIZE : RPMTAG_SIZE);
    add_string(info, "Sourcerpm", h, RPMTAG_SOURCERPM);
    add_deps(info, "Requires", h, RPMTAG_REQUIRENAME, RPMTAG_REQUIREVERSION, RPMTAG_REQUIREFLAGS);
    add_deps(info, "Provides", h, RPMTAG_PROVIDENAME, RPMTAG_PROVIDEVERSION, RPMTAG_PROVIDEFLAGS);
    add_deps(info, "Conflicts", h, RPMTAG_CONFLICTNAME, RPMTAG_CONFLICTVERSION,
             RPMTAG_CONFLICTFLAGS);
    add_deps(info, "Obsoletes", h, RPMTAG_OBSOLETENAME, RPMTAG_OBSOLETEVERSION,
             RPMTAG_OBSOLETEFLAGS);
    add_deps(info, "Recommends", h, RPMTAG_RECOMMENDNAME, RPMTAG_RECOMMENDVERSION,
             RPMTAG_RECOMMENDFLAGS);
    add_deps(info, "Suggests", h, RPMTAG_SUGGESTNAME, RPMTAG_SUGGESTVERSION, RPMTAG_SUGGESTFLAGS);
    add_deps(info, "Supplements", h, RPMTAG_SUPPLEMENTNAME, RPMTAG_SUPPLEMENTVERSION,
             RPMTAG_SUPPLEMENTFLAGS);
    add_deps(info, "Enhances", h, RPMTAG_ENHANCENAME, RPMTAG_ENHANCEVERSION, RPMTAG_ENHANCEFLAGS);
    add_string(info, "Payloadcompressor", h, RPMTAG_PAYLOADCOMPRESSOR);
    add_string(info, "Payloadflags", h, RPMTAG_PAYLOADFLAGS);
    add_string(info, "Payloaddigest", h, RPMTAG_PAYLOADDIGEST);
}

static void add_signature_fields(struct pw_pkginfo *info, Header sig)
{
    const char *kind = headerIsEntry(sig, PW_RPMSIGTAG_RSA)   ? "rsa"
                       : headerIsEntry(sig, PW_RPMSIGTAG_DSA) ? "dsa/eddsa"
                                                              : "none";
    pw_pkginfo_add_field(info, "Signature", kind);
    struct rpmtd_s td;
    if (headerGet(sig, PW_RPMSIGTAG_SHA256, &td, HEADERGET_RAW | HEADERGET_MINMEM)) {
        if (td.type == RPM_STRING_TYPE && td.data)
            pw_pkginfo_add_field(info, "Headersha256", td.data);
        rpmtdFreeData(&td);
    }
}

static void add_scripts(struct pw_pkginfo *info, Header h)
{
    static const struct {
        const char *name;
        rpmTagVal body, prog;
    } scripts[] = {
        {"%pretrans", RPMTAG_PRETRANS, RPMTAG_PRETRANSPROG},
        {"%pre", RPMTAG_PREIN, RPMTAG_PREINPROG},
        {"%post", RPMTAG_POSTIN, RPMTAG_POSTINPROG},
        {"%preun", RPMTAG_PREUN, RPMTAG_PREUNPROG},
        {"%postun", RPMTAG_POSTUN, RPMTAG_POSTUNPROG},
        {"%posttrans", RPMTAG_POSTTRANS, RPMTAG_POSTTRANSPROG},
    };
    for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
        const char *body = headerGetString(h, scripts[i].body);
        if (!body)
            continue;
        struct rpmtd_s prog;
        const char *interp = NULL;
        if (headerGet(h, scripts[i].prog, &prog, HEADERGET_MINMEM))
            interp = rpmtdGetString(&prog);
        pw_pkginfo_add_script(info, scripts[i].name, interp, body);
        if (interp)
            rpmtdFreeData(&prog);
    }
}

static unsigned pw_flags_of(rpmfileAttrs a)
{
    unsigned f = 0;
    if (a & RPMFILE_CONFIG)
        f |= PW_FLAG_CONFIG;
    if (a & RPMFILE_NOREPLACE)
        f |= PW_FLAG_NOREPLACE;
    if (a & RPMFILE_GHOST)
        f |= PW_FLAG_GHOST;
    if (a & RPMFILE_DOC)
        f |= PW_FLAG_DOC;
    if (a & RPMFILE_LICENSE)
        f |= PW_FLAG_LICENSE;
    return f;
}

/* librpm returns zeros for the "" digests of directories, links and ghosts. */
static int is_zero(const unsigned char *d, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (d[i])
            return 0;
    return 1;
}

static void add_file(struct pw_pkginfo *info, rpmfiles files, int i)
{
    struct pw_pkginfo_file *f = pw_pkginfo_add_file(info);
    rpm_mode_t mode = rpmfilesFMode(files, i);
    rpmfileAttrs attrs = rpmfilesFFlags(files, i);
    f->path = rpmfilesFN(files, i);
    f->type = (attrs & RPMFILE_GHOST) ? 'g'
              : S_ISDIR(mode)         ? 'd'
              : S_ISLNK(mode)         ? 'l'
              : S_ISREG(mode)         ? 'f'
                                      : '?';
    f->mode = mode & 07777;
    f->owner = pw_xstrdup(rpmfilesFUser(files, i) ? rpmfilesFUser(files, i) : "root");
    f->group = pw_xstrdup(rpmfilesFGroup(files, i) ? rpmfilesFGroup(files, i) : "root");
    f->size = rpmfilesFSize(files, i);
    f->mtime = rpmfilesFMtime(files, i);
    f->flags = pw_flags_of(attrs);
    if (S_ISLNK(mode) && rpmfilesFLink(files, i))
        f->target = pw_xstrdup(rpmfilesFLink(files, i));
    int algo = 0;
    size_t dlen = 0;
    const unsigned char *d = rpmfilesFDigest(files, i, &algo, &dlen);
    if (d && dlen && S_ISREG(mode) && !(attrs & RPMFILE_GHOST) && !is_zero(d, dlen)) {
        f->digest = pw_xmalloc(2 * dlen + 1);
        pw_hex(d, dlen, f->digest);
        f->digest_algo = pw_xstrdup(algo == PW_RPM_DIGESTALGO_SHA256 ? "sha256"
                                    : algo == 1                      ? "md5"
                                                                     : "other");
    }
}

static rpm_count_t tag_count(Header h, rpmTagVal tag)
{
    struct rpmtd_s td;
    if (!headerGet(h, tag, &td, HEADERGET_MINMEM))
        return 0;
    rpm_count_t n = rpmtdCount(&td);
    rpmtdFreeData(&td);
    return n;
}

/* Every per-file array has one entry per file name (librpm's file set only logs a mismatch,
 * and leaks on that path). */
static int file_arrays_agree(Header h)
{
    static const rpmTagVal tags[] = {
        RPMTAG_DIRINDEXES,  RPMTAG_FILEMODES,       RPMTAG_FILEFLAGS,     RPMTAG_FILESIZES,
        RPMTAG_LONGFILESIZES, RPMTAG_FILEINODES,    RPMTAG_FILEDEVICES,   RPMTAG_FILERDEVS,
        RPMTAG_FILEMTIMES,  RPMTAG_FILEDIGESTS,     RPMTAG_FILELINKTOS,   RPMTAG_FILEUSERNAME,
        RPMTAG_FILEGROUPNAME, RPMTAG_FILEVERIFYFLAGS, RPMTAG_FILELANGS,   RPMTAG_FILECOLORS,
        RPMTAG_FILECLASS,   RPMTAG_FILEDEPENDSX,    RPMTAG_FILEDEPENDSN,  RPMTAG_FILECAPS};
    rpm_count_t n = tag_count(h, RPMTAG_BASENAMES);
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
        if (headerIsEntry(h, tags[i]) && tag_count(h, tags[i]) != n)
            return 0;
    return 1;
}

static void add_files(struct pw_pkginfo *info, Header h)
{
    if (!headerIsEntry(h, RPMTAG_BASENAMES))
        return;
    rpmfiles files = rpmfilesNew(NULL, h, RPMTAG_BASENAMES, RPMFI_FLAGS_QUERY);
    if (!files)
        return;
    int n = (int)rpmfilesFC(files);
    for (int i = 0; i < n; i++)
        add_file(info, files, i);
    rpmfilesFree(files);
}

static void fill_info(struct pw_pkginfo *info, Header sig, Header h)
{
    const char *epoch = headerIsEntry(h, RPMTAG_EPOCH) ? "" : NULL;
    struct pw_buf v = PW_BUF_INIT;
    if (epoch)
        pw_buf_addf(&v, "%" PRIu64 ":", headerGetNumber(h, RPMTAG_EPOCH));
    pw_buf_addf(&v, "%s-%s",
                headerGetString(h, RPMTAG_VERSION) ? headerGetString(h, RPMTAG_VERSION) : "",
                headerGetString(h, RPMTAG_RELEASE) ? headerGetString(h, RPMTAG_RELEASE) : "");
    info->format = pw_xstrdup("rpm");
    info->name = pw_xstrdup(headerGetString(h, RPMTAG_NAME) ? headerGetString(h, RPMTAG_NAME) : "");
    info->version = pw_buf_detach(&v, NULL);
    info->arch = pw_xstrdup(headerGetString(h, RPMTAG_ARCH) ? headerGetString(h, RPMTAG_ARCH) : "");
    add_fields(info, h);
    add_signature_fields(info, sig);
    add_scripts(info, h);
    add_files(info, h);
}

int pw_rpm_read_file(const char *path, struct pw_pkginfo *info, struct pw_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", path);
    unsigned char lead[PW_RPM_LEAD_SIZE];
    static const unsigned char magic[4] = {0xed, 0xab, 0xee, 0xdb};
    int rc = read_exact(fd, lead, sizeof(lead), path, err);
    if (rc == 0 && (memcmp(lead, magic, 4) || lead[4] < 3 || lead[4] > 4 || lead[79] != 5))
        rc = pw_err_set(err, PW_E_FORMAT, "'%s' is not an rpm package (bad lead)", path);
    Header sig = NULL, h = NULL;
    if (rc == 0 && !(sig = read_header(fd, path, 1, err)))
        rc = -err->code;
    if (rc == 0 && !(h = read_header(fd, path, 0, err)))
        rc = -err->code;
    close(fd);
    if (rc == 0 && !file_arrays_agree(h))
        rc = pw_err_set(err, PW_E_FORMAT,
                        "'%s': the rpm header's file arrays disagree with its file names", path);
    if (rc == 0)
        fill_info(info, sig, h);
    headerFree(sig);
    headerFree(h);
    return rc;
}
