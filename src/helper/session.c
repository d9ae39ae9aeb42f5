/* The edit session every editing verb runs: lock, parse, edit, record, write. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "helper.h"
#include "toml/tomlfile.h"
#include "toml/tomlstate.h"
#include "toml/udiff.h"

int helper_read_input(const char *path, struct pw_buf *out, struct pw_err *err)
{
    if (strcmp(path, "-"))
        return pw_fs_read_file(path, out, err);
    char chunk[65536];
    for (;;) {
        ssize_t n = read(0, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return pw_err_errno(err, PW_E_IO, errno, "cannot read the standard input");
        if (n == 0)
            return 0;
        pw_buf_add(out, chunk, (size_t)n);
    }
}

void helper_state_path(const struct run *r, struct pw_buf *out)
{
    const char *dir = r->o.state_dir ? r->o.state_dir : getenv("PACKWRIGHT_TOML_STATE_DIR");
    if (!dir || !*dir)
        dir = PW_HELPER_DEFAULT_STATE_DIR;
    pw_buf_addf(out, "%s/state.toml", dir);
}

char *helper_config_name(const char *path)
{
    char *real = realpath(path, NULL);
    if (real)
        return real;
    const char *slash = strrchr(path, '/');
    char *dir =
        slash ? pw_xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : pw_xstrdup(".");
    char *rdir = realpath(dir, NULL);
    struct pw_buf b = PW_BUF_INIT;
    if (rdir)
        pw_buf_addf(&b, "%s/%s", strcmp(rdir, "/") ? rdir : "", slash ? slash + 1 : path);
    else
        pw_buf_adds(&b, path);
    free(dir);
    free(rdir);
    return pw_buf_detach(&b, NULL);
}

/* Opens (locks, unless --dry-run) and parses the state file. */
static int state_open(struct run *r, const struct pw_tomlfile *held, struct pw_tomlfile *sf,
                      struct pw_tomlstate *st, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT;
    helper_state_path(r, &path);
    unsigned flags = r->o.dry_run ? 0 : PW_TOMLFILE_LOCK | PW_TOMLFILE_MKDIR;
    int rc = pw_tomlfile_open(sf, path.buf, flags, r->lock_timeout, held, err);
    if (!rc)
        rc = pw_tomlstate_parse(st, path.buf, sf->text.buf, sf->text.len, err);
    pw_buf_release(&path);
    return rc;
}

static int state_save(struct pw_tomlfile *sf, const struct pw_tomlstate *st, struct pw_err *err)
{
    if (!st->changes.n && !st->tables.n && !st->created.n)
        return sf->exists ? pw_tomlfile_remove(sf, err) : 0;
    struct pw_buf text = PW_BUF_INIT;
    pw_tomlstate_format(st, &text);
    int rc = pw_tomlfile_write(sf, text.buf, text.len, err);
    pw_buf_release(&text);
    return rc;
}

/* Puts the state file back as it was when the config could not be written. */
static void state_restore(struct pw_tomlfile *sf, int existed, const struct pw_buf *old)
{
    struct pw_err ignored;
    pw_err_init(&ignored);
    if (existed)
        pw_tomlfile_write(sf, old->buf, old->len, &ignored);
    else
        pw_tomlfile_remove(sf, &ignored);
}

static void print_diff(const char *path, int existed, const struct pw_toml_doc *old,
                       const struct pw_toml_doc *new)
{
    struct pw_buf diff = PW_BUF_INIT;
    pw_udiff(existed ? path : NULL, old->src, old->len, new ? path : NULL, new ? new->src : "",
             new ? new->len : 0, &diff);
    fwrite(diff.buf, 1, diff.len, stdout);
    pw_buf_release(&diff);
}

struct session {
    struct pw_tomlfile file, state_file;
    struct pw_tomlstate state;
    struct pw_toml_doc *old, *doc;
    struct pw_toml_doc *base; /* what the owner's changes are measured from */
    struct pw_err err;
};

static int record_and_write(struct run *r, struct session *s)
{
    struct pw_buf old_state = PW_BUF_INIT;
    int state_existed = 0, rc = 0;
    char *name = NULL;
    if (r->o.owner) {
        rc = state_open(r, &s->file, &s->state_file, &s->state, &s->err);
        if (rc)
            goto out;
        name = helper_config_name(s->file.path);
        pw_buf_add(&old_state, s->state_file.text.buf, s->state_file.text.len);
        state_existed = s->state_file.exists;
        if (!s->file.exists)
            pw_tomlstate_mark_created(&s->state, name);
        pw_tomlstate_record(&s->state, r->o.owner, name, s->base ? s->base : s->old, s->doc);
        rc = state_save(&s->state_file, &s->state, &s->err);
        if (rc)
            goto out;
    }
    rc = pw_tomlfile_write(&s->file, s->doc->src, s->doc->len, &s->err);
    if (rc && r->o.owner)
        state_restore(&s->state_file, state_existed, &old_state);
out:
    free(name);
    pw_buf_release(&old_state);
    return rc;
}

