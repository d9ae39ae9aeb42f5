/* Air-gap bundles: one tar file, zstd-compressed, holding the live generation of a repository
 * (every file apt and dnf clients can reach from its entry points, plus the client files),
 * a manifest of every member's size and SHA256, the repository's public key, and a
 * signature of the manifest by that key.
 *
 *   packwright-bundle/manifest      "packwright-bundle 1", then "SHA256 SIZE NAME" per member
 *   packwright-bundle/manifest.asc  armored detached signature of the manifest (signed repos)
 *   packwright-bundle/key.gpg       the public key (binary)
 *   repo/...                        the repository tree: deb/dists, deb/pool, rpm/repodata, ...
 *
 * Verifying streams the bundle: a member that is altered, missing, repeated, not in the
 * manifest or cut short is refused with its name. Then the manifest signature and the
 * repository itself (as apt and dnf check it, repo.h pw_repo_check) are checked against the
 * named keyring, or, without one, against the included key: integrity only, not origin. */
#ifndef PW_CORE_BUNDLE_H
#define PW_CORE_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "ctx.h"

struct pw_bundle_opts {
    const char *repo;     /* create: the source; import: the target */
    const char *bundle;   /* the bundle file */
    const char *keyring;  /* verify, import: trusted keys; NULL: the included key only */
    const char *sign_key; /* create: signs the manifest; NULL: the repository's own key */
    int64_t now;          /* the clock for Valid-Until */
    const struct pw_ctx *ctx;
    void (*note)(void *data, const char *msg); /* may be NULL */
    void *note_data;
};

struct pw_bundle_info {
    size_t files;   /* repository files */
    uint64_t bytes; /* their size */
    int signed_manifest;
    int trusted;      /* checked against a named keyring (not only the included key) */
    char signer[129]; /* fingerprint of the manifest's signer, "" when unsigned */
};

void pw_bundle_opts_init(struct pw_bundle_opts *o);
/* Writes o->bundle (atomically) from the live generation of o->repo. */
int pw_bundle_create(const struct pw_bundle_opts *o, struct pw_bundle_info *info,
                     struct pw_err *err);
/* Checks o->bundle completely without keeping anything. */
int pw_bundle_verify(const struct pw_bundle_opts *o, struct pw_bundle_info *info,
                     struct pw_err *err);
/* Verifies o->bundle, then makes its repository the content of o->repo in one rename: o->repo
 * must be missing, empty, or hold an earlier import (never a publishing repository). */
int pw_bundle_import(const struct pw_bundle_opts *o, struct pw_bundle_info *info,
                     struct pw_err *err);

#endif
