/* Streaming digests (MD5, SHA-1, SHA-256, SHA-512) and hex helpers. The only file that
 * includes the crypto library (OpenSSL's libcrypto). */
#ifndef PW_CORE_HASH_H
#define PW_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"

enum pw_hash_algo { PW_HASH_MD5, PW_HASH_SHA1, PW_HASH_SHA256, PW_HASH_SHA512 };

#define PW_HASH_MAX_LEN 64

struct pw_hash {
    enum pw_hash_algo algo;
    void *impl;
};

size_t pw_hash_len(enum pw_hash_algo algo);
const char *pw_hash_name(enum pw_hash_algo algo); /* "sha256" */
void pw_hash_init(struct pw_hash *h, enum pw_hash_algo algo);
void pw_hash_update(struct pw_hash *h, const void *data, size_t len);
/* Writes pw_hash_len() bytes and releases the state. */
void pw_hash_final(struct pw_hash *h, unsigned char *out);
void pw_hash_release(struct pw_hash *h); /* without a result (error paths) */
void pw_hash_buffer(enum pw_hash_algo algo, const void *data, size_t len, unsigned char *out);
int pw_hash_file(enum pw_hash_algo algo, const char *path, unsigned char *out,
                 struct pw_err *err);
/* Lowercase hex of len bytes into out (2*len+1 bytes). */
void pw_hex(const unsigned char *bytes, size_t len, char *out);
/* Parses exactly 2*len hex digits; 0 on success. */
int pw_unhex(const char *hex, unsigned char *out, size_t len);

#endif
