#include "feed.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/fs.h"
#include "hash.h"

#define MIN_SLOTS 16 /* 4 MiB */
#define MAX_SLOTS 512
#define SLOT_SIZE (256 * 1024)
#define MAX_CONSUMERS 8

struct plan_entry {
    const char *path; /* in the package: the plan's order */
    const char *src;
    uint64_t size;
    unsigned mask; /* consumers that ask for it */
    unsigned char md5[16], sha256[32];
};

struct slot {
    size_t entry;
    size_t len;
    int eof;       /* the entry's last chunk: its digests are ready */
    unsigned refs; /* active consumers that have not passed it yet */
    unsigned char *data;
};

struct consumer {
    size_t seq; /* the next chunk it reads */
    int active;
    int direct; /* its order left the plan: it reads the disk itself */
};

struct pw_feed {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct plan_entry *plan;
    size_t nplan;
    struct slot *slots;
    size_t nslots;
    size_t head; /* chunks published */
    struct consumer cons[MAX_CONSUMERS];
    size_t ncons;
    int done;
    struct pw_err err; /* the reader's failure, code 0 while none */
};

static int wanted(const struct pw_file *f)
{
    return f->kind == PW_FILE_REG && f->src && !(f->flags & (PW_FLAG_GENERATED | PW_FLAG_GHOST));
}

static size_t next_wanted(const struct pw_contents *c, size_t i)
{
    while (i < c->n && !wanted(&c->files[i]))
        i++;
    return i;
}

/* The merge of every consumer's order (each sorted by path): one entry per source that the
 * consumers asking for it at the same point share. */
static void make_plan(struct pw_feed *fd, const struct pw_contents *const *lists, size_t n)
{
    size_t pos[MAX_CONSUMERS], cap = 0;
    for (size_t i = 0; i < n; i++)
        pos[i] = next_wanted(lists[i], 0);
    for (;;) {
        const struct pw_file *min = NULL;
        for (size_t i = 0; i < n; i++)
            if (pos[i] < lists[i]->n &&
                (!min || strcmp(lists[i]->files[pos[i]].path, min->path) < 0))
                min = &lists[i]->files[pos[i]];
        if (!min)
            return;
        if (fd->nplan == cap) {
            cap = cap ? 2 * cap : 64;
            fd->plan = pw_xrealloc(fd->plan, cap * sizeof(*fd->plan));
        }
        struct plan_entry *e = &fd->plan[fd->nplan++];
        memset(e, 0, sizeof(*e));
        e->path = min->path;
        e->src = min->src;
        e->size = min->size;
        for (size_t i = 0; i < n; i++) {
            const struct pw_file *f = pos[i] < lists[i]->n ? &lists[i]->files[pos[i]] : NULL;
            if (f && !strcmp(f->path, min->path) && !strcmp(f->src, min->src) &&
                f->size == min->size) {
                e->mask |= 1u << i;
                pos[i] = next_wanted(lists[i], pos[i] + 1);
            }
        }
    }
}

struct pw_feed *pw_feed_new(const struct pw_contents *const *lists, size_t n, size_t ring)
{
    if (n > MAX_CONSUMERS)
        return NULL;
    struct pw_feed *fd = pw_xcalloc(1, sizeof(*fd));
    pthread_mutex_init(&fd->mu, NULL);
    pthread_cond_init(&fd->cv, NULL);
    pw_err_init(&fd->err);
    fd->ncons = n;
    for (size_t i = 0; i < n; i++)
        fd->cons[i].active = 1;
    /* a writer whose compressor takes input in large blocks (xz's multi-threaded encoder:
     * 3 x its dictionary) stops for the time of a whole block: a ring that holds one lets
     * the other writer go on meanwhile instead of waiting for the slot it holds */
    size_t want = ring / SLOT_SIZE + 2;
    fd->nslots = want < MIN_SLOTS ? MIN_SLOTS : want > MAX_SLOTS ? MAX_SLOTS : want;
    fd->slots = pw_xcalloc(fd->nslots, sizeof(*fd->slots));
    for (size_t i = 0; i < fd->nslots; i++)
        fd->slots[i].data = pw_xmalloc(SLOT_SIZE);
    make_plan(fd, lists, n);
    return fd;
}

void pw_feed_free(struct pw_feed *fd)
{
    if (!fd)
        return;
    for (size_t i = 0; i < fd->nslots; i++)
        free(fd->slots[i].data);
    free(fd->slots);
    free(fd->plan);
    pthread_mutex_destroy(&fd->mu);
    pthread_cond_destroy(&fd->cv);
    free(fd);
}

