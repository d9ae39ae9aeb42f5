/* Upstream artifacts named by a manifest's `sources`: fetched (libcurl, in fetch.c) into the
 * content-addressed cache (cache.c), verified, extracted; contents refer to them as
 * "source:NAME/path".
 *
 * The expected digest comes from the manifest (sha256 or sha512) or from a sha512sum-format
 * file (sha512_url: the line whose file name is the download's base name). A checksum file is
 * fetched again on every online build (it may describe a moving "latest") and stored in the
 * cache, keyed by its URL, once the download it vouches for has verified; offline builds use
 * the stored copy. Archive members (`extract`) are extracted on every build into a private
 * temp directory under $TMPDIR, removed by pw_sources_release: extraction is cheap next to a
 * download, and it keeps the cache made of verified downloads only.
 *
 * A source with `layouts` resolves one of them: the one `layout` names, or with "auto" the
 * first whose first request does not answer 404 (a missing file for file:// URLs). The auto
 * choice is stored in the cache (an URL-keyed entry named by the layouts' first URLs), so an
 * offline build takes the same layout without asking. */
#ifndef PW_CORE_SOURCES_H
#define PW_CORE_SOURCES_H

#include "../base/buf.h"
#include "../base/err.h"
#include "ctx.h"
#include "hash.h"
#include "manifest.h"

struct pw_resolved_source {
    char *name;
    char *file; /* the verified download in the cache */
    char *dir;  /* extracted members (archives), or NULL for a plain file */
    char *url;
    char *url_base; /* the URL's last path component: source:NAME/<url_base> */
    enum pw_hash_algo algo;
    char *digest;   /* lowercase hex */
    int downloaded; /* 1: fetched by this call; 0: found in the cache */
    char *layout;   /* the layout used, for a source with layouts; else NULL */
    /* A source of loose files: one part per download, each named by its url_base (file, url,
     * digest and downloaded are then the parts'; the source's own are unset). */
    struct pw_resolved_source *parts;
    size_t nparts;
};

struct pw_sources {
    struct pw_resolved_source *v;
    size_t n;
    char *work_dir; /* per-build temp dir (extracted members, cache without ctx->cache_dir) */
};

void pw_sources_init(struct pw_sources *s);
void pw_sources_release(struct pw_sources *s);
/* Fetches (or finds in the cache) and verifies every source of pkg, and extracts archive
 * members. Errors name the manifest and the source ("FILE: sources[0]: ...") and the URL:
 * PW_E_CHECKSUM on a digest mismatch, PW_E_NETWORK when a download fails, PW_E_OFFLINE when
 * ctx->offline and the cache lacks a file (the message says to run `packwright fetch`). */
int pw_sources_fetch(const struct pw_package *pkg, const struct pw_ctx *ctx, struct pw_sources *out,
                     struct pw_err *err);
/* Maps "NAME/path" (after "source:") to a file on disk, written to out and returned; NULL
 * with err set (PW_E_MANIFEST) when unknown. A plain file is "NAME" or "NAME/<url_base>"; an
 * archive's members are "NAME/member/path" ("NAME" alone is the extraction directory). */
const char *pw_sources_path(const struct pw_sources *s, const char *ref, struct pw_buf *out,
                            struct pw_err *err);
/* Whether "NAME/path" names something the fetched source has (for `optional` contents). */
int pw_sources_exists(const struct pw_sources *s, const char *ref);

/* Finds the sha512 digest of the file called base_name in a sha512sum-format text (GNU
 * "HEX  NAME" or "HEX *NAME" lines, BSD "SHA512 (NAME) = HEX" lines, or one lone digest).
 * Writes 129 bytes of lowercase hex to hex. PW_E_CHECKSUM when there is no (single) match. */
int pw_sources_parse_sha512sum(const char *text, const char *base_name, char *hex,
                               struct pw_err *err);

#endif
