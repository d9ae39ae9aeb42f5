/* The .rpm writer (package-formats.md §C): lead, signature header, main header, compressed
 * cpio payload. The main header's size is fixed before the payload streams (digests are
 * written as zeros of their final length first), so the payload goes straight to its final
 * offset in the output file and nothing of it is held in memory; the lead, the signature
 * and the real header are written in front of it afterwards. */
#include "format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "feed.h"
#include "gpg.h"
#include "hash.h"
#include "rpm_header.h"
#include "rpm_payload.h"
#include "rpm_pkg.h"
#include "rpm_read.h"

#define IO_CHUNK 65536
#define RESERVED_SPACE 4128 /* rpmbuild's %__gpg_reserved_space: room for rpmsign later */

static void rpm_file_name(const struct pw_package *pkg, struct pw_buf *out)
{
    const struct pw_arch *a = pw_arch_lookup(pkg->arch);
    pw_buf_addf(out, "%s-%s-%s.%s.rpm", pkg->name, pkg->version, pkg->release ? pkg->release : "1",
                a ? a->rpm : "unknown");
}

static int rpm_probe(const unsigned char *head, size_t len)
{
    static const unsigned char magic[4] = {0xed, 0xab, 0xee, 0xdb};
    return len >= 4 && !memcmp(head, magic, 4);
}

/* ---- payload ---------------------------------------------------------------------------- */

/* rpm's file colour (multilib conflict resolution): ELF class 32 -> 1, 64 -> 2. */
static uint32_t elf_color(const unsigned char *data, size_t len)
{
    if (len < 5 || memcmp(data, "\177ELF", 4))
        return 0;
    return data[4] == 1 ? 1 : data[4] == 2 ? 2 : 0;
}

struct file_stream {
    struct pw_rpm_file *rf;
    struct pw_rpm_payload *p;
    uint64_t done;
};

static int stream_chunk(void *arg, const void *data, size_t len, struct pw_err *err)
{
    struct file_stream *s = arg;
    if (s->done == 0)
        s->rf->color = elf_color(data, len);
    s->done += len;
    return pw_rpm_payload_write(s->p, data, len, err);
}

/* One regular file: its bytes go to the payload and its SHA-256 (FILEDIGESTS) is taken on
 * the way (by the shared reader when the .deb is written alongside), so each source is read
 * exactly once. */
static int stream_file(const struct pw_contents *c, struct pw_rpm_file *rf,
                       struct pw_rpm_payload *p, struct pw_err *err)
{
    struct file_stream s = {rf, p, 0};
    unsigned char d[32];
    const struct pw_file *f = rf->f;
    if (f->flags & PW_FLAG_GENERATED) {
        int rc = f->size ? stream_chunk(&s, f->data, f->size, err) : 0;
        if (rc < 0)
            return rc;
        pw_hash_buffer(PW_HASH_SHA256, f->data, f->size, d);
    } else {
        int rc = pw_feed_stream(c, f, stream_chunk, &s, NULL, d, err);
        if (rc < 0)
            return rc;
    }
    pw_hex(d, sizeof(d), rf->digest);
    return 0;
}

static int stream_payload(struct pw_rpm_pkg *r, int fd, struct pw_rpm_payload *p,
                          struct pw_err *err)
{
    int rc = pw_rpm_payload_init(p, fd, &r->ctx->rpm_compression, r->large, err);
    for (size_t i = 0; rc == 0 && i < r->nfiles; i++) {
        struct pw_rpm_file *rf = &r->files[i];
        const struct pw_file *f = rf->f;
        if (f->flags & PW_FLAG_GHOST)
            continue; /* listed in the header, never in the payload */
        struct pw_rpm_payload_entry e = {
            .path = f->path,
            .mode = pw_rpm_file_mode(f),
            .size = f->kind == PW_FILE_REG ? f->size : 0,
            .mtime = f->mtime,
            .ino = (uint32_t)(i + 1),
            .index = (uint32_t)i,
            .target = f->kind == PW_FILE_SYMLINK ? f->target : NULL,
        };
        rc = pw_rpm_payload_add(p, &e, err);
        if (rc == 0 && f->kind == PW_FILE_REG)
            rc = stream_file(&r->contents, rf, p, err);
        if (rc < 0)
            pw_err_prefix(err, "payload: ");
    }
    if (rc == 0)
        rc = pw_rpm_payload_finish(p, err);
    if (rc == 0) {
        pw_hex(p->out_sha256, 32, r->payload_sha256);
        pw_hex(p->cpio_sha256, 32, r->cpio_sha256);
    }
    return rc;
}

/* ---- signature header ----------------------------------------------------------------- */

