/* Reading each source file once for several writers: when the .deb and the .rpm of a package
 * are written side by side, one reader thread reads every file from disk in 256 KiB chunks,
 * takes its MD5 (deb md5sums) and SHA-256 (rpm file digests) in that one pass, and hands the
 * chunks to every writer through a bounded ring (4 MiB whatever the payload, or one input
 * block of xz's multi-threaded encoder, 24 MiB at -6: ring bytes). Each writer
 * (a consumer) asks for its files in its contents order; the plan is the merge of those
 * orders, so a file only one format ships passes the other by. Without a feed, or for a file
 * that is not the consumer's next one in the plan, pw_feed_stream reads the disk itself. */
#ifndef PW_CORE_FEED_H
#define PW_CORE_FEED_H

#include <stddef.h>

#include "../base/err.h"
#include "contents.h"

struct pw_feed;

/* Receives the bytes of one file, in order. */
typedef int (*pw_feed_fn)(void *arg, const void *buf, size_t len, struct pw_err *err);

/* A feed for n consumers; lists[i] is consumer i's contents (the files it will ask for: its
 * regular files read from disk, ghosts excepted, in order). */
struct pw_feed *pw_feed_new(const struct pw_contents *const *lists, size_t n, size_t ring);
/* The reader: runs on its own thread (pw_feed_run is a pthread start routine). */
void *pw_feed_run(void *feed);
/* Consumer id is done: its unread chunks are released (call once per consumer, always). */
void pw_feed_detach(struct pw_feed *feed, int id);
void pw_feed_free(struct pw_feed *feed);

/* Streams the bytes of f (a regular file with src) to fn, from c's feed when c has one (c may
 * be NULL), and fills the digests: sha256 always, md5 unless it is NULL. A source whose size
 * changed since the contents were built is an error. */
int pw_feed_stream(const struct pw_contents *c, const struct pw_file *f, pw_feed_fn fn, void *arg,
                   unsigned char *md5, unsigned char sha256[32], struct pw_err *err);

#endif
