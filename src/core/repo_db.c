#include "repo_db.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../base/fs.h"
#include "../base/strvec.h"

#define DB_MAGIC "packwright-repo-index 1\n"

void pw_repo_db_init(struct pw_repo_db *db)
{
    memset(db, 0, sizeof(*db));
}

static void rec_free(struct pw_repo_rec *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        if (!r->kv[i].borrowed) {
            free(r->kv[i].key);
            free(r->kv[i].val);
        }
    free(r->kv);
    free(r);
}

static void drop_indexes(struct pw_repo_db *db)
{
    for (size_t i = 0; i < PW_REPO_DB_INDEXES; i++) {
        free(db->idx[i].key);
        db->idx[i].key = NULL;
        pw_repo_map_release(&db->idx[i].map);
        db->idx[i].built = 0;
    }
}

void pw_repo_db_release(struct pw_repo_db *db)
{
    for (size_t i = 0; i < db->n; i++)
        rec_free(db->recs[i]);
    free(db->recs);
    for (size_t i = 0; i < db->ntexts; i++)
        free(db->texts[i]);
    free(db->texts);
    drop_indexes(db);
    pw_repo_db_init(db);
}

/* ---- string map (FNV-1a, linear probing, load factor <= 1/2) ---- */

void pw_repo_map_init(struct pw_repo_map *m)
{
    memset(m, 0, sizeof(*m));
}

void pw_repo_map_release(struct pw_repo_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    pw_repo_map_init(m);
}

static size_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

static size_t slot_of(const struct pw_repo_map *m, const char *key)
{
    size_t i = fnv1a(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key))
        i = (i + 1) & (m->cap - 1);
    return i;
}

void *pw_repo_map_get(const struct pw_repo_map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    size_t i = slot_of(m, key);
    return m->keys[i] ? m->vals[i] : NULL;
}

static void map_grow(struct pw_repo_map *m)
{
    struct pw_repo_map bigger;
    bigger.cap = m->cap ? m->cap * 2 : 64;
    bigger.n = 0;
    bigger.keys = pw_xcalloc(bigger.cap, sizeof(*bigger.keys));
    bigger.vals = pw_xcalloc(bigger.cap, sizeof(*bigger.vals));
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = slot_of(&bigger, m->keys[i]);
            bigger.keys[j] = m->keys[i];
            bigger.vals[j] = m->vals[i];
            bigger.n++;
        }
    free(m->keys);
    free(m->vals);
    *m = bigger;
}

int pw_repo_map_add(struct pw_repo_map *m, const char *key, void *val)
{
    if ((m->n + 1) * 2 > m->cap)
        map_grow(m);
    size_t i = slot_of(m, key);
    if (m->keys[i])
        return 0;
    m->keys[i] = pw_xstrdup(key);
    m->vals[i] = val;
    m->n++;
    return 1;
}

struct pw_repo_rec *pw_repo_db_lookup(struct pw_repo_db *db, const char *key, const char *val)
{
    size_t i = 0;
    while (i < PW_REPO_DB_INDEXES && db->idx[i].key && strcmp(db->idx[i].key, key))
        i++;
    if (i == PW_REPO_DB_INDEXES)
        return pw_repo_db_find(db, NULL, key, val);
    if (!db->idx[i].key)
        db->idx[i].key = pw_xstrdup(key);
    for (; db->idx[i].built < db->n; db->idx[i].built++) {
        struct pw_repo_rec *r = db->recs[db->idx[i].built];
        const char *v = pw_repo_rec_get(r, key);
        if (v)
            pw_repo_map_add(&db->idx[i].map, v, r);
    }
    return pw_repo_map_get(&db->idx[i].map, val);
}

struct pw_repo_rec *pw_repo_rec_new(void)
{
    return pw_xcalloc(1, sizeof(struct pw_repo_rec));
}

void pw_repo_rec_free(struct pw_repo_rec *r)
{
    rec_free(r);
}

void pw_repo_db_append(struct pw_repo_db *db, struct pw_repo_rec *r)
{
    if (db->n == db->cap) {
        db->cap = db->cap ? db->cap * 2 : 64;
        db->recs = pw_xrealloc(db->recs, db->cap * sizeof(*db->recs));
    }
    db->recs[db->n++] = r;
}

struct pw_repo_rec *pw_repo_db_add(struct pw_repo_db *db)
{
    struct pw_repo_rec *r = pw_repo_rec_new();
    pw_repo_db_append(db, r);
    return r;
}

void pw_repo_db_drop(struct pw_repo_db *db, size_t i)
{
    if (i >= db->n)
        return;
    rec_free(db->recs[i]);
    memmove(&db->recs[i], &db->recs[i + 1], (db->n - i - 1) * sizeof(*db->recs));
    db->n--;
    drop_indexes(db);
}