struct sig_values {
    char sha1[41];
    char sha256[65];
    unsigned char md5[16];
    uint64_t size;         /* main header + compressed payload */
    uint64_t payload_size; /* uncompressed cpio */
    const struct pw_buf *openpgp;
    int openpgp_tag; /* RSA (268) or DSA/EdDSA (267) */
    size_t reserved;
};

static int put_sig_values(struct pw_rpm_header *h, const struct sig_values *v, struct pw_err *err)
{
    int rc = pw_rpm_header_put_sig_string(h, PW_RPMSIGTAG_SHA1, v->sha1, err);
    if (rc == 0)
        rc = pw_rpm_header_put_sig_string(h, PW_RPMSIGTAG_SHA256, v->sha256, err);
    if (rc == 0)
        rc = pw_rpm_header_put_sig_bin(h, PW_RPMSIGTAG_MD5, v->md5, sizeof(v->md5), err);
    /* As rpmsign: the 64-bit pair replaces the 32-bit pair when either value needs it. */
    if (rc == 0 && v->size < UINT32_MAX && v->payload_size < UINT32_MAX) {
        rc = pw_rpm_header_put_sig_u32(h, PW_RPMSIGTAG_SIZE, (uint32_t)v->size, err);
        if (rc == 0)
            rc = pw_rpm_header_put_sig_u32(h, PW_RPMSIGTAG_PAYLOADSIZE, (uint32_t)v->payload_size,
                                           err);
    } else if (rc == 0) {
        rc = pw_rpm_header_put_sig_u64(h, PW_RPMSIGTAG_LONGSIZE, v->size, err);
        if (rc == 0)
            rc = pw_rpm_header_put_sig_u64(h, PW_RPMSIGTAG_LONGARCHIVESIZE, v->payload_size, err);
    }
    if (rc == 0 && v->openpgp)
        rc = pw_rpm_header_put_sig_bin(h, v->openpgp_tag, v->openpgp->buf, v->openpgp->len, err);
    if (rc == 0 && v->reserved) {
        unsigned char *zeros = pw_xcalloc(1, v->reserved);
        rc = pw_rpm_header_put_sig_bin(h, PW_RPMSIGTAG_RESERVEDSPACE, zeros, v->reserved, err);
        free(zeros);
    }
    return rc;
}

static size_t be32_at(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (size_t)u[0] << 24 | (size_t)u[1] << 16 | (size_t)u[2] << 8 | u[3];
}

/* Exports the signature header; *used is its length before the padding to 8. */
static int build_sig(const struct sig_values *v, struct pw_buf *out, size_t *used,
                     struct pw_err *err)
{
    struct pw_rpm_header *h = pw_rpm_header_new();
    pw_buf_reset(out);
    int rc = put_sig_values(h, v, err);
    if (rc == 0)
        rc = pw_rpm_header_export(h, PW_RPM_HEADER_SIGNATURE, out, err);
    pw_rpm_header_free(h);
    if (rc == 0)
        *used = 16 + 16 * be32_at(out->buf + 8) + be32_at(out->buf + 12);
    return rc;
}

/* The final signature must take exactly the room the placeholder took: RESERVEDSPACE (the
 * last data item, unaligned) absorbs the difference, as rpmsign does when it signs in place. */
static int build_sig_sized(struct sig_values *v, size_t want, struct pw_buf *out,
                           struct pw_err *err)
{
    size_t used;
    v->reserved = RESERVED_SPACE;
    int rc = build_sig(v, out, &used, err);
    if (rc < 0)
        return rc;
    if (used > want + RESERVED_SPACE - 1)
        return pw_err_set(err, PW_E_FAIL, "signature header: %zu bytes do not fit into %zu",
                          used - RESERVED_SPACE, want);
    v->reserved = RESERVED_SPACE + want - used;
    rc = build_sig(v, out, &used, err);
    if (rc == 0 && used != want)
        rc = pw_err_set(err, PW_E_FAIL, "signature header: %zu bytes instead of %zu", used, want);
    return rc;
}

/* ---- signing ---------------------------------------------------------------------------- */

/* Which signature tag rpm expects depends on the key: RSA in 268, DSA and EdDSA in 267. The
 * public-key algorithm sits at a fixed place of the OpenPGP signature packet. */
