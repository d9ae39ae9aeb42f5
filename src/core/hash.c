#include "hash.h"
#include "../base/hex.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const EVP_MD *md_builtin(enum pw_hash_algo algo)
{
    switch (algo) {
    case PW_HASH_MD5: return EVP_md5();
    case PW_HASH_SHA1: return EVP_sha1();
    case PW_HASH_SHA256: return EVP_sha256();
    case PW_HASH_SHA512: return EVP_sha512();
    }
    return EVP_sha256();
}

static EVP_MD *fetched[PW_HASH_SHA512 + 1];
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
    for (int a = 0; a <= PW_HASH_SHA512; a++)
        fetched[a] = EVP_MD_fetch(NULL, EVP_MD_get0_name(md_builtin((enum pw_hash_algo)a)), NULL);
}

/* Fetched once: with EVP_sha256() and the like, OpenSSL 3 looks the implementation up again
 * on every init, which cost more than hashing a small package. */
static const EVP_MD *md_of(enum pw_hash_algo algo)
{
    pthread_once(&fetch_once, fetch_all);
    return (unsigned)algo <= PW_HASH_SHA512 && fetched[algo] ? fetched[algo] : md_builtin(algo);
}

size_t pw_hash_len(enum pw_hash_algo algo)
{
    switch (algo) {
    case PW_HASH_MD5: return 16;
    case PW_HASH_SHA1: return 20;
    case PW_HASH_SHA256: return 32;
    case PW_HASH_SHA512: return 64;
    }
    return 0;
}

const char *pw_hash_name(enum pw_hash_algo algo)
{
    switch (algo) {
    case PW_HASH_MD5: return "md5";
    case PW_HASH_SHA1: return "sha1";
    case PW_HASH_SHA256: return "sha256";
    case PW_HASH_SHA512: return "sha512";
    }
    return "?";
}

void pw_hash_init(struct pw_hash *h, enum pw_hash_algo algo)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || EVP_DigestInit_ex(c, md_of(algo), NULL) != 1)
        abort();
    h->algo = algo;
    h->impl = c;
}

void pw_hash_update(struct pw_hash *h, const void *data, size_t len)
{
    if (len)
        EVP_DigestUpdate(h->impl, data, len);
}

void pw_hash_final(struct pw_hash *h, unsigned char *out)
{
    unsigned int n = 0;
    EVP_DigestFinal_ex(h->impl, out, &n);
    pw_hash_release(h);
}

void pw_hash_release(struct pw_hash *h)
{
    EVP_MD_CTX_free(h->impl);
    h->impl = NULL;
}

void pw_hash_buffer(enum pw_hash_algo algo, const void *data, size_t len, unsigned char *out)
{
    struct pw_hash h;
    pw_hash_init(&h, algo);
    pw_hash_update(&h, data, len);
    pw_hash_final(&h, out);
}

int pw_hash_file(enum pw_hash_algo algo, const char *path, unsigned char *out,
                 struct pw_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", path);
    struct pw_hash h;
    pw_hash_init(&h, algo);
    unsigned char chunk[1 << 16];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            pw_hash_release(&h);
            close(fd);
            return pw_err_errno(err, PW_E_IO, e, "cannot read '%s'", path);
        }
        if (n == 0)
            break;
        pw_hash_update(&h, chunk, (size_t)n);
    }
    close(fd);
    pw_hash_final(&h, out);
    return 0;
}

void pw_hex(const unsigned char *bytes, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * len] = '\0';
}


int pw_unhex(const char *hex, unsigned char *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int hi = pw_hex_digit(hex[2 * i]);
        int lo = hi < 0 ? -1 : pw_hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return hex[2 * len] == '\0' ? 0 : -1;
}
