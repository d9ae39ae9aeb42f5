/* gpg, run through an explicit argv (never a shell), GNUPGHOME honoured. Used for package
 * signatures (rpm) and repository metadata (InRelease, Release.gpg, repomd.xml.asc). */
#ifndef PW_CORE_GPG_H
#define PW_CORE_GPG_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"

enum pw_gpg_mode {
    PW_GPG_DETACHED,       /* binary detached signature */
    PW_GPG_DETACHED_ARMOR, /* ASCII-armored detached signature (Release.gpg, repomd.xml.asc) */
    PW_GPG_CLEARSIGN,      /* InRelease */
};

struct pw_gpg_opts {
    const char *key; /* key id or fingerprint (--local-user) */
    /* No fixed signature time: gpg refuses keys "created in the future" of a faked clock, so
     * signatures carry the real time; reproducibility is checked on unsigned output. */
};

/* Signs data with SHA-256 (--digest-algo SHA256). On failure err names the key and holds
 * gpg's own message. PW_E_SIGNATURE. */
int pw_gpg_sign(const struct pw_gpg_opts *o, enum pw_gpg_mode mode, const void *data,
                size_t len, struct pw_buf *out, struct pw_err *err);
/* Exports the public key (binary or armored). */
int pw_gpg_export(const char *key, int armor, struct pw_buf *out, struct pw_err *err);
/* Verifies a detached (or, with sig NULL, a clearsigned) signature with gpgv against keyring
 * only. On success the signer's fingerprint may be returned in signer (may be NULL). */
int pw_gpg_verify(const char *keyring, const void *data, size_t len, const void *sig,
                  size_t siglen, struct pw_buf *signer, struct pw_err *err);
/* Runs argv (argv[0] looked up in PATH) with stdin fed from in, collecting stdout and
 * stderr. Returns the exit status (>= 0) or a negative error. */
int pw_run(char *const argv[], const void *in, size_t inlen, struct pw_buf *out,
           struct pw_buf *errout, struct pw_err *err);

#endif
