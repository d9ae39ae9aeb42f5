#define _POSIX_C_SOURCE 200809L
#include "sources.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../base/fs.h"
#include "cache.h"
#include "fetch.h"
#include "untar.h"

/* A checksum file is a few lines; anything bigger is not one. */
#define CHECKSUM_FILE_MAX (1u << 20)

void pw_sources_init(struct pw_sources *s)
{
    memset(s, 0, sizeof(*s));
}

static void resolved_release(struct pw_resolved_source *r)
{
    free(r->name);
    free(r->file);
    free(r->dir);
    free(r->url);
    free(r->url_base);
    free(r->digest);
    free(r->layout);
    for (size_t i = 0; i < r->nparts; i++)
        resolved_release(&r->parts[i]);
    free(r->parts);
}

void pw_sources_release(struct pw_sources *s)
{
    for (size_t i = 0; i < s->n; i++)
        resolved_release(&s->v[i]);
    free(s->v);
    if (s->work_dir) {
        struct pw_err ignored;
        pw_err_init(&ignored);
        pw_fs_remove_tree(s->work_dir, &ignored);
        free(s->work_dir);
    }
    pw_sources_init(s);
}

/* The first request of a layout being tried: if it answers 404, the next layout is tried. */
struct probe {
    int requests;
    int first_missing; /* the first request answered 404 (file:// : no such file) */
};

/* One source (or one of its layouts or files) on its way: what every step needs, and what
 * messages name. */
struct source_job {
    const struct pw_package *pkg;
    const struct pw_source_spec *spec; /* the download: the source, a layout or a file */
    size_t index;
    const struct pw_ctx *ctx;
    const char *cache_dir;
    struct pw_resolved_source *r;
    struct pw_buf checksum_text; /* a freshly downloaded sha512_url file, stored on success */
    int store_checksum;
    struct probe *probe; /* while layouts are tried, else NULL */
};

/* Whether a failed request for url (last HTTP status) found nothing there. */
static int url_missing(const char *url, long status)
{
    if (status == 404)
        return 1;
    if (strncmp(url, "file://", 7))
        return 0;
    const char *path = url + 7;
    if (!strncmp(path, "localhost/", 10))
        path += 9;
    struct stat st;
    return stat(path, &st) < 0 && errno == ENOENT;
}

/* A download that got no answer at all (no network, no route, no name): says how to build
 * without one. */
static void hint_offline(const struct source_job *j, const char *url, long status,
                         struct pw_err *err)
{
    if (err->code != PW_E_NETWORK || status != 0 || !strncmp(url, "file://", 7))
        return;
    size_t n = strlen(err->msg);
    snprintf(err->msg + n, sizeof(err->msg) - n,
             "; without network access, run 'packwright fetch %s' (with the same variables) "
             "where it can be reached, and build with --offline",
             j->pkg->manifest_path ? j->pkg->manifest_path : "PKG");
}

/* Counts a request; notes when the first of a probe found nothing. */
static void note_request(struct source_job *j, const char *url, long status, int failed)
{
    if (!j->probe)
        return;
    if (++j->probe->requests == 1 && failed && url_missing(url, status))
        j->probe->first_missing = 1;
}

/* Prefixes err with "FILE: sources[N][.field]: " and returns the code. */
static int fail_at(const struct source_job *j, const char *field, struct pw_err *err)
{
    const char *file = j->pkg->manifest_path ? j->pkg->manifest_path : "manifest";
    char where[64];
    if (j->spec->json_path)
        snprintf(where, sizeof(where), "%s", j->spec->json_path);
    else
        snprintf(where, sizeof(where), "sources[%zu]", j->index);
    return pw_err_prefix(err, "%s: %s%s%s: ", file, where, field ? "." : "", field ? field : "");
}

static char *url_base_name(const char *url)
{
    size_t end = strcspn(url, "?#");
    size_t start = end;
    while (start > 0 && url[start - 1] != '/')
        start--;
    return pw_xstrndup(url + start, end - start);
}

