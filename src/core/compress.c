#include "compress.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    enum pw_compress_method method;
    int min, max, def;
} methods[] = {
    {"none", PW_COMPRESS_NONE, 0, 0, 0},
    {"gzip", PW_COMPRESS_GZIP, 1, 9, 9},
    {"xz", PW_COMPRESS_XZ, 0, 9, 6},
    {"zstd", PW_COMPRESS_ZSTD, 1, 19, 19},
};

int pw_compression_parse(const char *spec, const char *what, struct pw_compression *out,
                         struct pw_err *err)
{
    const char *colon = strchr(spec, ':');
    size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (strlen(methods[i].name) != nlen || strncmp(methods[i].name, spec, nlen))
            continue;
        out->method = methods[i].method;
        out->level = -1;
        if (!colon)
            return 0;
        char *end;
        long lvl = strtol(colon + 1, &end, 10);
        if (!colon[1] || *end || lvl < methods[i].min || lvl > methods[i].max)
            return pw_err_set(err, PW_E_USAGE, "%s: level '%s' for %s must be %d to %d", what,
                              colon + 1, methods[i].name, methods[i].min, methods[i].max);
        out->level = (int)lvl;
        return 0;
    }
    return pw_err_set(err, PW_E_USAGE, "%s: unknown compression '%.*s' (gzip, xz, zstd, none)",
                      what, (int)nlen, spec);
}

const char *pw_compression_name(enum pw_compress_method m)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (methods[i].method == m)
            return methods[i].name;
    return "?";
}

int pw_compression_level(const struct pw_compression *c)
{
    if (c->level >= 0)
        return c->level;
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (methods[i].method == c->method)
            return methods[i].def;
    return 0;
}
