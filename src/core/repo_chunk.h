/* Repository index files built from independently compressed chunks, so that a publish
 * compresses only the text that changed.
 *
 * An index (primary.xml, Packages, ...) is a head, one entry per package in a fixed order, and
 * a tail. The entries are cut into chunks at content-defined boundaries (after an entry whose
 * key, a hex digest, ends a chunk by its value), so adding or removing one package changes
 * one chunk and leaves every other chunk's text, and therefore its compressed bytes, as they
 * were. Each chunk is compressed on its own: a gzip member, a zstd frame, or a block of one
 * xz stream. Every client reads these as one file (zlib, gzip(1), Python and libsolv read
 * concatenated gzip members and zstd frames; an xz stream of many blocks is what xz -T
 * writes; apt reads all three).
 *
 * A generation records its chunks (file, offset, sizes, key) in a side file, "chunks", next
 * to its index; the next publish copies the compressed bytes of every chunk whose key it finds
 * there from the previous generation's files instead of compressing it again. A key is the
 * SHA-256 of the entries' own SHA-256s (kept in the index) or of the head's or tail's text. A
 * previous file is used only while it has the SHA-256 recorded with it (it was checked in full when
 * it was published), and each chunk taken from it is checked against its text (the gzip trailer's
 * CRC-32 and size, the xz block's CRC-64; zstd frames are decompressed); a fresh chunk is
 * decompressed and compared. So a file always decompresses to exactly the text that was hashed for
 * the metadata. */
#ifndef PW_CORE_REPO_CHUNK_H
#define PW_CORE_REPO_CHUNK_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "compress.h"
#include "repo_db.h"
#include "repo_int.h"

/* One package's entry: its text, the hex digest that places chunk boundaries (the package's
 * own), and optionally the entry's sum as pw_chunk_entry_sum wrote it when the entry was
 * rendered (NULL: computed from the text). */
struct pw_chunk_item {
    const char *text;
    size_t len;
    const char *key;
    const char *sum;
};

/* The SHA-256 (hex) of an entry's text, kept in the index next to the entry: chunk keys are
 * made from these sums without hashing every entry again. */
void pw_chunk_entry_sum(const char *text, size_t len, struct pw_buf *out);
/* Gives rec the sum of its entry field key ("KEY_sum") when it has none: records from
 * indexes written before entries carried sums get them once, and are rewritten with them. */
void pw_chunk_keep_sum(struct pw_repo_rec *rec, const char *key);

/* A chunk's text: the head, a run of entries [first, first + count), or the tail. Its key is
 * the SHA-256 of the head or tail, or of its entries' SHA-256s and the separator. */
struct pw_chunk_slice {
    size_t first, count;
    const char *text; /* head or tail, else NULL */
    size_t len;
    char sha256[65];
    uint32_t crc32;
};

/* The text of one index file, read from the entries where they are (never copied whole), and
 * where its chunks are. */
struct pw_chunk_text {
    struct pw_chunk_item *items;
    size_t nitems;
    char *head, *tail, *sep;
    struct pw_chunk_slice *v;
    size_t n, cap;
    /* of the whole text: size and the digests asked for (PW_REPO_SUM_SHA256/_SHA512) */
    struct pw_repo_sums sums;
    /* Checks the text of a chunk of entries compressed anew (the family's parser), or NULL;
     * once per chunk, however many compressions are made of it. */
    int (*validate)(const char *text, size_t len, void *arg, struct pw_err *err);
    void *validate_arg;
    atomic_uchar *validated; /* per chunk: its validation has been claimed */
};

void pw_chunk_text_init(struct pw_chunk_text *t);
void pw_chunk_text_release(struct pw_chunk_text *t);
/* head, the items each followed by sep, then tail; the items' texts must outlive t. sums
 * says which digests of the whole text to compute (PW_REPO_SUM_*). */
void pw_chunk_text_build(struct pw_chunk_text *t, const char *head,
                         const struct pw_chunk_item *items, size_t n, const char *sep,
                         const char *tail, unsigned sums);
/* Appends the whole text to out. */
void pw_chunk_text_plain(const struct pw_chunk_text *t, struct pw_buf *out);

/* A compressed file's chunks, in order. */
struct pw_chunk_ref {
    char sha256[65];
    uint64_t off, zlen, plen, unpadded;
};

struct pw_chunk_list {
    enum pw_compress_method method;
    struct pw_chunk_ref *v;
    size_t n, cap;
};

void pw_chunk_list_release(struct pw_chunk_list *l);

struct pw_chunk_prev {
    char file[512];
    struct pw_chunk_ref ref;
};

/* The previous generation's chunks, and the record of the next one's. */
struct pw_chunk_store {
    char *prev_dir; /* the previous entry directory, or NULL */
    struct pw_chunk_prev *prev;
    size_t nprev;
    struct pw_repo_map by_key; /* "METHOD SHA256" -> struct pw_chunk_prev * */
    struct pw_repo_map files;  /* file name -> struct pw_buf * (previous files read so far) */
    struct pw_repo_map sums;   /* file name -> its recorded SHA-256 (in prev) */
    struct pw_buf record;      /* the next generation's "chunks" file */
};

void pw_chunk_store_init(struct pw_chunk_store *cs);
void pw_chunk_store_release(struct pw_chunk_store *cs);
/* Reads "chunks" beside the previous entry directory prev_dir (NULL, or no such file: nothing
 * to reuse). A damaged record is ignored: chunks are then compressed anew. */
void pw_chunk_store_load(struct pw_chunk_store *cs, const char *prev_dir);
/* One file to compress: its text and method in; its bytes and chunks out. */
struct pw_chunk_job {
    const struct pw_chunk_text *t;
    enum pw_compress_method m;
    struct pw_buf out;
    struct pw_chunk_list chunks;
};
/* Compresses several files (several texts, or one text in several methods) at once: their
 * fresh chunks share one set of threads, so small files no longer run one after another. */
int pw_chunk_compress_jobs(struct pw_chunk_store *cs, struct pw_chunk_job *jobs, size_t njobs,
                           struct pw_err *err);
void pw_chunk_job_release(struct pw_chunk_job *j);
/* Records file (relative to the entry directory), its SHA-256 (hex) and its chunks for the
 * next generation. A file is reused from only while it still has that SHA-256. */
void pw_chunk_store_add(struct pw_chunk_store *cs, const char *file, const char *sha256,
                        const struct pw_chunk_list *chunks);
/* Writes the record beside the new entry directory dir. */
int pw_chunk_store_save(const struct pw_chunk_store *cs, const char *dir, struct pw_err *err);

#endif