static int valid_name(const char *name)
{
    return name && *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

static int check_spec(struct source_job *j, struct pw_err *err)
{
    const struct pw_source_spec *sp = j->spec;
    if (!valid_name(sp->name)) {
        pw_err_set(err, PW_E_MANIFEST, "'%s' is not a valid source name (no '/', not empty)",
                   sp->name ? sp->name : "");
        return fail_at(j, "name", err);
    }
    if (!sp->url || !pw_fetch_scheme_allowed(sp->url)) {
        pw_err_set(err, PW_E_MANIFEST, "'%s' is not an https, http or file URL",
                   sp->url ? sp->url : "");
        return fail_at(j, "url", err);
    }
    if (!*j->r->url_base) {
        pw_err_set(err, PW_E_MANIFEST, "'%s' does not end with a file name", sp->url);
        return fail_at(j, "url", err);
    }
    int given = !!sp->sha256 + !!sp->sha512 + !!sp->sha512_url;
    if (given != 1) {
        pw_err_set(err, PW_E_MANIFEST, "give exactly one of sha256, sha512 and sha512_url");
        return fail_at(j, NULL, err);
    }
    if (sp->sha512_url && !pw_fetch_scheme_allowed(sp->sha512_url)) {
        pw_err_set(err, PW_E_MANIFEST, "'%s' is not an https, http or file URL", sp->sha512_url);
        return fail_at(j, "sha512_url", err);
    }
    return 0;
}

/* Copies exactly 2*pw_hash_len(algo) hex digits, lowercased. */
static int take_hex(const char *hex, enum pw_hash_algo algo, char **out)
{
    size_t want = 2 * pw_hash_len(algo);
    if (strlen(hex) != want)
        return -1;
    char *copy = pw_xstrdup(hex);
    for (size_t i = 0; i < want; i++) {
        if (!isxdigit((unsigned char)copy[i])) {
            free(copy);
            return -1;
        }
        copy[i] = (char)tolower((unsigned char)copy[i]);
    }
    *out = copy;
    return 0;
}

static int take_inline_digest(struct source_job *j, enum pw_hash_algo algo, const char *hex,
                              struct pw_err *err)
{
    j->r->algo = algo;
    if (take_hex(hex, algo, &j->r->digest) == 0)
        return 0;
    pw_err_set(err, PW_E_MANIFEST, "must be %zu hexadecimal digits", 2 * pw_hash_len(algo));
    return fail_at(j, pw_hash_name(algo), err);
}

static int buffer_write(void *data, const void *bytes, size_t len, struct pw_err *err)
{
    struct pw_buf *b = data;
    if (b->len + len > CHECKSUM_FILE_MAX)
        return pw_err_set(err, PW_E_NETWORK, "more than %u bytes: not a checksum file",
                          CHECKSUM_FILE_MAX);
    pw_buf_add(b, bytes, len);
    return 0;
}

static int buffer_reset(void *data, struct pw_err *err)
{
    (void)err;
    pw_buf_reset(data);
    return 0;
}

static int load_checksum_file(struct source_job *j, struct pw_buf *text, struct pw_err *err)
{
    const char *url = j->spec->sha512_url;
    if (j->ctx->offline) {
        int rc = j->cache_dir ? pw_cache_url_load(j->cache_dir, url, text, err) : 0;
        if (rc < 0)
            return fail_at(j, "sha512_url", err);
        if (rc == 0) {
            pw_err_set(err, PW_E_OFFLINE,
                       "the checksum file '%s' is not in the cache '%s' and --offline forbids "
                       "downloading it; run 'packwright fetch %s' (with the same variables) "
                       "where it can be reached",
                       url, j->cache_dir ? j->cache_dir : "(none)", j->pkg->manifest_path);
            return fail_at(j, "sha512_url", err);
        }
        return 0;
    }
    struct pw_fetch_sink sink = {buffer_write, buffer_reset, text};
    long status = 0;
    int rc = pw_fetch_url(url, url, &sink, j->ctx, &status, err);
    note_request(j, url, status, rc < 0);
    if (rc < 0) {
        hint_offline(j, url, status, err);
        return fail_at(j, "sha512_url", err);
    }
    j->store_checksum = 1;
    return 0;
}

static int digest_from_checksum_file(struct source_job *j, struct pw_err *err)
{
    struct pw_buf *text = &j->checksum_text;
    int rc = load_checksum_file(j, text, err);
    if (rc < 0)
        return rc;
    char hex[2 * PW_HASH_MAX_LEN + 1];
    if (memchr(text->buf, '\0', text->len) ||
        pw_sources_parse_sha512sum(text->buf, j->r->url_base, hex, err) < 0) {
        if (!err->code)
            pw_err_set(err, PW_E_CHECKSUM, "not a sha512sum file");
        pw_err_prefix(err, "'%s': ", j->spec->sha512_url);
        return fail_at(j, "sha512_url", err);
    }
    j->r->algo = PW_HASH_SHA512;
    j->r->digest = pw_xstrdup(hex);
    return 0;
}

static int expected_digest(struct source_job *j, struct pw_err *err)
{
    const struct pw_source_spec *sp = j->spec;
    if (sp->sha256)
        return take_inline_digest(j, PW_HASH_SHA256, sp->sha256, err);
    if (sp->sha512)
        return take_inline_digest(j, PW_HASH_SHA512, sp->sha512, err);
    return digest_from_checksum_file(j, err);
}

static int writer_write(void *data, const void *bytes, size_t len, struct pw_err *err)
{
    return pw_cache_writer_write(data, bytes, len, err);
}

static int writer_reset(void *data, struct pw_err *err)
{
    return pw_cache_writer_reset(data, err);
}

static int download(struct source_job *j, struct pw_buf *path, struct pw_err *err)
{
    struct pw_cache_writer w;
    int rc = pw_cache_writer_open(&w, j->cache_dir, j->r->algo, j->r->digest, err);
    if (rc < 0)
        return fail_at(j, NULL, err);
    struct pw_fetch_sink sink = {writer_write, writer_reset, &w};
    long status = 0;
    rc = pw_fetch_url(j->spec->url, j->r->name, &sink, j->ctx, &status, err);
    note_request(j, j->spec->url, status, rc < 0);
    if (rc < 0) {
        hint_offline(j, j->spec->url, status, err);
        pw_cache_writer_abort(&w);
        return fail_at(j, NULL, err);
    }
    rc = pw_cache_writer_commit(&w, path, err);
    if (rc == -PW_E_CHECKSUM)
        pw_err_prefix(err, "'%s': ", j->spec->url);
    if (rc < 0)
        return fail_at(j, NULL, err);
    j->r->downloaded = 1;
    return 0;
}

static int offline_miss(struct source_job *j, int corrupt, struct pw_err *err)
{
    const char *dir = j->cache_dir ? j->cache_dir : "(none)";
    if (corrupt)
        pw_err_set(err, PW_E_OFFLINE,
                   "the cached copy of '%s' in '%s' does not match its %s and --offline "
                   "forbids downloading it again; run 'packwright fetch %s' (with the same "
                   "variables) where it can be reached",
                   j->spec->url, dir, pw_hash_name(j->r->algo), j->pkg->manifest_path);
    else
        pw_err_set(err, PW_E_OFFLINE,
                   "'%s' is not in the cache '%s' and --offline forbids downloading it; run "
                   "'packwright fetch %s' (with the same variables) where it can be reached, "
                   "or point --cache-dir at a filled cache",
                   j->spec->url, dir, j->pkg->manifest_path);
    return fail_at(j, NULL, err);
}

static int find_or_download(struct source_job *j, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT;
    int corrupt = 0;
    int rc = 0;
    if (j->cache_dir)
        rc = pw_cache_lookup(j->cache_dir, j->r->algo, j->r->digest, &path, &corrupt, err);
    if (rc < 0)
        rc = fail_at(j, NULL, err);
    else if (rc == 0 && j->ctx->offline)
        rc = offline_miss(j, corrupt, err);
    else if (rc == 0)
        rc = download(j, &path, err);
    if (rc >= 0)
        j->r->file = pw_buf_detach(&path, NULL);
    pw_buf_release(&path);
    return rc < 0 ? rc : 0;
}

static int ensure_work_dir(struct pw_sources *s, struct pw_err *err)
{
    if (s->work_dir)
        return 0;
    const char *tmp = getenv("TMPDIR");
    struct pw_buf dir = PW_BUF_INIT;
    pw_buf_addf(&dir, "%s/packwright-sources-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir.buf)) {
        int rc = pw_err_errno(err, PW_E_IO, errno, "cannot create a directory like '%s'", dir.buf);
        pw_buf_release(&dir);
        return rc;
    }
    s->work_dir = pw_buf_detach(&dir, NULL);
    return 0;
}

static int extract(struct source_job *j, struct pw_sources *s, struct pw_err *err)
{
    int rc = ensure_work_dir(s, err);
    struct pw_buf dir = PW_BUF_INIT;
    struct pw_strvec members = PW_STRVEC_INIT;
    for (size_t i = 0; i < j->spec->extract.n; i++)
        pw_strvec_push(&members, j->spec->extract.v[i]);
    for (size_t i = 0; i < j->spec->extract_optional.n; i++)
        pw_strvec_push(&members, j->spec->extract_optional.v[i]);
    if (rc == 0) {
        pw_buf_addf(&dir, "%s/src/%s", s->work_dir, j->r->name);
        rc = pw_fs_mkdir_p(dir.buf, 0755, err);
    }
    if (rc == 0)
        rc = pw_untar_members_opt(j->r->file, j->spec->url, &members, j->spec->extract.n, dir.buf,
                                  err);
    if (rc == 0)
        j->r->dir = pw_buf_detach(&dir, NULL);
    pw_strvec_release(&members);
    pw_buf_release(&dir);
    return rc < 0 ? fail_at(j, rc == -PW_E_MANIFEST ? "extract" : NULL, err) : 0;
}

static int check_unique_name(const struct pw_sources *s, struct source_job *j, struct pw_err *err)
{
    for (size_t i = 0; i < s->n; i++) {
        if (j->spec->name && !strcmp(s->v[i].name, j->spec->name)) {
            pw_err_set(err, PW_E_MANIFEST, "a source named '%s' exists already", j->spec->name);
            return fail_at(j, "name", err);
        }
    }
    return 0;
}

static struct pw_resolved_source *add_resolved(struct pw_sources *s,
                                               const struct pw_source_spec *spec)
{
    s->v = pw_xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
    struct pw_resolved_source *r = &s->v[s->n++];
    memset(r, 0, sizeof(*r));
    r->name = pw_xstrdup(spec->name ? spec->name : "");
    r->url = pw_xstrdup(spec->url ? spec->url : "");
    r->url_base = url_base_name(r->url);
    return r;
}

/* One download (url and digest, perhaps an archive) into j->r. */
static int resolve_download(struct source_job *j, struct pw_sources *s, struct pw_err *err)
{
    int rc = check_spec(j, err);
    if (rc == 0)
        rc = expected_digest(j, err);
    if (rc == 0)
        rc = find_or_download(j, err);
    if (rc == 0 && j->store_checksum) {
        rc = pw_cache_url_store(j->cache_dir, j->spec->sha512_url, j->checksum_text.buf,
                                j->checksum_text.len, err);
        if (rc < 0)
            fail_at(j, "sha512_url", err);
    }
    if (rc == 0 && (j->spec->extract.n || j->spec->extract_optional.n))
        rc = extract(j, s, err);
    return rc;
}

static void resolved_init(struct pw_resolved_source *r, const char *name, const char *url)
{
    memset(r, 0, sizeof(*r));
    r->name = pw_xstrdup(name ? name : "");
    r->url = pw_xstrdup(url ? url : "");
    r->url_base = url_base_name(r->url);
}

/* Loose files: each one a part of j->r, named by its URL's last path component. */
static int resolve_files(struct source_job *j, const struct pw_source_spec *form,
                         struct pw_sources *s, struct pw_err *err)
{
    struct pw_resolved_source *r = j->r;
    r->parts = pw_xcalloc(form->nfiles, sizeof(*r->parts));
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < form->nfiles; i++) {
        struct source_job part = *j;
        part.spec = &form->files[i];
        part.r = &r->parts[r->nparts++];
        part.checksum_text = (struct pw_buf)PW_BUF_INIT;
        part.store_checksum = 0;
        resolved_init(part.r, form->files[i].name, form->files[i].url);
        rc = resolve_download(&part, s, err);
        pw_buf_release(&part.checksum_text);
    }
    return rc;
}