static int openpgp_sig_tag(const struct pw_buf *sig, struct pw_err *err)
{
    const unsigned char *p = (const unsigned char *)sig->buf;
    size_t len = sig->len, off;
    if (len < 2 || !(p[0] & 0x80))
        return pw_err_set(err, PW_E_SIGNATURE, "gpg did not return an OpenPGP signature");
    if (p[0] & 0x40) /* new packet format: 1, 2 or 5 length octets */
        off = p[1] < 192 ? 2 : p[1] < 224 ? 3 : 6;
    else
        off = 1 + ((p[0] & 3) == 0 ? 1 : (p[0] & 3) == 1 ? 2 : 4);
    if (len < off + 16)
        return pw_err_set(err, PW_E_SIGNATURE, "gpg returned a truncated signature");
    unsigned algo = p[off] == 3 ? p[off + 15] : p[off + 2]; /* v3 : v4 layout */
    if (algo >= 1 && algo <= 3)
        return PW_RPMSIGTAG_RSA;
    if (algo == 17 || algo == 22)
        return PW_RPMSIGTAG_DSA;
    return pw_err_set(err, PW_E_SIGNATURE,
                      "OpenPGP public-key algorithm %u cannot sign rpm headers (use RSA)", algo);
}

static int sign_header(const struct pw_ctx *ctx, const struct pw_buf *hdr, struct pw_buf *sig,
                       int *tag, struct pw_err *err)
{
    struct pw_gpg_opts o = {ctx->sign_key};
    int rc = pw_gpg_sign(&o, PW_GPG_DETACHED, hdr->buf, hdr->len, sig, err);
    if (rc < 0)
        return pw_err_prefix(err, "signing the header with '%s': ", ctx->sign_key);
    rc = openpgp_sig_tag(sig, err);
    if (rc < 0)
        return rc;
    *tag = rc;
    return 0;
}

/* ---- assembly --------------------------------------------------------------------------- */

