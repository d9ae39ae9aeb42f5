/* The rpm-md side of a mirror run: repomd.xml and its detached signature verified with gpgv,
 * then primary.xml fetched, checked against repomd's checksum and size, and parsed while it
 * is decompressed. */
#include <string.h>

#include "mirror_int.h"

static int fetch_repomd(struct pw_mirror *m, struct pw_err *err)
{
    int rc = pw_mirror_fetch_small(m, "repodata/repomd.xml", 0, &m->entry, err);
    if (rc == 0)
        rc = pw_mirror_fetch_signature(m, "repodata/repomd.xml.asc", err);
    if (rc == 0)
        rc = pw_mirror_verify_signature(m, "repodata/repomd.xml", m->entry.buf, m->entry.len,
                                        m->entry_sig.buf, m->entry_sig.len, err);
    return rc;
}

static int load_primary(struct pw_mirror *m, const struct pw_rpmmd_data *d, struct pw_err *err)
{
    struct pw_buf file = PW_BUF_INIT, url = PW_BUF_INIT;
    int rc = pw_mirror_fetch_index(m, d->href, NULL, d->size, d->algo, d->digest, &file, err);
    if (rc == 0)
        rc = pw_mirror_read_primary(file.buf, &m->pkgs, err);
    pw_mirror_url(m, d->href, &url);
    if (rc < 0)
        pw_err_prefix(err, "upstream '%s': ", url.buf);
    pw_buf_release(&file);
    pw_buf_release(&url);
    return rc;
}

static int rpm_load(struct pw_mirror *m, struct pw_err *err)
{
    struct pw_rpmmd_repomd r;
    pw_rpmmd_repomd_init(&r);
    int rc = fetch_repomd(m, err);
    if (rc == 0 && pw_rpmmd_repomd_parse(m->entry.buf, m->entry.len, &r, err) < 0)
        rc = pw_err_prefix(err, "upstream '%s': ", m->url);
    const struct pw_rpmmd_data *primary = rc == 0 ? pw_rpmmd_repomd_find(&r, "primary") : NULL;
    if (rc == 0 && !primary)
        rc = pw_err_set(
            err, PW_E_FORMAT, "upstream '%s': repomd.xml lists no primary data%s", m->url,
            pw_rpmmd_repomd_find(&r, "primary_zck") ? " (zchunk is not supported)" : "");
    if (rc == 0)
        rc = load_primary(m, primary, err);
    const struct pw_rpmmd_data *fl = rc == 0 ? pw_rpmmd_repomd_find(&r, "filelists") : NULL;
    if (fl) { /* read only when a file requirement needs it */
        m->filelists = *fl;
        m->filelists.type = pw_xstrdup(fl->type);
        m->filelists.href = pw_xstrdup(fl->href);
        m->filelists.digest = pw_xstrdup(fl->digest);
    }
    pw_rpmmd_repomd_release(&r);
    return rc;
}

static int rpm_more_files(struct pw_mirror *m, struct pw_err *err)
{
    const struct pw_rpmmd_data *d = &m->filelists;
    if (!d->href)
        return 0;
    struct pw_buf file = PW_BUF_INIT, url = PW_BUF_INIT;
    int rc = pw_mirror_fetch_index(m, d->href, NULL, d->size, d->algo, d->digest, &file, err);
    if (rc == 0)
        rc = pw_mirror_read_filelists(file.buf, &m->pkgs, err);
    pw_mirror_url(m, d->href, &url);
    if (rc < 0)
        pw_err_prefix(err, "upstream '%s': ", url.buf);
    pw_buf_release(&file);
    pw_buf_release(&url);
    return rc < 0 ? rc : 1;
}

const struct pw_mirror_family pw_mirror_family_rpm = {"rpm", rpm_load, rpm_more_files};