/* A source's own download(s), or one layout's. */
static int resolve_form(struct source_job *j, const struct pw_source_spec *form,
                        struct pw_sources *s, struct pw_err *err)
{
    if (form->nfiles)
        return resolve_files(j, form, s, err);
    struct source_job one = *j;
    one.spec = form;
    one.checksum_text = (struct pw_buf)PW_BUF_INIT;
    one.store_checksum = 0;
    free(j->r->url);
    free(j->r->url_base);
    j->r->url = pw_xstrdup(form->url ? form->url : "");
    j->r->url_base = url_base_name(j->r->url);
    int rc = resolve_download(&one, s, err);
    pw_buf_release(&one.checksum_text);
    return rc;
}

/* The URL a layout asks for first (its checksum file, else its download). */
static const char *first_url(const struct pw_source_spec *layout)
{
    const struct pw_source_spec *d = layout->nfiles ? &layout->files[0] : layout;
    return d->sha512_url ? d->sha512_url : d->url;
}

/* The cache key of an auto choice: every layout's first URL, in order. */
static void choice_key(const struct pw_source_spec *spec, struct pw_buf *key)
{
    pw_buf_adds(key, "packwright-layout:");
    for (size_t i = 0; i < spec->nlayouts; i++)
        pw_buf_addf(key, "%s%s", i ? " " : "", first_url(&spec->layouts[i]));
}