static unsigned open_flags(const struct run *r, enum helper_missing missing)
{
    if (r->o.dry_run)
        return 0;
    return PW_TOMLFILE_LOCK | (missing == MISSING_CREATE ? PW_TOMLFILE_MKDIR : 0);
}

static int changed(const struct pw_toml_doc *a, const struct pw_toml_doc *b)
{
    return a->len != b->len || memcmp(a->src, b->src, a->len);
}

static void session_release(struct session *s)
{
    pw_toml_doc_free(s->old);
    pw_toml_doc_free(s->doc);
    pw_toml_doc_free(s->base);
    pw_tomlstate_release(&s->state);
    pw_tomlfile_release(&s->state_file);
    pw_tomlfile_release(&s->file);
}

#define SESSION_INIT                                                                               \
    {                                                                                              \
        PW_TOMLFILE_INIT, PW_TOMLFILE_INIT, PW_TOMLSTATE_INIT, NULL, NULL, NULL,                   \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

int helper_edit_session(struct run *r, const char *path, enum helper_missing missing,
                        helper_edit_fn prepare, helper_edit_fn fn, void *ctx)
{
    struct session s = SESSION_INIT;
    pw_err_init(&s.err);
    int rc = pw_tomlfile_open(&s.file, path, open_flags(r, missing), r->lock_timeout, NULL, &s.err);
    if (rc || (!s.file.exists && missing == MISSING_SKIP))
        goto out;
    rc = pw_toml_parse(path, s.file.text.buf, s.file.text.len, &s.old, &s.err);
    if (!rc)
        rc = pw_toml_parse(path, s.file.text.buf, s.file.text.len, &s.doc, &s.err);
    if (!rc && prepare) {
        rc = prepare(r, &s.doc, ctx, &s.err);
        if (!rc)
            rc = pw_toml_parse(path, s.doc->src, s.doc->len, &s.base, &s.err);
    }
    if (!rc)
        rc = fn(r, &s.doc, ctx, &s.err);
    if (rc || !changed(s.old, s.doc))
        goto out; /* an error, or nothing to change: nothing is written */
    if (r->o.dry_run)
        print_diff(path, s.file.exists, s.old, s.doc);
    else
        rc = record_and_write(r, &s);
out:
    if (rc)
        helper_error(&s.err);
    session_release(&s);
    return rc ? pw_err_exit_status(rc) : 0;
}

int helper_undo(struct run *r)
{
    const char *path = r->o.config ? r->o.config : PW_HELPER_DEFAULT_CONFIG;
    struct session s = SESSION_INIT;
    struct pw_strvec warnings = PW_STRVEC_INIT;
    char *name = NULL;
    if (!r->o.owner)
        return helper_usage_error("undo needs --owner NAME");
    pw_err_init(&s.err);
    int rc =
        pw_tomlfile_open(&s.file, path, open_flags(r, MISSING_SKIP), r->lock_timeout, NULL, &s.err);
    if (!rc)
        rc = state_open(r, &s.file, &s.state_file, &s.state, &s.err);
    if (!rc)
        rc = pw_toml_parse(path, s.file.text.buf, s.file.text.len, &s.old, &s.err);
    if (!rc)
        rc = pw_toml_parse(path, s.file.text.buf, s.file.text.len, &s.doc, &s.err);
    if (rc)
        goto out;
    name = helper_config_name(s.file.path);
    rc = pw_tomlstate_undo(&s.state, r->o.owner, name, &s.doc, &warnings, &s.err);
    for (size_t i = 0; i < warnings.n; i++)
        helper_warn("%s", warnings.v[i]);
    if (rc)
        goto out;
    int remove = s.file.exists && pw_tomlstate_created_and_unused(&s.state, name, s.doc);
    if (r->o.dry_run) {
        if (remove || changed(s.old, s.doc))
            print_diff(path, s.file.exists, s.old, remove ? NULL : s.doc);
        goto out;
    }
    if (remove)
        rc = pw_tomlfile_remove(&s.file, &s.err);
    else if (changed(s.old, s.doc) && s.file.exists)
        rc = pw_tomlfile_write(&s.file, s.doc->src, s.doc->len, &s.err);
    if (!rc)
        rc = state_save(&s.state_file, &s.state, &s.err);
out:
    if (rc)
        helper_error(&s.err);
    free(name);
    pw_strvec_release(&warnings);
    session_release(&s);
    return rc ? pw_err_exit_status(rc) : 0;
}