static int pwrite_all(int fd, const void *data, size_t len, off_t off, struct pw_err *err)
{
    const char *p = data;
    while (len) {
        ssize_t n = pwrite(fd, p, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return pw_err_errno(err, PW_E_IO, errno, "cannot write the package");
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

/* MD5 over header and payload ("pkgid" for rpm 4.11-era tools): the payload is read back
 * from the output file once, in chunks. */
static int md5_header_payload(int fd, const struct pw_buf *hdr, off_t payload_off,
                              uint64_t payload_len, unsigned char md5[16], struct pw_err *err)
{
    struct pw_hash h;
    pw_hash_init(&h, PW_HASH_MD5);
    pw_hash_update(&h, hdr->buf, hdr->len);
    unsigned char *buf = pw_xmalloc(IO_CHUNK);
    int rc = 0;
    for (uint64_t done = 0; done < payload_len;) {
        size_t want = payload_len - done < IO_CHUNK ? (size_t)(payload_len - done) : IO_CHUNK;
        ssize_t n = pread(fd, buf, want, payload_off + (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = pw_err_errno(err, PW_E_IO, n < 0 ? errno : EIO, "cannot read the payload back");
            break;
        }
        pw_hash_update(&h, buf, (size_t)n);
        done += (uint64_t)n;
    }
    free(buf);
    if (rc < 0)
        pw_hash_release(&h);
    else
        pw_hash_final(&h, md5);
    return rc;
}

static unsigned lead_arch(const char *arch)
{
    /* rpmrc's arch numbers; rpmbuild writes the build host's, we write the package's so
     * the bytes do not depend on where they were made. Only `file` looks at it. */
    static const struct {
        const char *arch;
        unsigned num;
    } nums[] = {{"aarch64", 19}, {"ppc64le", 16}, {"s390x", 15}, {"armv7hl", 12}, {"riscv64", 22}};
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
        if (!strcmp(arch, nums[i].arch))
            return nums[i].num;
    return 1; /* x86_64, i686 and noarch */
}

static void make_lead(const struct pw_rpm_pkg *r, unsigned char lead[PW_RPM_LEAD_SIZE])
{
    static const unsigned char magic[4] = {0xed, 0xab, 0xee, 0xdb};
    memset(lead, 0, PW_RPM_LEAD_SIZE);
    memcpy(lead, magic, 4);
    lead[4] = 3; /* major */
    unsigned arch = lead_arch(r->arch);
    lead[8] = (unsigned char)(arch >> 8);
    lead[9] = (unsigned char)arch;
    snprintf((char *)lead + 10, 66, "%s-%s", r->pkg->name, r->evr); /* NEVR, cut at 65 */
    lead[77] = 1;                                                   /* os: Linux */
    lead[79] = 5; /* signature type: header-style signature */
}

struct layout {
    struct pw_buf hdr;
    struct pw_buf sig;
    size_t sig_used; /* signature header bytes before its padding */
    off_t payload_off;
};

/* Sizes everything in front of the payload with placeholder values of the final widths. */
static int plan_layout(const struct pw_rpm_pkg *r, struct layout *l, struct pw_err *err)
{
    int rc = pw_rpm_pkg_header(r, &l->hdr, err);
    if (rc < 0)
        return rc;
    struct sig_values v;
    memset(&v, 0, sizeof(v));
    memset(v.sha1, '0', 40);
    memset(v.sha256, '0', 64);
    v.reserved = RESERVED_SPACE;
    rc = build_sig(&v, &l->sig, &l->sig_used, err);
    l->payload_off = (off_t)(PW_RPM_LEAD_SIZE + l->sig.len + l->hdr.len);
    return rc;
}

static int write_front(int fd, const struct pw_rpm_pkg *r, const struct layout *l,
                       struct pw_err *err)
{
    unsigned char lead[PW_RPM_LEAD_SIZE];
    make_lead(r, lead);
    int rc = pwrite_all(fd, lead, sizeof(lead), 0, err);
    if (rc == 0)
        rc = pwrite_all(fd, l->sig.buf, l->sig.len, PW_RPM_LEAD_SIZE, err);
    if (rc == 0)
        rc = pwrite_all(fd, l->hdr.buf, l->hdr.len, (off_t)(PW_RPM_LEAD_SIZE + l->sig.len), err);
    return rc;
}

/* After the payload: the real header (same size), its digests, the optional OpenPGP
 * signature, and the signature header in the room planned for it. */
static int finish_front(const struct pw_rpm_pkg *r, int fd, const struct pw_rpm_payload *p,
                        struct layout *l, struct pw_err *err)
{
    size_t planned_hdr = l->hdr.len, planned_sig = l->sig.len;
    pw_buf_reset(&l->hdr);
    int rc = pw_rpm_pkg_header(r, &l->hdr, err);
    if (rc == 0 && l->hdr.len != planned_hdr)
        rc = pw_err_set(err, PW_E_FAIL, "main header: %zu bytes instead of the planned %zu",
                        l->hdr.len, planned_hdr);
    struct sig_values v;
    memset(&v, 0, sizeof(v));
    struct pw_buf openpgp = PW_BUF_INIT;
    if (rc == 0) {
        unsigned char d[32];
        pw_hash_buffer(PW_HASH_SHA1, l->hdr.buf, l->hdr.len, d);
        pw_hex(d, 20, v.sha1);
        pw_hash_buffer(PW_HASH_SHA256, l->hdr.buf, l->hdr.len, d);
        pw_hex(d, 32, v.sha256);
        v.size = l->hdr.len + p->out_size;
        v.payload_size = p->cpio_size;
        rc = md5_header_payload(fd, &l->hdr, l->payload_off, p->out_size, v.md5, err);
    }
    if (rc == 0 && r->ctx->sign_key) {
        rc = sign_header(r->ctx, &l->hdr, &openpgp, &v.openpgp_tag, err);
        v.openpgp = &openpgp;
    }
    if (rc == 0)
        rc = build_sig_sized(&v, l->sig_used, &l->sig, err);
    if (rc == 0 && l->sig.len != planned_sig)
        rc = pw_err_set(err, PW_E_FAIL, "signature header: %zu bytes instead of the planned %zu",
                        l->sig.len, planned_sig);
    pw_buf_release(&openpgp);
    return rc < 0 ? rc : write_front(fd, r, l, err);
}

static int rpm_write(const struct pw_package *pkg, const struct pw_contents *contents,
                     const struct pw_ctx *ctx, int fd, struct pw_err *err)
{
    if (ctx->rpm_compression.method == PW_COMPRESS_NONE)
        return pw_err_set(err, PW_E_USAGE,
                          "--rpm-compression none: rpm payloads must be compressed (gzip, xz "
                          "or zstd), rpm reads a payload without a compressor as gzip");
    struct pw_rpm_pkg r;
    struct layout l = {PW_BUF_INIT, PW_BUF_INIT, 0, 0};
    struct pw_rpm_payload p;
    memset(&p, 0, sizeof(p));
    int rc = pw_rpm_pkg_init(&r, pkg, contents, ctx, err);
    if (rc == 0)
        rc = plan_layout(&r, &l, err);
    if (rc == 0 && lseek(fd, l.payload_off, SEEK_SET) < 0)
        rc = pw_err_errno(err, PW_E_IO, errno, "the rpm output must be a regular file");
    if (rc == 0)
        rc = stream_payload(&r, fd, &p, err);
    if (rc == 0)
        rc = finish_front(&r, fd, &p, &l, err);
    pw_rpm_payload_release(&p);
    pw_buf_release(&l.hdr);
    pw_buf_release(&l.sig);
    pw_rpm_pkg_release(&r);
    return rc;
}

const struct pw_format pw_format_rpm = {
    .name = "rpm",
    .file_name = rpm_file_name,
    .validate = pw_rpm_pkg_validate,
    .write = rpm_write,
    .read = pw_rpm_read_file,
    .probe = rpm_probe,
};