/* Forgets what a failed layout left in r, keeping the source's name. */
static void reset_resolved(struct pw_resolved_source *r)
{
    char *name = r->name;
    r->name = NULL;
    resolved_release(r);
    resolved_init(r, name, NULL);
    free(name);
}

static int use_layout(struct source_job *j, size_t k, struct pw_sources *s, struct pw_err *err)
{
    free(j->r->layout);
    j->r->layout = pw_xstrdup(j->spec->layouts[k].name);
    return resolve_form(j, &j->spec->layouts[k], s, err);
}

static int offline_choice(struct source_job *j, struct pw_sources *s, struct pw_err *err)
{
    const struct pw_source_spec *spec = j->spec;
    struct pw_buf key = PW_BUF_INIT, name = PW_BUF_INIT;
    choice_key(spec, &key);
    int rc = j->cache_dir ? pw_cache_url_load(j->cache_dir, key.buf, &name, err) : 0;
    size_t k = 0;
    while (rc > 0 && k < spec->nlayouts && strcmp(spec->layouts[k].name, name.buf))
        k++;
    if (rc >= 0 && k == spec->nlayouts)
        rc = 0;
    if (rc == 0) {
        pw_err_set(err, PW_E_OFFLINE,
                   "which layout of '%s' to use ('auto': the first of %s) is not in the cache "
                   "'%s' and --offline forbids asking '%s'; run 'packwright fetch %s' (with the "
                   "same variables) where it can be reached",
                   spec->name, key.buf + strlen("packwright-layout:"),
                   j->cache_dir ? j->cache_dir : "(none)", first_url(&spec->layouts[0]),
                   j->pkg->manifest_path);
        rc = fail_at(j, "layout", err);
    }
    pw_buf_release(&key);
    pw_buf_release(&name);
    return rc < 0 ? rc : use_layout(j, k, s, err);
}

