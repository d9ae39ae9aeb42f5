#include "repo_chunk.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/fs.h"
#include "hash.h"
#include "repo_compress.h"
#include "repo_int.h"

/* A chunk ends after an entry whose key's first 32 bits end in these bits set (1 in 64 on
 * average), or once it holds this much text: chunks of a few dozen entries recompress in a
 * millisecond and cost gzip and xz a few percent of size against one stream. */
#define CHUNK_MASK 63u
#define CHUNK_MAX (256 * 1024)
/* fresh text above which chunks are compressed on several threads (a full index) */
#define PARALLEL_MIN (512 * 1024)
#define RECORD_MAGIC "packwright-repo-chunks 1\n"

/* ---- the text --------------------------------------------------------------------------- */

void pw_chunk_text_init(struct pw_chunk_text *t)
{
    memset(t, 0, sizeof(*t));
}

void pw_chunk_text_release(struct pw_chunk_text *t)
{
    free(t->items);
    free(t->head);
    free(t->tail);
    free(t->sep);
    free(t->v);
    free(t->validated);
    memset(t, 0, sizeof(*t));
}

static int ends_chunk(const char *key)
{
    uint32_t v = 0;
    for (int i = 0; i < 8 && key[i]; i++) {
        char c = key[i];
        v = v << 4 | (uint32_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
    }
    return (v & CHUNK_MASK) == CHUNK_MASK;
}

/* The pieces of a slice's text in order: calls fn for each. */
static void each_piece(const struct pw_chunk_text *t, const struct pw_chunk_slice *s,
                       void (*fn)(void *arg, const char *p, size_t n), void *arg)
{
    if (s->text) {
        fn(arg, s->text, s->len);
        return;
    }
    size_t seplen = strlen(t->sep);
    for (size_t i = s->first; i < s->first + s->count; i++) {
        fn(arg, t->items[i].text, t->items[i].len);
        if (seplen)
            fn(arg, t->sep, seplen);
    }
}

/* One pass over the text: each slice's CRC-32 and the digests of the whole text. */
struct digest_pass {
    struct pw_hash sha256, sha512;
    unsigned sums;
    uint32_t crc32;
    uint64_t size;
};

static void digest_piece(void *arg, const char *p, size_t n)
{
    struct digest_pass *d = arg;
    if (d->sums & PW_REPO_SUM_SHA256)
        pw_hash_update(&d->sha256, p, n);
    if (d->sums & PW_REPO_SUM_SHA512)
        pw_hash_update(&d->sha512, p, n);
    d->crc32 = pw_repo_crc32(d->crc32, p, n);
    d->size += n;
}

void pw_chunk_entry_sum(const char *text, size_t len, struct pw_buf *out)
{
    unsigned char md[32];
    char hex[65];
    pw_hash_buffer(PW_HASH_SHA256, text, len, md);
    pw_hex(md, sizeof(md), hex);
    pw_buf_adds(out, hex);
}

void pw_chunk_keep_sum(struct pw_repo_rec *rec, const char *key)
{
    char name[64];
    snprintf(name, sizeof(name), "%s_sum", key);
    size_t len;
    const char *text = pw_repo_rec_getn(rec, key, &len);
    if (pw_repo_rec_get(rec, name) || !pw_repo_rec_get(rec, key))
        return;
    struct pw_buf sum = PW_BUF_INIT;
    pw_chunk_entry_sum(text, len, &sum);
    pw_repo_rec_set(rec, name, sum.buf);
    pw_buf_release(&sum);
}

/* An entry's SHA-256 (hex): its recorded sum when it has a well-formed one, else from its
 * text. */
static void entry_sum(const struct pw_chunk_item *it, char *hex)
{
    if (it->sum && strlen(it->sum) == 64 && strspn(it->sum, "0123456789abcdef") == 64) {
        memcpy(hex, it->sum, 65);
        return;
    }
    unsigned char md[32];
    pw_hash_buffer(PW_HASH_SHA256, it->text, it->len, md);
    pw_hex(md, sizeof(md), hex);
}

/* Slice s's key from its entries' sums (or the head's or tail's text). The key only finds a
 * candidate in the previous generation: the candidate is accepted by its check against the
 * text itself. */
static void slice_key(const struct pw_chunk_text *t, struct pw_chunk_slice *s)
{
    unsigned char md[32];
    if (s->text) {
        pw_hash_buffer(PW_HASH_SHA256, s->text, s->len, md);
        pw_hex(md, sizeof(md), s->sha256);
        return;
    }
    struct pw_hash key;
    size_t seplen = strlen(t->sep);
    pw_hash_init(&key, PW_HASH_SHA256);
    for (size_t i = s->first; i < s->first + s->count; i++) {
        char hex[65];
        entry_sum(&t->items[i], hex);
        pw_hash_update(&key, hex, 64);
        pw_hash_update(&key, t->sep, seplen);
    }
    pw_hash_final(&key, md);
    pw_hex(md, sizeof(md), s->sha256);
}

static void add_slice(struct pw_chunk_text *t, struct digest_pass *d, const char *text,
                      size_t first, size_t count)
{
    size_t len = text ? strlen(text) : 0;
    if (text ? !len : !count)
        return;
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->v = pw_xrealloc(t->v, t->cap * sizeof(*t->v));
    }
    struct pw_chunk_slice *s = &t->v[t->n++];
    memset(s, 0, sizeof(*s));
    s->text = text;
    s->len = len;
    s->first = first;
    s->count = count;
    for (size_t i = first; i < first + count; i++)
        s->len += t->items[i].len + strlen(t->sep);
    slice_key(t, s);
    d->crc32 = 0;
    each_piece(t, s, digest_piece, d);
    s->crc32 = d->crc32;
}

