/* The local side of a mirror run: what the repository already serves (read from its own
 * published indexes, so a package already there is never fetched again), and publishing the
 * chosen set as one generation (repo.h pw_repo_sync) when it differs from what is served. */
#include <stdlib.h>
#include <string.h>

#include "../base/fs.h"
#include "mirror_int.h"
#include "repo.h"

/* "COMPONENT SHA256" of a package, the unit the mirror compares. */
static void key_of(const char *component, const char *sha256, struct pw_buf *out)
{
    pw_buf_reset(out);
    pw_buf_addf(out, "%s %s", component, sha256);
}

static void remember(struct pw_mirror *m, const char *component, const struct pw_upkg *p,
                     const char *prefix)
{
    if (!p->sha256)
        return;
    struct pw_buf k = PW_BUF_INIT, path = PW_BUF_INIT;
    key_of(component, p->sha256, &k);
    if (!pw_strvec_contains(&m->local_keys, k.buf)) {
        pw_buf_addf(&path, "%s/%s%s", m->o->repo, prefix, p->location);
        pw_strvec_push(&m->local_keys, k.buf);
        pw_strvec_push(&m->local_paths, path.buf);
    }
    pw_buf_release(&k);
    pw_buf_release(&path);
}

static int local_apt_index(struct pw_mirror *m, const char *rel, const char *component,
                           struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT;
    struct pw_upkgs u;
    pw_upkgs_init(&u);
    pw_buf_addf(&path, "%s/deb/dists/%s/%s", m->o->repo, m->o->suite, rel);
    int rc = pw_mirror_read_packages(path.buf, &u, err);
    for (size_t i = 0; rc == 0 && i < u.n; i++)
        remember(m, component, &u.v[i], "deb/");
    pw_upkgs_release(&u);
    pw_buf_release(&path);
    return rc;
}

/* The packages the repository serves in the suite: every COMP/binary-ARCH/Packages its
 * Release lists. */
static int local_apt(struct pw_mirror *m, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT, text = PW_BUF_INIT;
    struct pw_apt_release r;
    pw_apt_release_init(&r);
    pw_buf_addf(&path, "%s/deb/dists/%s/Release", m->o->repo, m->o->suite);
    int rc = 0;
    if (!pw_fs_exists(path.buf))
        goto out;
    rc = pw_fs_read_file(path.buf, &text, err);
    if (rc == 0)
        rc = pw_apt_release_parse(text.buf, text.len, &r, err);
    for (size_t i = 0; rc == 0 && i < r.nfiles; i++) {
        const char *f = r.files[i].path, *bin = strstr(f, "/binary-");
        size_t n = strlen(f);
        if (!bin || n < 9 || strcmp(f + n - 9, "/Packages") || strstr(f, "/by-hash/"))
            continue;
        char *component = pw_xstrndup(f, (size_t)(bin - f));
        rc = local_apt_index(m, f, component, err);
        free(component);
    }
out:
    pw_apt_release_release(&r);
    pw_buf_release(&path);
    pw_buf_release(&text);
    return rc;
}

static int local_rpm(struct pw_mirror *m, struct pw_err *err)
{
    struct pw_buf root = PW_BUF_INIT, path = PW_BUF_INIT;
    struct pw_upkgs u;
    pw_upkgs_init(&u);
    pw_buf_addf(&root, "%s/rpm", m->o->repo);
    pw_buf_addf(&path, "%s/repodata/repomd.xml", root.buf);
    int rc = pw_fs_exists(path.buf) ? pw_mirror_read_rpmmd(root.buf, &u, err) : 0;
    for (size_t i = 0; rc == 0 && i < u.n; i++)
        remember(m, "", &u.v[i], "rpm/");
    pw_upkgs_release(&u);
    pw_buf_release(&root);
    pw_buf_release(&path);
    return rc;
}

int pw_mirror_local_load(struct pw_mirror *m, struct pw_err *err)
{
    int rc = m->o->family == PW_FAMILY_DEB ? local_apt(m, err) : local_rpm(m, err);
    return rc < 0 ? pw_err_prefix(err, "reading the local repository '%s': ", m->o->repo) : 0;
}

const char *pw_mirror_component(const struct pw_mirror *m, const struct pw_upkg *p)
{
    return m->o->family == PW_FAMILY_DEB ? m->origins.v[p->origin] : "";
}

const char *pw_mirror_local_file(const struct pw_mirror *m, const struct pw_upkg *p)
{
    if (!p->sha256)
        return NULL;
    struct pw_buf k = PW_BUF_INIT;
    key_of(pw_mirror_component(m, p), p->sha256, &k);
    const char *found = NULL;
    for (size_t i = 0; !found && i < m->local_keys.n; i++)
        if (!strcmp(m->local_keys.v[i], k.buf) && pw_fs_exists(m->local_paths.v[i]))
            found = m->local_paths.v[i];
    pw_buf_release(&k);
    return found;
}

/* Whether the chosen set is exactly what the repository serves already. */
static int unchanged(const struct pw_mirror *m, const unsigned char *sel)
{
    struct pw_strvec want = PW_STRVEC_INIT;
    struct pw_buf k = PW_BUF_INIT;
    int same = 1;
    for (size_t i = 0; same && i < m->pkgs.n; i++) {
        if (!sel[i])
            continue;
        const struct pw_upkg *p = &m->pkgs.v[i];
        same = p->sha256 != NULL;
        if (same) {
            key_of(pw_mirror_component(m, p), p->sha256, &k);
            same = pw_strvec_contains(&m->local_keys, k.buf);
            if (!pw_strvec_contains(&want, k.buf))
                pw_strvec_push(&want, k.buf);
        }
    }
    same = same && want.n == m->local_keys.n;
    pw_strvec_release(&want);
    pw_buf_release(&k);
    return same;
}

int pw_mirror_publish(struct pw_mirror *m, const unsigned char *sel, char *const *files,
                      struct pw_err *err)
{
    if (!m->o->sign_key && unchanged(m, sel)) {
        pw_mirror_notef(m->o->note, m->o->note_data,
                        "the repository already serves exactly this set: nothing to publish");
        return 0;
    }
    struct pw_strvec paths = PW_STRVEC_INIT, comps = PW_STRVEC_INIT;
    for (size_t i = 0; i < m->pkgs.n; i++) {
        if (!sel[i])
            continue;
        pw_strvec_push(&paths, files[i]);
        pw_strvec_push(&comps, pw_mirror_component(m, &m->pkgs.v[i]));
    }
    struct pw_repo_opts ro;
    pw_repo_opts_init(&ro);
    ro.path = m->o->repo;
    ro.suite = m->o->family == PW_FAMILY_DEB ? m->o->suite : NULL;
    ro.sign_key = m->o->sign_key;
    ro.archs = (const char *const *)m->archs.v;
    ro.narchs = m->archs.n;
    ro.ctx = m->o->ctx;
    ro.note = m->o->note;
    ro.note_data = m->o->note_data;
    int deb = m->o->family == PW_FAMILY_DEB;
    int rc = pw_repo_sync(&ro, deb ? "deb" : "rpm", paths.v,
                          deb ? (const char *const *)comps.v : NULL, paths.n, err);
    pw_strvec_release(&paths);
    pw_strvec_release(&comps);
    return rc < 0 ? pw_err_prefix(err, "publishing into '%s': ", m->o->repo) : 0;
}