static int store_choice(struct source_job *j, size_t k, struct pw_err *err)
{
    if (!j->cache_dir)
        return 0;
    struct pw_buf key = PW_BUF_INIT;
    choice_key(j->spec, &key);
    const char *name = j->spec->layouts[k].name;
    int rc = pw_cache_url_store(j->cache_dir, key.buf, name, strlen(name), err);
    pw_buf_release(&key);
    return rc < 0 ? fail_at(j, "layout", err) : 0;
}

static int no_layout_found(struct source_job *j, struct pw_err *err)
{
    struct pw_buf tried = PW_BUF_INIT;
    for (size_t i = 0; i < j->spec->nlayouts; i++)
        pw_buf_addf(&tried, "%s'%s' (%s)", i ? ", " : "", first_url(&j->spec->layouts[i]),
                    j->spec->layouts[i].name);
    pw_err_set(err, PW_E_NETWORK,
               "no layout of '%s' is published there: each first request found nothing "
               "(HTTP 404): %s",
               j->spec->name, tried.buf);
    pw_buf_release(&tried);
    return fail_at(j, "layouts", err);
}

/* layout "auto": each layout in order until one's first request finds something. */
static int auto_layout(struct source_job *j, struct pw_sources *s, struct pw_err *err)
{
    if (j->ctx->offline)
        return offline_choice(j, s, err);
    for (size_t k = 0; k < j->spec->nlayouts; k++) {
        struct probe probe = {0, 0};
        struct source_job attempt = *j;
        attempt.probe = &probe;
        int rc = use_layout(&attempt, k, s, err);
        if (rc == 0)
            return store_choice(j, k, err);
        if (!probe.first_missing)
            return rc;
        pw_err_init(err);
        reset_resolved(j->r);
    }
    return no_layout_found(j, err);
}