const char *pw_repo_rec_get(const struct pw_repo_rec *r, const char *key)
{
    for (size_t i = 0; r && i < r->n; i++)
        if (!strcmp(r->kv[i].key, key))
            return r->kv[i].val;
    return NULL;
}

const char *pw_repo_rec_str(const struct pw_repo_rec *r, const char *key)
{
    const char *v = pw_repo_rec_get(r, key);
    return v ? v : "";
}

int64_t pw_repo_rec_int(const struct pw_repo_rec *r, const char *key)
{
    const char *v = pw_repo_rec_get(r, key);
    return v ? strtoll(v, NULL, 10) : 0;
}

struct pw_repo_rec *pw_repo_db_find(const struct pw_repo_db *db, const char *type,
                                   const char *key, const char *val)
{
    for (size_t i = 0; i < db->n; i++) {
        const struct pw_repo_rec *r = db->recs[i];
        if (type && strcmp(pw_repo_rec_str(r, "type"), type))
            continue;
        const char *v = pw_repo_rec_get(r, key);
        if (v && !strcmp(v, val))
            return db->recs[i];
    }
    return NULL;
}

static struct pw_repo_kv *rec_slot(struct pw_repo_rec *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->kv = pw_xrealloc(r->kv, r->cap * sizeof(*r->kv));
    }
    return &r->kv[r->n++];
}

static void rec_append(struct pw_repo_rec *r, const char *key, char *copy, size_t len)
{
    struct pw_repo_kv *kv = rec_slot(r);
    kv->key = pw_xstrdup(key);
    kv->val = copy;
    kv->len = len;
    kv->borrowed = 0;
}

static char *copy_value(const char *val, size_t len)
{
    char *copy = pw_xmalloc(len + 1);
    memcpy(copy, val, len);
    copy[len] = '\0';
    return copy;
}

void pw_repo_rec_setn(struct pw_repo_rec *r, const char *key, const char *val, size_t len)
{
    char *copy = copy_value(val, len);
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->kv[i].key, key)) {
            if (r->kv[i].borrowed)
                r->kv[i].key = pw_xstrdup(key);
            else
                free(r->kv[i].val);
            r->kv[i].val = copy;
            r->kv[i].len = len;
            r->kv[i].borrowed = 0;
            return;
        }
    rec_append(r, key, copy, len);
}

void pw_repo_db_copy_small(struct pw_repo_db *dst, const struct pw_repo_db *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const struct pw_repo_rec *from = src->recs[i];
        struct pw_repo_rec *to = pw_repo_db_add(dst);
        for (size_t j = 0; j < from->n; j++) {
            const struct pw_repo_kv *kv = &from->kv[j];
            if (kv->len > 256)
                continue;
            if (kv->borrowed)
                *rec_slot(to) = *kv;
            else
                rec_append(to, kv->key, copy_value(kv->val, kv->len), kv->len);
        }
    }
}


void pw_repo_rec_set(struct pw_repo_rec *r, const char *key, const char *val)
{
    pw_repo_rec_setn(r, key, val, strlen(val));
}

void pw_repo_rec_set_int(struct pw_repo_rec *r, const char *key, int64_t v)
{
    char num[32];
    snprintf(num, sizeof(num), "%" PRId64, v);
    pw_repo_rec_set(r, key, num);
}

int pw_repo_words_has(const char *words, const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = words; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == wl && !strncmp(p, word, n))
            return 1;
        p += n;
    }
    return 0;
}

void pw_repo_words_split(const char *words, struct pw_strvec *out)
{
    for (const char *p = words; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n)
            pw_strvec_push_owned(out, pw_xstrndup(p, n));
        p += n;
    }
}

static void set_words(struct pw_repo_rec *r, const char *key, struct pw_strvec *w)
{
    pw_strvec_sort(w);
    struct pw_buf b = PW_BUF_INIT;
    for (size_t i = 0; i < w->n; i++)
        pw_buf_addf(&b, "%s%s", b.len ? " " : "", w->v[i]);
    pw_repo_rec_setn(r, key, b.buf, b.len);
    pw_buf_release(&b);
}

int pw_repo_rec_add_word(struct pw_repo_rec *r, const char *key, const char *word)
{
    const char *cur = pw_repo_rec_str(r, key);
    if (pw_repo_words_has(cur, word))
        return 0;
    struct pw_strvec w = PW_STRVEC_INIT;
    pw_repo_words_split(cur, &w);
    pw_strvec_push(&w, word);
    set_words(r, key, &w);
    pw_strvec_release(&w);
    return 1;
}

int pw_repo_rec_del_word(struct pw_repo_rec *r, const char *key, const char *word)
{
    const char *cur = pw_repo_rec_str(r, key);
    if (!pw_repo_words_has(cur, word))
        return 0;
    struct pw_strvec w = PW_STRVEC_INIT, keep = PW_STRVEC_INIT;
    pw_repo_words_split(cur, &w);
    for (size_t i = 0; i < w.n; i++)
        if (strcmp(w.v[i], word))
            pw_strvec_push(&keep, w.v[i]);
    set_words(r, key, &keep);
    pw_strvec_release(&w);
    pw_strvec_release(&keep);
    return 1;
}