static unsigned active_count(const struct pw_feed *fd)
{
    unsigned n = 0;
    for (size_t i = 0; i < fd->ncons; i++)
        n += fd->cons[i].active != 0;
    return n;
}

/* Waits for the next slot to be free; NULL when nobody listens any more. */
static struct slot *claim(struct pw_feed *fd)
{
    struct slot *s = &fd->slots[fd->head % fd->nslots];
    pthread_mutex_lock(&fd->mu);
    while (s->refs && active_count(fd))
        pthread_cond_wait(&fd->cv, &fd->mu);
    int listening = active_count(fd) != 0;
    pthread_mutex_unlock(&fd->mu);
    return listening ? s : NULL;
}

static void publish(struct pw_feed *fd, struct slot *s, size_t entry, size_t len, int eof)
{
    pthread_mutex_lock(&fd->mu);
    s->entry = entry;
    s->len = len;
    s->eof = eof;
    s->refs = active_count(fd);
    fd->head++;
    pthread_cond_broadcast(&fd->cv);
    pthread_mutex_unlock(&fd->mu);
}

/* One file: its chunks in order, the digests set before the last one is published. */
static int feed_file(struct pw_feed *fd, size_t idx, struct pw_err *err)
{
    struct plan_entry *e = &fd->plan[idx];
    int in = open(e->src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", e->src);
    struct pw_hash md5, sha;
    pw_hash_init(&md5, PW_HASH_MD5);
    pw_hash_init(&sha, PW_HASH_SHA256);
    uint64_t done = 0;
    int rc = 0;
    for (;;) {
        struct slot *s = claim(fd);
        if (!s) {
            rc = 1; /* every consumer left */
            break;
        }
        size_t want = e->size - done < SLOT_SIZE ? (size_t)(e->size - done) : SLOT_SIZE, got;
        ssize_t n = pw_fs_read_full(in, s->data, want);
        if (n < 0) {
            rc = pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", e->src);
            break;
        }
        got = (size_t)n;
        if (got < want) {
            rc = pw_err_set(err, PW_E_IO, "'%s' shrank while it was being packed", e->src);
            break;
        }
        done += got;
        pw_hash_update(&md5, s->data, got);
        pw_hash_update(&sha, s->data, got);
        int eof = done == e->size;
        if (eof) {
            unsigned char extra;
            if (pw_fs_read_full(in, &extra, 1) > 0) {
                rc = pw_err_set(err, PW_E_IO, "'%s' grew while it was being packed", e->src);
                break;
            }
            pw_hash_final(&md5, e->md5);
            pw_hash_final(&sha, e->sha256);
        }
        publish(fd, s, idx, got, eof);
        if (eof) {
            close(in);
            return 0;
        }
    }
    close(in);
    pw_hash_release(&md5);
    pw_hash_release(&sha);
    return rc;
}

void *pw_feed_run(void *arg)
{
    struct pw_feed *fd = arg;
    struct pw_err err;
    pw_err_init(&err);
    for (size_t i = 0; i < fd->nplan; i++) {
        if (feed_file(fd, i, &err) != 0)
            break;
    }
    pthread_mutex_lock(&fd->mu);
    fd->err = err;
    fd->done = 1;
    pthread_cond_broadcast(&fd->cv);
    pthread_mutex_unlock(&fd->mu);
    return NULL;
}

static void release_slot(struct pw_feed *fd, struct consumer *c)
{
    struct slot *s = &fd->slots[c->seq % fd->nslots];
    c->seq++;
    if (--s->refs == 0)
        pthread_cond_broadcast(&fd->cv);
}

static void detach_locked(struct pw_feed *fd, struct consumer *c)
{
    if (!c->active)
        return;
    while (c->seq < fd->head)
        release_slot(fd, c);
    c->active = 0;
    pthread_cond_broadcast(&fd->cv);
}

void pw_feed_detach(struct pw_feed *fd, int id)
{
    pthread_mutex_lock(&fd->mu);
    detach_locked(fd, &fd->cons[id]);
    pthread_mutex_unlock(&fd->mu);
}

/* ---- consumers --------------------------------------------------------------------------- */

static int from_disk(const struct pw_file *f, pw_feed_fn fn, void *arg, unsigned char *md5,
                     unsigned char sha256[32], struct pw_err *err)
{
    int in = open(f->src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return pw_err_errno(err, PW_E_IO, errno, "cannot open '%s'", f->src);
    struct pw_hash hm, hs;
    if (md5)
        pw_hash_init(&hm, PW_HASH_MD5);
    pw_hash_init(&hs, PW_HASH_SHA256);
    unsigned char *buf = pw_xmalloc(64 * 1024);
    uint64_t done = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, 64 * 1024);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = pw_err_errno(err, PW_E_IO, errno, "cannot read '%s'", f->src);
            break;
        }
        if (n == 0)
            break;
        if (done + (uint64_t)n > f->size) {
            rc = pw_err_set(err, PW_E_IO, "'%s' grew while it was being packed", f->src);
            break;
        }
        done += (uint64_t)n;
        if (md5)
            pw_hash_update(&hm, buf, (size_t)n);
        pw_hash_update(&hs, buf, (size_t)n);
        rc = fn(arg, buf, (size_t)n, err);
        if (rc < 0)
            break;
    }
    free(buf);
    close(in);
    if (rc == 0 && done != f->size)
        rc = pw_err_set(err, PW_E_IO, "'%s' shrank while it was being packed", f->src);
    if (rc < 0) {
        if (md5)
            pw_hash_release(&hm);
        pw_hash_release(&hs);
        return rc;
    }
    if (md5)
        pw_hash_final(&hm, md5);
    pw_hash_final(&hs, sha256);
    return 0;
}

