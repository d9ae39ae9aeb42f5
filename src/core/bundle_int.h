/* Internals shared by bundle.c (creating) and bundle_read.c (verifying, importing). */
#ifndef PW_CORE_BUNDLE_INT_H
#define PW_CORE_BUNDLE_INT_H

#include "../base/err.h"
#include "../base/strvec.h"
#include "bundle.h"

#define PW_BUNDLE_MAGIC "packwright-bundle 1"
#define PW_BUNDLE_MANIFEST "packwright-bundle/manifest"
#define PW_BUNDLE_SIGNATURE "packwright-bundle/manifest.asc"
#define PW_BUNDLE_KEY "packwright-bundle/key.gpg"
#define PW_BUNDLE_REPO_PREFIX "repo/"
/* Marks a directory made by `bundle import`: a later import may replace it. */
#define PW_BUNDLE_IMPORT_MARK ".packwright-import"

/* Every file clients reach in the repository at root (relative names, sorted): the entry
 * points' trees (deb/dists, rpm/repodata), the pool files their indexes name, the client
 * files at the top (keys, .sources, .repo). */
int pw_bundle_collect(const char *root, struct pw_strvec *names, struct pw_err *err);

#endif