static int resolve_one(struct source_job *j, struct pw_sources *s, struct pw_err *err)
{
    const struct pw_source_spec *spec = j->spec;
    if (!spec->nlayouts)
        return resolve_form(j, spec, s, err);
    if (spec->layout && strcmp(spec->layout, "auto")) {
        for (size_t k = 0; k < spec->nlayouts; k++)
            if (!strcmp(spec->layouts[k].name, spec->layout))
                return use_layout(j, k, s, err);
        pw_err_set(err, PW_E_MANIFEST, "'%s' is not a layout of '%s'", spec->layout, spec->name);
        return fail_at(j, "layout", err);
    }
    return auto_layout(j, s, err);
}

static int private_cache(struct pw_sources *s, struct pw_err *err)
{
    int rc = ensure_work_dir(s, err);
    if (rc < 0)
        return rc;
    struct pw_buf dir = PW_BUF_INIT;
    pw_buf_addf(&dir, "%s/cache", s->work_dir);
    rc = pw_fs_mkdir_p(dir.buf, 0700, err);
    pw_buf_release(&dir);
    return rc;
}

int pw_sources_fetch(const struct pw_package *pkg, const struct pw_ctx *ctx, struct pw_sources *out,
                     struct pw_err *err)
{
    struct pw_buf cache = PW_BUF_INIT;
    int rc = 0;
    if (ctx->cache_dir)
        pw_buf_adds(&cache, ctx->cache_dir);
    else if (pkg->nsources && !ctx->offline && (rc = private_cache(out, err)) == 0)
        pw_buf_addf(&cache, "%s/cache", out->work_dir);
    for (size_t i = 0; rc == 0 && i < pkg->nsources; i++) {
        struct source_job j = {.pkg = pkg,
                               .spec = &pkg->sources[i],
                               .index = i,
                               .ctx = ctx,
                               .cache_dir = cache.len ? cache.buf : NULL,
                               .checksum_text = PW_BUF_INIT};
        rc = check_unique_name(out, &j, err);
        if (rc == 0) {
            j.r = add_resolved(out, j.spec);
            rc = resolve_one(&j, out, err);
        }
        pw_buf_release(&j.checksum_text);
    }
    pw_buf_release(&cache);
    return rc;
}

static const struct pw_resolved_source *find_source(const struct pw_sources *s, const char *name,
                                                    size_t len)
{
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->v[i].name) == len && !strncmp(s->v[i].name, name, len))
            return &s->v[i];
    return NULL;
}

