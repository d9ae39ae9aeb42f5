/* `packwright mirror apt|rpm`: copies a chosen subset of a remote apt or rpm-md repository
 * (https, http or file URL) into a local packwright repository (repo.h), re-signed with the
 * site's key and published atomically.
 *
 * Trust: the upstream entry point (InRelease, or Release + Release.gpg; repomd.xml +
 * repomd.xml.asc) is checked with gpgv against the named keyring only, then every index and
 * package against the sizes and digests it signs. Nothing unverified reaches the repository;
 * any mismatch stops the run before anything is published, so the previous generation stays.
 * A Release older than the one mirrored before, or past its Valid-Until, is refused.
 *
 * Downloads run in parallel (fetch_multi.h). Verified indexes are cached by digest and
 * packages already in the repository are not fetched again, so a re-run against an unchanged
 * upstream makes one request: the entry point. Working state lives in
 * REPO/.packwright/mirror/. */
#ifndef PW_CORE_MIRROR_H
#define PW_CORE_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../base/strvec.h"
#include "ctx.h"
#include "upstream.h"

struct pw_mirror_opts {
    enum pw_family family;
    const char *url;   /* upstream root: apt URL (holding dists/), rpm-md baseurl */
    const char *suite; /* apt only */
    const struct pw_strvec *components; /* apt; NULL or empty: every component of Release */
    const struct pw_strvec *archs;      /* NULL or empty: apt every one of Release; rpm all */
    const struct pw_strvec *include;    /* name patterns (fnmatch); NULL or empty: all */
    const char *keyring;                /* upstream's trusted keys (binary or armored OpenPGP) */
    int with_deps;
    unsigned latest;          /* newest N versions per name and arch; 0: all */
    const char *repo;         /* the local repository */
    const char *sign_key;     /* NULL: the repository's stored key */
    unsigned parallel;        /* downloads at once; 0: 4 */
    int dry_run;              /* verify and choose, fetch no package, publish nothing */
    int64_t now;              /* the clock for Valid-Until and the local Release Date */
    const struct pw_ctx *ctx; /* warnings */
    void (*note)(void *data, const char *msg); /* progress notes; may be NULL */
    void *note_data;
};

struct pw_mirror_result {
    size_t indexed;            /* packages the upstream indexes list (after dropping repeats) */
    size_t selected;           /* packages mirrored */
    size_t by_deps;            /* of which added by the dependency closure */
    size_t downloaded;         /* packages fetched in this run */
    uint64_t bytes;            /* their size */
    unsigned requests;         /* HTTP/file requests made */
    struct pw_strvec problems; /* dependencies that cannot be satisfied upstream */
    struct pw_strvec packages; /* "name version arch" of the mirrored set, sorted */
};

void pw_mirror_opts_init(struct pw_mirror_opts *o);
void pw_mirror_result_init(struct pw_mirror_result *r);
void pw_mirror_result_release(struct pw_mirror_result *r);

int pw_mirror_run(const struct pw_mirror_opts *o, struct pw_mirror_result *res, struct pw_err *err);

#endif
