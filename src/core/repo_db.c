#include "repo_db.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../base/fs.h"
#include "../base/strvec.h"

#define DB_MAGIC_V1 "packwright-repo-index 1\n"
#define DB_MAGIC "packwright-repo-index 2\n"

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
    for (size_t i = 0; i < db->nmaps; i++)
        munmap(db->maps[i].addr, db->maps[i].len);
    free(db->maps);
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

const char *pw_repo_rec_getn(const struct pw_repo_rec *r, const char *key, size_t *len)
{
    for (size_t i = 0; r && i < r->n; i++)
        if (!strcmp(r->kv[i].key, key)) {
            *len = r->kv[i].len;
            return r->kv[i].val;
        }
    *len = 0;
    return "";
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

/* Room for n more fields without growing (a loaded record knows its field count). */
static void rec_reserve(struct pw_repo_rec *r, size_t n)
{
    if (r->cap - r->n < n) {
        r->cap = r->n + n;
        r->kv = pw_xrealloc(r->kv, r->cap * sizeof(*r->kv));
    }
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
    r->src = NULL; /* changed: written field by field from now on */
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
        size_t small = 0;
        for (size_t j = 0; j < from->n; j++)
            small += from->kv[j].len <= 256;
        rec_reserve(to, small);
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

static void add_number(struct pw_buf *out, size_t num, char end)
{
    char digits[24];
    size_t n = 0;
    do
        digits[n++] = (char)('0' + num % 10);
    while ((num /= 10));
    while (n)
        pw_buf_addc(out, digits[--n]);
    pw_buf_addc(out, end);
}

static void add_record(struct pw_buf *out, const struct pw_repo_rec *r)
{
    if (r->src) {
        pw_buf_add(out, r->src, r->srclen);
        return;
    }
    pw_buf_adds(out, "R ");
    add_number(out, r->n, '\n');
    for (size_t j = 0; j < r->n; j++) {
        pw_buf_add(out, r->kv[j].key, strlen(r->kv[j].key) + 1);
        add_number(out, r->kv[j].len, '\n');
        pw_buf_add(out, r->kv[j].val, r->kv[j].len);
        pw_buf_add(out, "\0\n", 2);
    }
}

void pw_repo_db_serialize(const struct pw_repo_db *db, struct pw_buf *out)
{
    size_t total = strlen(DB_MAGIC);
    for (size_t i = 0; i < db->n; i++)
        for (size_t j = 0; j < db->recs[i]->n; j++)
            total += db->recs[i]->kv[j].len + 64;
    pw_buf_grow(out, total);
    pw_buf_adds(out, DB_MAGIC);
    for (size_t i = 0; i < db->n; i++)
        add_record(out, db->recs[i]);
}

static int write_iov(int fd, struct iovec *iov, size_t n)
{
    while (n) {
        ssize_t w = writev(fd, iov, (int)(n > 1024 ? 1024 : n));
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        size_t done = (size_t)w;
        for (; n && done >= iov->iov_len; n--, iov++)
            done -= iov->iov_len;
        if (n) {
            iov->iov_base = (char *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return 0;
}

int pw_repo_db_write(const struct pw_repo_db *db, const char *path, struct pw_err *err)
{
    /* changed records are formatted into one buffer first (its address then stays put) */
    struct pw_buf fresh = PW_BUF_INIT;
    size_t *end = pw_xcalloc(db->n + 1, sizeof(*end));
    for (size_t i = 0; i < db->n; i++) {
        if (!db->recs[i]->src)
            add_record(&fresh, db->recs[i]);
        end[i] = fresh.len;
    }
    struct iovec *iov = pw_xcalloc(db->n + 1, sizeof(*iov));
    size_t n = 0, at = 0;
    iov[n].iov_base = (void *)DB_MAGIC;
    iov[n++].iov_len = strlen(DB_MAGIC);
    for (size_t i = 0; i < db->n; i++) {
        const struct pw_repo_rec *r = db->recs[i];
        const char *p = r->src ? r->src : fresh.buf + at;
        size_t len = r->src ? r->srclen : end[i] - at;
        at = end[i];
        struct iovec *last = &iov[n - 1];
        if ((const char *)last->iov_base + last->iov_len == p) {
            last->iov_len += len; /* adjacent: runs of unchanged records are one write */
        } else {
            iov[n].iov_base = (void *)p;
            iov[n++].iov_len = len;
        }
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = fd < 0 ? pw_err_errno(err, PW_E_IO, errno, "cannot create '%s'", path) : 0;
    if (rc == 0 && (write_iov(fd, iov, n) < 0 || close(fd) < 0))
        rc = pw_err_errno(err, PW_E_IO, errno, "cannot write '%s'", path);
    free(iov);
    free(end);
    pw_buf_release(&fresh);
    return rc;
}

/* Reads the decimal number at *pos ending in end. */
static int read_number(const char *data, size_t len, size_t *pos, char end, size_t *num)
{
    size_t v = 0, p = *pos;
    for (; p < len && data[p] != end; p++) {
        if (data[p] < '0' || data[p] > '9' || v > (SIZE_MAX - 9) / 10)
            return -1;
        v = v * 10 + (size_t)(data[p] - '0');
    }
    if (p >= len || p == *pos)
        return -1;
    *num = v;
    *pos = p + 1;
    return 0;
}

/* Version 1: reads "<word> <number>\n" at *pos; the word is NUL-terminated in place. */
static int read_head(char *data, size_t len, size_t *pos, char **word, size_t *num)
{
    char *line = data + *pos;
    char *sp = memchr(line, ' ', len - *pos < 257 ? len - *pos : 257);
    if (!sp || sp == line || memchr(line, '\n', (size_t)(sp - line)))
        return -1;
    size_t p = (size_t)(sp + 1 - data);
    if (read_number(data, len, &p, '\n', num) < 0)
        return -1;
    *sp = '\0';
    *word = line;
    *pos = p;
    return 0;
}

static void remember_text(struct pw_repo_db *db, char *text)
{
    db->texts = pw_xrealloc(db->texts, (db->ntexts + 1) * sizeof(*db->texts));
    db->texts[db->ntexts++] = text;
}

static int damaged(const char *what, size_t pos, struct pw_err *err)
{
    return pw_err_set(err, PW_E_FORMAT, "'%s': damaged repository index at byte %zu", what, pos);
}

/* Version 1, in place: keys and values are NUL-terminated where the format has a space and a
 * newline after them. */
static int parse_v1(struct pw_repo_db *db, char *data, size_t len, const char *what,
                    struct pw_err *err)
{
    size_t pos = strlen(DB_MAGIC_V1);
    char *word;
    while (pos < len) {
        size_t nfields;
        if (read_head(data, len, &pos, &word, &nfields) < 0 || strcmp(word, "R"))
            return damaged(what, pos, err);
        struct pw_repo_rec *r = pw_repo_db_add(db);
        r->loaded = 1;
        for (size_t i = 0; i < nfields; i++) {
            size_t vlen;
            if (read_head(data, len, &pos, &word, &vlen) < 0 || vlen > len - pos ||
                len - pos - vlen < 1 || data[pos + vlen] != '\n')
                return damaged(what, pos, err);
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
}

/* Version 2, read-only: the text (mapped or owned by db) is used where it is. */
static int parse_v2(struct pw_repo_db *db, const char *data, size_t len, const char *what,
                    struct pw_err *err)
{
    size_t pos = strlen(DB_MAGIC);
    while (pos < len) {
        size_t start = pos, nfields;
        if (len - pos < 2 || memcmp(data + pos, "R ", 2))
            return damaged(what, pos, err);
        pos += 2;
        if (read_number(data, len, &pos, '\n', &nfields) < 0)
            return damaged(what, pos, err);
        struct pw_repo_rec *r = pw_repo_db_add(db);
        if (nfields <= (len - pos) / 4) /* each field takes at least four bytes */
            rec_reserve(r, nfields);
        for (size_t i = 0; i < nfields; i++) {
            const char *key = data + pos;
            const char *nul = memchr(key, '\0', len - pos < 257 ? len - pos : 257);
            size_t vlen;
            if (!nul || nul == key || memchr(key, '\n', (size_t)(nul - key)))
                return damaged(what, pos, err);
            pos = (size_t)(nul + 1 - data);
            if (read_number(data, len, &pos, '\n', &vlen) < 0 || vlen > len - pos ||
                len - pos - vlen < 2 || memcmp(data + pos + vlen, "\0\n", 2))
                return damaged(what, pos, err);
            struct pw_repo_kv *kv = rec_slot(r);
            kv->key = (char *)key;
            kv->val = (char *)data + pos;
            kv->len = vlen;
            kv->borrowed = 1;
            pos += vlen + 2;
        }
        r->src = data + start;
        r->srclen = pos - start;
        r->loaded = 1;
    }
    return 0;
}

static int parse_text(struct pw_repo_db *db, char *text, size_t len, int mapped,
                      const char *what, struct pw_err *err)
{
    size_t m1 = strlen(DB_MAGIC_V1), m2 = strlen(DB_MAGIC);
    if (len >= m2 && !memcmp(text, DB_MAGIC, m2))
        return parse_v2(db, text, len, what, err);
    if (len >= m1 && !memcmp(text, DB_MAGIC_V1, m1)) {
        if (mapped) { /* parsed in place: needs its own copy */
            char *copy = pw_xmalloc(len + 1);
            memcpy(copy, text, len);
            copy[len] = '\0';
            remember_text(db, copy);
            text = copy;
        }
        return parse_v1(db, text, len, what, err);
    }
    return pw_err_set(err, PW_E_FORMAT, "'%s' is not a packwright repository index", what);
}

int pw_repo_db_parse(struct pw_repo_db *db, const char *data, size_t len, const char *what,
                     struct pw_err *err)
{
    char *copy = pw_xmalloc(len + 1);
    memcpy(copy, data, len);
    copy[len] = '\0';
    remember_text(db, copy);
    return parse_text(db, copy, len, 0, what, err);
}

int pw_repo_db_load(struct pw_repo_db *db, const char *path, int missing_ok, struct pw_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (missing_ok && errno == ENOENT)
            return 0;
        return pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", path);
    }
    struct stat st;
    void *map = MAP_FAILED;
    if (fstat(fd, &st) == 0 && st.st_size > 0)
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) { /* empty, or not mappable: read it */
        struct pw_buf data = PW_BUF_INIT;
        int rc = pw_fs_read_file(path, &data, err);
        size_t len;
        char *text = pw_buf_detach(&data, &len);
        remember_text(db, text);
        return rc < 0 ? rc : parse_text(db, text, len, 0, path, err);
    }
    db->maps = pw_xrealloc(db->maps, (db->nmaps + 1) * sizeof(*db->maps));
    db->maps[db->nmaps].addr = map;
    db->maps[db->nmaps++].len = (size_t)st.st_size;
    return parse_text(db, map, (size_t)st.st_size, 1, path, err);
}