static const char *plain_file_path(const struct pw_resolved_source *r, const char *rest,
                                   struct pw_buf *out, struct pw_err *err)
{
    if (*rest && strcmp(rest, r->url_base) != 0) {
        pw_err_set(err, PW_E_MANIFEST,
                   "source '%s' is one file: name it 'source:%s' or 'source:%s/%s', not "
                   "'source:%s/%s'",
                   r->name, r->name, r->name, r->url_base, r->name, rest);
        return NULL;
    }
    pw_buf_adds(out, r->file);
    return out->buf;
}

/* Whether path, with its symbolic links resolved, is dir or lies below it: an archive's links
 * may not make a source name a file of the build machine. */
static int stays_inside(const char *dir, const char *path)
{
    char *real_dir = realpath(dir, NULL);
    char *real = realpath(path, NULL);
    size_t n = real_dir ? strlen(real_dir) : 0;
    int inside = real_dir && real && !strncmp(real, real_dir, n) && (!real[n] || real[n] == '/');
    free(real_dir);
    free(real);
    return inside;
}

static const char *member_path(const struct pw_resolved_source *r, const char *rest,
                               struct pw_buf *out, struct pw_err *err)
{
    struct pw_buf norm = PW_BUF_INIT;
    const char *result = NULL;
    pw_buf_adds(out, r->dir);
    if (!*rest) {
        result = out->buf;
    } else if (pw_untar_normalise(rest, &norm) < 0) {
        pw_err_set(err, PW_E_MANIFEST, "'source:%s/%s': not a relative path without '..'", r->name,
                   rest);
    } else {
        pw_buf_addf(out, "/%s", norm.buf);
        struct stat st;
        if (lstat(out->buf, &st) < 0)
            pw_err_set(err, PW_E_MANIFEST,
                       "source '%s' has no '%s' among the members it extracts from '%s'", r->name,
                       norm.buf, r->url);
        else if (!stays_inside(r->dir, out->buf))
            pw_err_set(err, PW_E_MANIFEST,
                       "'source:%s/%s' leads out of what '%s' extracts (a symbolic link)", r->name,
                       norm.buf, r->url);
        else
            result = out->buf;
    }
    pw_buf_release(&norm);
    return result;
}

static const char *part_path(const struct pw_resolved_source *r, const char *rest,
                             struct pw_buf *out, struct pw_err *err)
{
    for (size_t i = 0; i < r->nparts; i++)
        if (!strcmp(r->parts[i].url_base, rest)) {
            pw_buf_adds(out, r->parts[i].file);
            return out->buf;
        }
    struct pw_buf names = PW_BUF_INIT;
    for (size_t i = 0; i < r->nparts; i++)
        pw_buf_addf(&names, "%s%s", i ? ", " : "", r->parts[i].url_base);
    pw_err_set(err, PW_E_MANIFEST, "source '%s'%s%s%s has no file '%s' (it has %s)", r->name,
               r->layout ? " (layout '" : "", r->layout ? r->layout : "", r->layout ? "')" : "",
               rest, names.buf);
    pw_buf_release(&names);
    return NULL;
}

const char *pw_sources_path(const struct pw_sources *s, const char *ref, struct pw_buf *out,
                            struct pw_err *err)
{
    if (!strncmp(ref, "source:", 7))
        ref += 7;
    size_t name_len = strcspn(ref, "/");
    const char *rest = ref[name_len] ? ref + name_len + 1 : "";
    const struct pw_resolved_source *r = find_source(s, ref, name_len);
    pw_buf_reset(out);
    if (!r) {
        pw_err_set(err, PW_E_MANIFEST, "no source named '%.*s'", (int)name_len, ref);
        return NULL;
    }
    char *trimmed = pw_xstrdup(rest);
    for (size_t n = strlen(trimmed); n > 0 && trimmed[n - 1] == '/'; n--)
        trimmed[n - 1] = '\0';
    const char *path = r->nparts ? part_path(r, trimmed, out, err)
                       : r->dir  ? member_path(r, trimmed, out, err)
                                 : plain_file_path(r, trimmed, out, err);
    free(trimmed);
    return path;
}

