/* The repository index of one generation: records of key/value pairs (values are arbitrary
 * bytes), one record per pool file plus per-suite settings. It doubles as the metadata cache:
 * each package record holds its pool path, size, mtime and hashes together with the index
 * text already rendered for it, so adding one package to N reads only the new one.
 *
 * On disk: "packwright-repo-index 2\n", then per record "R <nfields>\n" and per field
 * "<key>\0<length>\n<bytes>\0\n": keys and values end in NUL bytes where they are, so a
 * loaded index is mapped and used in place, never copied, and the records a publish leaves
 * unchanged are written to the next generation's index as the byte ranges they came from.
 * Version 1 ("<key> <length>\n<bytes>\n") is still read. */
#ifndef PW_CORE_REPO_DB_H
#define PW_CORE_REPO_DB_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"

struct pw_repo_kv {
    char *key;
    char *val; /* NUL-terminated, may contain anything */
    size_t len;
    int borrowed; /* key and val point into the db's loaded text, not malloc'ed */
};

struct pw_repo_rec {
    struct pw_repo_kv *kv;
    size_t n, cap;
    const char *src; /* its bytes in the version 2 text it was loaded from, while unchanged */
    size_t srclen;
    int loaded; /* it came from a loaded index (not added since) */
};

/* An open-addressing map from strings (copied) to borrowed pointers. */
struct pw_repo_map {
    char **keys;
    void **vals;
    size_t n, cap;
};

void pw_repo_map_init(struct pw_repo_map *m);
void pw_repo_map_release(struct pw_repo_map *m);
void *pw_repo_map_get(const struct pw_repo_map *m, const char *key);
/* Adds key unless present; returns 1 when added. */
int pw_repo_map_add(struct pw_repo_map *m, const char *key, void *val);

#define PW_REPO_DB_INDEXES 4

struct pw_repo_db {
    struct pw_repo_rec **recs;
    size_t n, cap;
    /* texts the parsed records point into: an index of a thousand packages parses without
     * copying its two megabytes of rendered entries */
    char **texts;
    size_t ntexts;
    struct pw_repo_db_map {
        void *addr;
        size_t len;
    } *maps;
    size_t nmaps;
    /* lookup indexes, built on first use and extended as records are appended */
    struct {
        char *key;
        struct pw_repo_map map;
        size_t built;
    } idx[PW_REPO_DB_INDEXES];
};

void pw_repo_db_init(struct pw_repo_db *db);
/* A copy of src's records without the large values (rendered index entries, len > 256); what
 * src borrows from its loaded text, the copy borrows too, so it must not outlive src. */
void pw_repo_db_copy_small(struct pw_repo_db *dst, const struct pw_repo_db *src);
void pw_repo_db_release(struct pw_repo_db *db);
/* A new empty record appended to db (owned by db). */
struct pw_repo_rec *pw_repo_db_add(struct pw_repo_db *db);
/* A record of no db yet (worker threads render records before they are committed). */
struct pw_repo_rec *pw_repo_rec_new(void);
void pw_repo_rec_free(struct pw_repo_rec *r);
/* Appends a record made by pw_repo_rec_new; db owns it from now on. */
void pw_repo_db_append(struct pw_repo_db *db, struct pw_repo_rec *r);
/* Removes and frees record i, keeping the order of the others. */
void pw_repo_db_drop(struct pw_repo_db *db, size_t i);
/* First record whose field key equals val (and, when type is not NULL, whose "type" is type). */
struct pw_repo_rec *pw_repo_db_find(const struct pw_repo_db *db, const char *type,
                                   const char *key, const char *val);
/* The first record whose field key equals val, through an index on key (records must not
 * change that field once looked up; dropping a record resets the indexes). */
struct pw_repo_rec *pw_repo_db_lookup(struct pw_repo_db *db, const char *key, const char *val);
/* Writes db to path (version 2), unchanged records straight from the text they were loaded
 * from. */
int pw_repo_db_write(const struct pw_repo_db *db, const char *path, struct pw_err *err);
/* Loads path; a missing file gives an empty db when missing_ok. */
int pw_repo_db_load(struct pw_repo_db *db, const char *path, int missing_ok,
                    struct pw_err *err);
int pw_repo_db_parse(struct pw_repo_db *db, const char *data, size_t len, const char *what,
                     struct pw_err *err);
void pw_repo_db_serialize(const struct pw_repo_db *db, struct pw_buf *out);

const char *pw_repo_rec_get(const struct pw_repo_rec *r, const char *key);
/* The value of key and its length ("" and 0 when absent). */
const char *pw_repo_rec_getn(const struct pw_repo_rec *r, const char *key, size_t *len);
/* NULL-safe: "" when missing. */
const char *pw_repo_rec_str(const struct pw_repo_rec *r, const char *key);
int64_t pw_repo_rec_int(const struct pw_repo_rec *r, const char *key);
void pw_repo_rec_set(struct pw_repo_rec *r, const char *key, const char *val);
void pw_repo_rec_setn(struct pw_repo_rec *r, const char *key, const char *val, size_t len);
void pw_repo_rec_set_int(struct pw_repo_rec *r, const char *key, int64_t v);
/* Space-separated word lists (suites, architectures, components). */
int pw_repo_words_has(const char *words, const char *word);
struct pw_strvec;
/* Appends each word to out. */
void pw_repo_words_split(const char *words, struct pw_strvec *out);
/* Adds word to the list in field key, keeping it sorted and unique. Returns 1 if added. */
int pw_repo_rec_add_word(struct pw_repo_rec *r, const char *key, const char *word);
/* Removes word; returns 1 if it was there. */
int pw_repo_rec_del_word(struct pw_repo_rec *r, const char *key, const char *word);

#endif
