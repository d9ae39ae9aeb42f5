/* Compression method and level, parsed from "METHOD[:LEVEL]". */
#ifndef PW_CORE_COMPRESS_H
#define PW_CORE_COMPRESS_H

#include "../base/err.h"

enum pw_compress_method { PW_COMPRESS_NONE, PW_COMPRESS_GZIP, PW_COMPRESS_XZ, PW_COMPRESS_ZSTD };

struct pw_compression {
    enum pw_compress_method method;
    int level;   /* -1: the method's default */
    int threads; /* compressor workers, < 1: one; changes speed and memory, never the bytes */
};

/* Parses "gzip", "xz:9", "zstd:19", "none". what names the option for messages. */
int pw_compression_parse(const char *spec, const char *what, struct pw_compression *out,
                         struct pw_err *err);
const char *pw_compression_name(enum pw_compress_method m);
/* Level actually used (resolves -1 to the method's default). */
int pw_compression_level(const struct pw_compression *c);

#endif
