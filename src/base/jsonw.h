/* A small streaming JSON writer (for --json output); keeps commas and nesting right. */
#ifndef PW_BASE_JSONW_H
#define PW_BASE_JSONW_H

#include <stdint.h>

#include "buf.h"

struct pw_jsonw {
    struct pw_buf *out;
    int depth;
    int need_comma[64];
    int pretty;
};

void pw_jsonw_init(struct pw_jsonw *w, struct pw_buf *out, int pretty);
void pw_jsonw_obj_open(struct pw_jsonw *w, const char *key);  /* key NULL inside arrays */
void pw_jsonw_obj_close(struct pw_jsonw *w);
void pw_jsonw_arr_open(struct pw_jsonw *w, const char *key);
void pw_jsonw_arr_close(struct pw_jsonw *w);
void pw_jsonw_str(struct pw_jsonw *w, const char *key, const char *val); /* NULL -> null */
void pw_jsonw_strn(struct pw_jsonw *w, const char *key, const char *val, size_t len);
void pw_jsonw_int(struct pw_jsonw *w, const char *key, int64_t val);
void pw_jsonw_bool(struct pw_jsonw *w, const char *key, int val);

#endif