/* 1: the chunk at c's cursor is f's first; 0: f is not in the plan (a file the writer added,
 * read from disk); 3: c left the plan's order (it reads the disk from now on); negative: the
 * reader failed. Called locked; skips chunks meant for other consumers. */
static int find_start(struct pw_feed *fd, struct consumer *c, unsigned bit, const struct pw_file *f,
                      struct pw_err *err)
{
    for (;;) {
        while (c->seq == fd->head && !fd->done)
            pthread_cond_wait(&fd->cv, &fd->mu);
        if (c->seq == fd->head) {
            if (fd->err.code) {
                *err = fd->err;
                return -err->code;
            }
            return 0;
        }
        struct slot *s = &fd->slots[c->seq % fd->nslots];
        const struct plan_entry *e = &fd->plan[s->entry];
        if (!(e->mask & bit)) {
            release_slot(fd, c);
            continue;
        }
        if (!strcmp(e->src, f->src) && e->size == f->size && !strcmp(e->path, f->path))
            return 1;
        return strcmp(f->path, e->path) < 0 ? 0 : 3;
    }
}

static int from_feed(struct pw_feed *fd, int id, const struct pw_file *f, pw_feed_fn fn, void *arg,
                     unsigned char *md5, unsigned char sha256[32], struct pw_err *err)
{
    struct consumer *c = &fd->cons[id];
    pthread_mutex_lock(&fd->mu);
    int rc = find_start(fd, c, 1u << id, f, err);
    if (rc == 3) {
        /* not in the plan's order: this consumer leaves the feed for good */
        detach_locked(fd, c);
        c->direct = 1;
    }
    while (rc == 1) {
        while (c->seq == fd->head && !fd->done)
            pthread_cond_wait(&fd->cv, &fd->mu);
        if (c->seq == fd->head) {
            rc = fd->err.code ? (*err = fd->err, -err->code)
                              : pw_err_set(err, PW_E_FAIL, "'%s': the reader stopped", f->src);
            break;
        }
        struct slot *s = &fd->slots[c->seq % fd->nslots];
        pthread_mutex_unlock(&fd->mu);
        int frc = fn(arg, s->data, s->len, err);
        pthread_mutex_lock(&fd->mu);
        int eof = s->eof;
        if (eof) {
            if (md5)
                memcpy(md5, fd->plan[s->entry].md5, 16);
            memcpy(sha256, fd->plan[s->entry].sha256, 32);
        }
        release_slot(fd, c);
        if (frc < 0)
            rc = frc;
        else if (eof)
            rc = 2;
    }
    pthread_mutex_unlock(&fd->mu);
    if (rc == 0 || rc == 3)
        return from_disk(f, fn, arg, md5, sha256, err);
    return rc < 0 ? rc : 0;
}

int pw_feed_stream(const struct pw_contents *c, const struct pw_file *f, pw_feed_fn fn, void *arg,
                   unsigned char *md5, unsigned char sha256[32], struct pw_err *err)
{
    if (!c || !c->feed || !wanted(f) || c->feed->cons[c->feed_id].direct)
        return from_disk(f, fn, arg, md5, sha256, err);
    return from_feed(c->feed, c->feed_id, f, fn, arg, md5, sha256, err);
}