void pw_chunk_text_build(struct pw_chunk_text *t, const char *head,
                         const struct pw_chunk_item *items, size_t n, const char *sep,
                         const char *tail, unsigned sums)
{
    t->items = pw_xcalloc(n ? n : 1, sizeof(*items));
    memcpy(t->items, items, n * sizeof(*items));
    t->nitems = n;
    t->head = pw_xstrdup(head);
    t->tail = pw_xstrdup(tail);
    t->sep = pw_xstrdup(sep);
    struct digest_pass d = {.sums = sums};
    if (sums & PW_REPO_SUM_SHA256)
        pw_hash_init(&d.sha256, PW_HASH_SHA256);
    if (sums & PW_REPO_SUM_SHA512)
        pw_hash_init(&d.sha512, PW_HASH_SHA512);
    add_slice(t, &d, t->head, 0, 0);
    size_t start = 0, len = 0, seplen = strlen(sep);
    for (size_t i = 0; i < n; i++) {
        len += items[i].len + seplen;
        if (ends_chunk(items[i].key) || len >= CHUNK_MAX) {
            add_slice(t, &d, NULL, start, i + 1 - start);
            start = i + 1;
            len = 0;
        }
    }
    add_slice(t, &d, NULL, start, n - start);
    add_slice(t, &d, t->tail, 0, 0);
    t->validated = pw_xcalloc(t->n ? t->n : 1, sizeof(*t->validated));
    memset(&t->sums, 0, sizeof(t->sums));
    t->sums.size = d.size;
    unsigned char md[64];
    if (sums & PW_REPO_SUM_SHA256) {
        pw_hash_final(&d.sha256, md);
        pw_hex(md, 32, t->sums.sha256);
    }
    if (sums & PW_REPO_SUM_SHA512) {
        pw_hash_final(&d.sha512, md);
        pw_hex(md, 64, t->sums.sha512);
    }
}

static void append_piece(void *arg, const char *p, size_t n)
{
    pw_buf_add(arg, p, n);
}