static void add_head(struct pw_buf *out, const char *word, size_t num)
{
    char digits[24];
    size_t n = 0;
    do
        digits[n++] = (char)('0' + num % 10);
    while ((num /= 10));
    pw_buf_adds(out, word);
    pw_buf_addc(out, ' ');
    while (n)
        pw_buf_addc(out, digits[--n]);
    pw_buf_addc(out, '\n');
}

void pw_repo_db_serialize(const struct pw_repo_db *db, struct pw_buf *out)
{
    size_t total = strlen(DB_MAGIC);
    for (size_t i = 0; i < db->n; i++)
        for (size_t j = 0; j < db->recs[i]->n; j++)
            total += db->recs[i]->kv[j].len + 64;
    pw_buf_grow(out, total);
    pw_buf_adds(out, DB_MAGIC);
    for (size_t i = 0; i < db->n; i++) {
        const struct pw_repo_rec *r = db->recs[i];
        add_head(out, "R", r->n);
        for (size_t j = 0; j < r->n; j++) {
            add_head(out, r->kv[j].key, r->kv[j].len);
            pw_buf_add(out, r->kv[j].val, r->kv[j].len);
            pw_buf_addc(out, '\n');
        }
    }
}

/* Reads "<word> <number>\n" at *pos; the word is NUL-terminated in place. */
static int read_head(char *data, size_t len, size_t *pos, char **word, size_t *num)
{
    char *line = data + *pos;
    char *nl = memchr(line, '\n', len - *pos);
    if (!nl)
        return -1;
    char *sp = memchr(line, ' ', (size_t)(nl - line));
    if (!sp || sp == line || sp - line > 255 || sp + 1 == nl)
        return -1;
    size_t v = 0;
    for (const char *d = sp + 1; d < nl; d++) {
        if (*d < '0' || *d > '9' || v > (SIZE_MAX - 9) / 10)
            return -1;
        v = v * 10 + (size_t)(*d - '0');
    }
    *sp = '\0';
    *word = line;
    *num = v;
    *pos = (size_t)(nl - data) + 1;
    return 0;
}

/* Parses text (owned by db from now on) in place: keys and values are NUL-terminated where
 * the format has a space and a newline after them. */
static int parse_owned(struct pw_repo_db *db, char *data, size_t len, const char *what,
                       struct pw_err *err)
{
    db->texts = pw_xrealloc(db->texts, (db->ntexts + 1) * sizeof(*db->texts));
    db->texts[db->ntexts++] = data;
    size_t magic = strlen(DB_MAGIC);
    if (len < magic || memcmp(data, DB_MAGIC, magic))
        return pw_err_set(err, PW_E_FORMAT, "'%s' is not a packwright repository index", what);
    size_t pos = magic;
    char *word;
    while (pos < len) {
        size_t nfields;
        if (read_head(data, len, &pos, &word, &nfields) < 0 || strcmp(word, "R"))
            goto bad;
        struct pw_repo_rec *r = pw_repo_db_add(db);
        for (size_t i = 0; i < nfields; i++) {
            size_t vlen;
            if (read_head(data, len, &pos, &word, &vlen) < 0 || vlen > len - pos ||
                len - pos - vlen < 1 || data[pos + vlen] != '\n')
                goto bad;
            /* a damaged index may repeat a key: the first one wins, as in rec_get */
            struct pw_repo_kv *kv = rec_slot(r);
            kv->key = word;
            kv->val = data + pos;
            kv->len = vlen;
            kv->borrowed = 1;
            data[pos + vlen] = '\0';
            pos += vlen + 1;
        }
    }
    return 0;
bad:
    return pw_err_set(err, PW_E_FORMAT, "'%s': damaged repository index at byte %zu", what, pos);
}

int pw_repo_db_parse(struct pw_repo_db *db, const char *data, size_t len, const char *what,
                     struct pw_err *err)
{
    char *copy = pw_xmalloc(len + 1);
    memcpy(copy, data, len);
    copy[len] = '\0';
    return parse_owned(db, copy, len, what, err);
}

int pw_repo_db_load(struct pw_repo_db *db, const char *path, int missing_ok, struct pw_err *err)
{
    struct pw_buf data = PW_BUF_INIT;
    int rc = pw_fs_read_file(path, &data, err);
    if (rc < 0) {
        pw_buf_release(&data);
        if (missing_ok && !pw_fs_exists(path)) {
            pw_err_init(err);
            return 0;
        }
        return rc;
    }
    size_t len;
    char *text = pw_buf_detach(&data, &len);
    if (!text)
        text = pw_xstrdup("");
    return parse_owned(db, text, len, path, err);
}
