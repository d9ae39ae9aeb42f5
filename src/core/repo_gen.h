/* Generations of one family's metadata, the publish lock and garbage collection
 * (repo_gen.c). */
#ifndef PW_CORE_REPO_GEN_H
#define PW_CORE_REPO_GEN_H

#include "repo_int.h"

void pw_repo_gen_dir(const struct pw_repo_state *s, long id, struct pw_buf *out);
/* .gen/ID/ENTRY: the directory the public name points at. */
void pw_repo_gen_entry(const struct pw_repo_state *s, long id, struct pw_buf *out);
/* The live generation (0 when the family was never published). */
int pw_repo_gen_live(const struct pw_repo_state *s, long *id, struct pw_err *err);
/* Generation ids on disk, ascending; *ids is the caller's to free. */
size_t pw_repo_gen_list(const struct pw_repo_state *s, long **ids);
int64_t pw_repo_gen_published(const struct pw_repo_state *s, long id);
/* Is ids[i] live or superseded for less than the grace period? */
int pw_repo_gen_retained(const struct pw_repo *r, const struct pw_repo_state *s,
                         const long *ids, size_t n, size_t i);
/* Removes generations a killed publisher staged but never switched to. */
int pw_repo_gen_clean_stale(const struct pw_repo_state *s, struct pw_err *err);
long pw_repo_gen_next(const struct pw_repo_state *s);
int pw_repo_gen_carry(const struct pw_repo *r, const struct pw_repo_state *s, const char *entry,
                      struct pw_err *err);
/* Files of the new generation that replace a different file under the same name (InRelease,
 * Packages.xz, repomd.xml, ...) get an mtime after the old one's, so that a server answering
 * If-Modified-Since by second-resolution mtimes never calls them unchanged. */
void pw_repo_gen_advance_mtimes(const char *entry, const char *prev);
/* Writes .gen/ID/index and .gen/ID/pool from s->db. */
int pw_repo_gen_write_state(const struct pw_repo_state *s, long id, struct pw_err *err);
/* Loads the live index into s->db and s->trusted. */
int pw_repo_gen_load(struct pw_repo_state *s, struct pw_err *err);
/* Stamps .gen/ID/published and points the public name at it with one rename. */
int pw_repo_gen_switch(const struct pw_repo *r, struct pw_repo_state *s, long id,
                       struct pw_err *err);
/* Drops generations past the grace period, then pool files nothing retained references. */
int pw_repo_gen_collect(const struct pw_repo *r, const struct pw_repo_state *s,
                        struct pw_err *err);
/* flock on REPO/.packwright/lock, waiting up to o->lock_timeout seconds (PW_E_LOCKED). A
 * shared lock on a repository without a lock file is not an error. */
int pw_repo_lock(struct pw_repo *r, int shared, struct pw_err *err);
void pw_repo_unlock(struct pw_repo *r);

#endif