void pw_chunk_text_plain(const struct pw_chunk_text *t, struct pw_buf *out)
{
    pw_buf_grow(out, (size_t)t->sums.size);
    for (size_t i = 0; i < t->n; i++)
        each_piece(t, &t->v[i], append_piece, out);
}

static void crc64_piece(void *arg, const char *p, size_t n)
{
    uint64_t *crc = arg;
    *crc = pw_repo_crc64(*crc, p, n);
}

void pw_chunk_list_release(struct pw_chunk_list *l)
{
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static struct pw_chunk_ref *list_add(struct pw_chunk_list *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = pw_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    struct pw_chunk_ref *r = &l->v[l->n++];
    memset(r, 0, sizeof(*r));
    return r;
}

/* ---- the store -------------------------------------------------------------------------- */

void pw_chunk_store_init(struct pw_chunk_store *cs)
{
    memset(cs, 0, sizeof(*cs));
    pw_repo_map_init(&cs->by_key);
    pw_repo_map_init(&cs->files);
    pw_repo_map_init(&cs->sums);
    pw_buf_init(&cs->record);
    pw_buf_adds(&cs->record, RECORD_MAGIC);
}

void pw_chunk_store_release(struct pw_chunk_store *cs)
{
    for (size_t i = 0; i < cs->files.cap; i++)
        if (cs->files.keys[i]) {
            pw_buf_release(cs->files.vals[i]);
            free(cs->files.vals[i]);
        }
    pw_repo_map_release(&cs->files);
    pw_repo_map_release(&cs->sums);
    pw_repo_map_release(&cs->by_key);
    free(cs->prev);
    free(cs->prev_dir);
    pw_buf_release(&cs->record);
    memset(cs, 0, sizeof(*cs));
}

static char method_letter(enum pw_compress_method m)
{
    return m == PW_COMPRESS_GZIP   ? 'g'
           : m == PW_COMPRESS_XZ   ? 'x'
           : m == PW_COMPRESS_ZSTD ? 'z'
                                   : 'n';
}

static void record_path(const char *dir, struct pw_buf *out)
{
    const char *slash = strrchr(dir, '/');
    pw_buf_addf(out, "%.*s/chunks", slash ? (int)(slash - dir) : 1, slash ? dir : ".");
}

/* Lines "M SHA256 OFF ZLEN PLEN UNPADDED FILE", M the method of a chunk, or F for the
 * whole file (then OFF is its size). */
static int parse_record(struct pw_chunk_store *cs, const struct pw_buf *data)
{
    size_t magic = strlen(RECORD_MAGIC), lines = 0;
    if (data->len < magic || memcmp(data->buf, RECORD_MAGIC, magic))
        return -1;
    for (size_t i = magic; i < data->len; i++)
        lines += data->buf[i] == '\n';
    cs->prev = pw_xcalloc(lines ? lines : 1, sizeof(*cs->prev));
    const char *p = data->buf + magic;
    for (size_t i = 0; i < lines; i++) {
        struct pw_chunk_prev *e = &cs->prev[cs->nprev];
        char m;
        int used = 0;
        if (sscanf(p, "%c %64s %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %511s%n", &m,
                   e->ref.sha256, &e->ref.off, &e->ref.zlen, &e->ref.plen, &e->ref.unpadded,
                   e->file, &used) != 7 ||
            p[used] != '\n')
            return -1;
        p += used + 1;
        cs->nprev++;
        if (m == 'F') {
            pw_repo_map_add(&cs->sums, e->file, e->ref.sha256);
            continue;
        }
        char key[80];
        snprintf(key, sizeof(key), "%c %s", m, e->ref.sha256);
        pw_repo_map_add(&cs->by_key, key, e);
    }
    return 0;
}

void pw_chunk_store_load(struct pw_chunk_store *cs, const char *prev_dir)
{
    if (!prev_dir)
        return;
    struct pw_buf path = PW_BUF_INIT, data = PW_BUF_INIT;
    struct pw_err ignored;
    record_path(prev_dir, &path);
    if (pw_fs_exists(path.buf) && pw_fs_read_file(path.buf, &data, &ignored) == 0) {
        if (parse_record(cs, &data) == 0) {
            cs->prev_dir = pw_xstrdup(prev_dir);
        } else { /* damaged: compress everything anew */
            pw_repo_map_release(&cs->by_key);
            pw_repo_map_init(&cs->by_key);
            pw_repo_map_release(&cs->sums);
            pw_repo_map_init(&cs->sums);
            cs->nprev = 0;
        }
    }
    pw_buf_release(&path);
    pw_buf_release(&data);
}

/* A previous file, read once; empty when it is gone or no longer has its recorded SHA-256
 * (damaged since it was published: nothing is taken from it). */
static const struct pw_buf *prev_file(struct pw_chunk_store *cs, const char *file)
{
    struct pw_buf *b = pw_repo_map_get(&cs->files, file);
    if (b)
        return b;
    b = pw_xcalloc(1, sizeof(*b));
    pw_buf_init(b);
    struct pw_buf path = PW_BUF_INIT;
    struct pw_err ignored;
    pw_buf_addf(&path, "%s/%s", cs->prev_dir, file);
    const char *want = pw_repo_map_get(&cs->sums, file);
    if (!want || strstr(file, "..") || pw_fs_read_file(path.buf, b, &ignored) < 0) {
        pw_buf_reset(b);
    } else {
        unsigned char md[32];
        char hex[65];
        pw_hash_buffer(PW_HASH_SHA256, b->buf, b->len, md);
        pw_hex(md, sizeof(md), hex);
        if (strcmp(hex, want))
            pw_buf_reset(b);
    }
    pw_buf_release(&path);
    pw_repo_map_add(&cs->files, file, b);
    return b;
}

/* A chunk's text in one piece (for compressing it, or checking it in full). */
static void slice_text(const struct pw_chunk_text *t, const struct pw_chunk_slice *s,
                       struct pw_buf *out)
{
    pw_buf_reset(out);
    pw_buf_grow(out, s->len);
    each_piece(t, s, append_piece, out);
}

/* Whether z, the previous generation's bytes of a chunk, hold slice s: the gzip trailer's
 * CRC-32 and size, or the xz block's CRC-64, against the text; zstd frames are decompressed. */
static int holds(const struct pw_chunk_text *t, const struct pw_chunk_slice *s,
                 enum pw_compress_method m, const char *z, size_t zlen, struct pw_buf *scratch)
{
    if (m == PW_COMPRESS_GZIP)
        return pw_repo_gzip_member_is(z, zlen, s->crc32, s->len);
    if (m == PW_COMPRESS_XZ) {
        uint64_t crc = 0;
        each_piece(t, s, crc64_piece, &crc);
        return pw_repo_xz_block_is(z, zlen, crc);
    }
    slice_text(t, s, scratch);
    return pw_repo_chunk_holds(m, z, zlen, scratch->buf, scratch->len);
}

/* One chunk's compressed bytes on their way into the file: the previous generation's, or
 * made here. */
struct piece {
    const char *z;
    size_t zlen;
    uint64_t unpadded;
    int rc;
    struct pw_buf own;
    struct pw_err err;
};

/* The previous generation's compressed bytes of slice s, when they still hold its text. */
static int reuse(struct pw_chunk_store *cs, enum pw_compress_method m,
                 const struct pw_chunk_text *t, const struct pw_chunk_slice *s, struct piece *pc,
                 struct pw_buf *scratch)
{
    char key[80];
    snprintf(key, sizeof(key), "%c %s", method_letter(m), s->sha256);
    const struct pw_chunk_prev *e = cs->prev_dir ? pw_repo_map_get(&cs->by_key, key) : NULL;
    if (!e || e->ref.plen != s->len)
        return 0;
    const struct pw_buf *f = prev_file(cs, e->file);
    if (e->ref.off > f->len || e->ref.zlen > f->len - e->ref.off)
        return 0;
    const char *z = f->buf + e->ref.off;
    if (!holds(t, s, m, z, e->ref.zlen, scratch))
        return 0;
    pc->z = z;
    pc->zlen = e->ref.zlen;
    pc->unpadded = e->ref.unpadded;
    return 1;
}

/* Compresses slice s anew into pc, then checks it: decompressed, and parsed once. */
static int compress_fresh(const struct pw_chunk_text *t, enum pw_compress_method m,
                          const struct pw_chunk_slice *s, struct piece *pc, struct pw_buf *text)
{
    slice_text(t, s, text);
    int rc = m == PW_COMPRESS_XZ
                 ? pw_repo_xz_block(text->buf, text->len, &pc->own, &pc->unpadded, &pc->err)
                 : pw_repo_compress(m, text->buf, text->len, &pc->own, &pc->err);
    if (rc < 0)
        return rc;
    pc->z = pc->own.buf;
    pc->zlen = pc->own.len;
    if (!pw_repo_chunk_holds(m, pc->z, pc->zlen, text->buf, text->len))
        return pw_err_set(&pc->err, PW_E_FAIL,
                          "a compressed %s chunk does not decompress to its text",
                          pw_compression_name(m));
    size_t i = (size_t)(s - t->v);
    /* claimed atomically: two compressions of one text may run side by side; a failure
     * fails the publish, so nobody needs to validate again */
    if (!s->text && t->validate && !atomic_exchange(&t->validated[i], 1))
        rc = t->validate(text->buf, text->len, t->validate_arg, &pc->err);
    return rc;
}

/* One fresh chunk of one job, for the workers. */
struct fresh_ref {
    struct pw_chunk_job *job;
    struct piece *pc;
    size_t i;
};

struct fresh_work {
    struct fresh_ref *v;
    size_t n;
    atomic_size_t next;
};

static void *fresh_worker(void *arg)
{
    struct fresh_work *w = arg;
    struct pw_buf text = PW_BUF_INIT;
    for (;;) {
        size_t k = atomic_fetch_add(&w->next, 1);
        if (k >= w->n)
            break;
        struct fresh_ref *f = &w->v[k];
        f->pc->rc = compress_fresh(f->job->t, f->job->m, &f->job->t->v[f->i], f->pc, &text);
    }
    pw_buf_release(&text);
    return NULL;
}

/* Compresses the fresh chunks of every job, on several threads when there is enough of them
 * (a full index): each is compressed and checked on its own. */
static void compress_all_fresh(struct fresh_work *w, size_t fresh_bytes)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t workers = fresh_bytes < PARALLEL_MIN ? 1 : cpus > 4 ? 4 : cpus > 1 ? (size_t)cpus : 1;
    if (workers > w->n)
        workers = w->n ? w->n : 1;
    pthread_t tids[4];
    size_t started = 0;
    for (; started + 1 < workers; started++)
        if (pthread_create(&tids[started], NULL, fresh_worker, w) != 0)
            break;
    fresh_worker(w); /* this thread works too */
    for (size_t i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
}

/* The pieces of job j in order, into its output (an xz stream gets its head and index). */
static int assemble(struct pw_chunk_job *j, struct piece *pc, struct pw_err *err)
{
    const struct pw_chunk_text *t = j->t;
    size_t base = j->out.len;
    if (j->m == PW_COMPRESS_XZ)
        pw_repo_xz_stream_head(&j->out);
    for (size_t i = 0; i < t->n; i++) {
        if (pc[i].rc < 0) {
            *err = pc[i].err;
            return pc[i].rc;
        }
        struct pw_chunk_ref *ref = list_add(&j->chunks);
        memcpy(ref->sha256, t->v[i].sha256, sizeof(ref->sha256));
        ref->off = j->out.len - base;
        ref->plen = t->v[i].len;
        ref->zlen = pc[i].zlen;
        ref->unpadded = pc[i].unpadded;
        pw_buf_add(&j->out, pc[i].z, pc[i].zlen);
    }
    if (j->m != PW_COMPRESS_XZ)
        return 0;
    size_t n = j->chunks.n;
    uint64_t *sizes = pw_xcalloc(2 * n, sizeof(*sizes));
    for (size_t i = 0; i < n; i++) {
        sizes[i] = j->chunks.v[i].unpadded;
        sizes[n + i] = j->chunks.v[i].plen;
    }
    int rc = pw_repo_xz_stream_tail(sizes, sizes + n, n, &j->out, err);
    free(sizes);
    return rc;
}

int pw_chunk_compress_jobs(struct pw_chunk_store *cs, struct pw_chunk_job *jobs, size_t njobs,
                           struct pw_err *err)
{
    struct piece **pcs = pw_xcalloc(njobs ? njobs : 1, sizeof(*pcs));
    struct fresh_work w = {0};
    size_t fresh_bytes = 0, total = 0;
    for (size_t j = 0; j < njobs; j++)
        total += jobs[j].t->n;
    w.v = pw_xcalloc(total ? total : 1, sizeof(*w.v));
    struct pw_buf scratch = PW_BUF_INIT;
    for (size_t j = 0; j < njobs; j++) {
        const struct pw_chunk_text *t = jobs[j].t;
        jobs[j].chunks.method = jobs[j].m;
        jobs[j].chunks.n = 0;
        pcs[j] = pw_xcalloc(t->n ? t->n : 1, sizeof(**pcs));
        if (jobs[j].m == PW_COMPRESS_NONE || !t->n)
            continue;
        for (size_t i = 0; i < t->n; i++) {
            struct piece *pc = &pcs[j][i];
            pw_err_init(&pc->err);
            if (reuse(cs, jobs[j].m, t, &t->v[i], pc, &scratch))
                continue;
            w.v[w.n++] = (struct fresh_ref){&jobs[j], pc, i};
            fresh_bytes += t->v[i].len;
        }
    }
    pw_buf_release(&scratch);
    compress_all_fresh(&w, fresh_bytes);
    int rc = 0;
    for (size_t j = 0; j < njobs && rc == 0; j++)
        /* an empty index, or an uncompressed one: one ordinary stream */
        rc = jobs[j].m == PW_COMPRESS_NONE || !jobs[j].t->n
                 ? pw_repo_compress(jobs[j].m, "", 0, &jobs[j].out, err)
                 : assemble(&jobs[j], pcs[j], err);
    for (size_t j = 0; j < njobs; j++) {
        for (size_t i = 0; i < jobs[j].t->n; i++)
            pw_buf_release(&pcs[j][i].own);
        free(pcs[j]);
    }
    free(pcs);
    free(w.v);
    return rc;
}

void pw_chunk_job_release(struct pw_chunk_job *j)
{
    pw_buf_release(&j->out);
    pw_chunk_list_release(&j->chunks);
}

void pw_chunk_store_add(struct pw_chunk_store *cs, const char *file, const char *sha256,
                        const struct pw_chunk_list *chunks)
{
    uint64_t size = 0;
    for (size_t i = 0; i < chunks->n; i++)
        size = chunks->v[i].off + chunks->v[i].zlen;
    pw_buf_addf(&cs->record, "F %s %" PRIu64 " 0 0 0 %s\n", sha256, size, file);
    for (size_t i = 0; i < chunks->n; i++) {
        const struct pw_chunk_ref *r = &chunks->v[i];
        pw_buf_addf(&cs->record, "%c %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s\n",
                    method_letter(chunks->method), r->sha256, r->off, r->zlen, r->plen, r->unpadded,
                    file);
    }
}

int pw_chunk_store_save(const struct pw_chunk_store *cs, const char *dir, struct pw_err *err)
{
    struct pw_buf path = PW_BUF_INIT;
    record_path(dir, &path);
    int rc = pw_repo_write(path.buf, cs->record.buf, cs->record.len, err);
    pw_buf_release(&path);
    return rc;
}