int pw_sources_exists(const struct pw_sources *s, const char *ref)
{
    size_t name_len = strcspn(ref, "/");
    const struct pw_resolved_source *r = find_source(s, ref, name_len);
    if (!r)
        return 0;
    const char *rest = ref[name_len] ? ref + name_len + 1 : "";
    struct pw_buf norm = PW_BUF_INIT;
    int found = 0;
    if (!*rest)
        found = !r->nparts;
    else if (pw_untar_normalise(rest, &norm) < 0)
        found = 0;
    else if (r->nparts)
        for (size_t i = 0; i < r->nparts; i++)
            found |= !strcmp(r->parts[i].url_base, norm.buf);
    else if (r->dir) {
        struct pw_buf full = PW_BUF_INIT;
        struct stat st;
        pw_buf_addf(&full, "%s/%s", r->dir, norm.buf);
        found = lstat(full.buf, &st) == 0;
        pw_buf_release(&full);
    } else
        found = !strcmp(norm.buf, r->url_base);
    pw_buf_release(&norm);
    return found;
}

/* "HEX  NAME", "HEX *NAME" or a lone "HEX". Returns 0 with name NULL for a lone digest. */
static int parse_gnu_line(char *line, char *hex, const char **name)
{
    size_t n = strspn(line, "0123456789abcdefABCDEF");
    if (n != 128 || (line[n] && line[n] != ' ' && line[n] != '\t'))
        return -1;
    memcpy(hex, line, n);
    hex[n] = '\0';
    *name = NULL;
    if (!line[n])
        return 0;
    const char *p = line + n + 1;
    if (*p == ' ' || *p == '*')
        p++;
    *name = p;
    return 0;
}

/* "SHA512 (NAME) = HEX" */
static int parse_bsd_line(char *line, char *hex, const char **name)
{
    if (strncmp(line, "SHA512 (", 8) != 0)
        return -1;
    char *close = strstr(line, ") = ");
    if (!close)
        return -1;
    const char *digest = close + 4;
    if (strlen(digest) != 128 || strspn(digest, "0123456789abcdefABCDEF") != 128)
        return -1;
    memcpy(hex, digest, 129);
    *close = '\0';
    *name = line + 8;
    return 0;
}

struct sha512sum_scan {
    const char *base_name;
    char found[129];
    char lone[129];
    int lines;
    int ambiguous;
};

static void scan_line(struct sha512sum_scan *sc, char *line)
{
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        line[--len] = '\0';
    if (!len || line[0] == '#')
        return;
    sc->lines++;
    char hex[129];
    const char *name;
    if (parse_gnu_line(line, hex, &name) < 0 && parse_bsd_line(line, hex, &name) < 0)
        return;
    for (char *p = hex; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (!name) {
        memcpy(sc->lone, hex, sizeof(hex));
        return;
    }
    const char *slash = strrchr(name, '/');
    if (strcmp(slash ? slash + 1 : name, sc->base_name) != 0)
        return;
    if (sc->found[0] && strcmp(sc->found, hex) != 0)
        sc->ambiguous = 1;
    memcpy(sc->found, hex, sizeof(hex));
}

int pw_sources_parse_sha512sum(const char *text, const char *base_name, char *hex,
                               struct pw_err *err)
{
    struct sha512sum_scan sc;
    memset(&sc, 0, sizeof(sc));
    sc.base_name = base_name;
    char *copy = pw_xstrdup(text);
    for (char *line = copy, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        scan_line(&sc, line);
    }
    free(copy);
    if (sc.ambiguous)
        return pw_err_set(err, PW_E_CHECKSUM, "has different digests for '%s'", base_name);
    if (!sc.found[0] && sc.lines == 1 && sc.lone[0])
        memcpy(sc.found, sc.lone, sizeof(sc.lone));
    if (!sc.found[0])
        return pw_err_set(err, PW_E_CHECKSUM, "has no sha512 line for '%s'", base_name);
    memcpy(hex, sc.found, sizeof(sc.found));
    return 0;
}
