#include "jsonw.h"

#include <inttypes.h>
#include <string.h>

void pw_jsonw_init(struct pw_jsonw *w, struct pw_buf *out, int pretty)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->pretty = pretty;
}

static void newline(struct pw_jsonw *w)
{
    if (!w->pretty)
        return;
    pw_buf_addc(w->out, '\n');
    for (int i = 0; i < w->depth; i++)
        pw_buf_adds(w->out, "  ");
}

static void begin_value(struct pw_jsonw *w, const char *key)
{
    if (w->need_comma[w->depth])
        pw_buf_addc(w->out, ',');
    if (w->depth > 0)
        newline(w);
    w->need_comma[w->depth] = 1;
    if (key) {
        pw_buf_addc(w->out, '"');
        pw_buf_add_json_escaped(w->out, key, strlen(key));
        pw_buf_adds(w->out, w->pretty ? "\": " : "\":");
    }
}

static void open_container(struct pw_jsonw *w, const char *key, char c)
{
    begin_value(w, key);
    pw_buf_addc(w->out, c);
    if (w->depth < 63)
        w->depth++;
    w->need_comma[w->depth] = 0;
}

static void close_container(struct pw_jsonw *w, char c)
{
    int had = w->need_comma[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (had)
        newline(w);
    pw_buf_addc(w->out, c);
    if (w->depth == 0 && w->pretty)
        pw_buf_addc(w->out, '\n');
}

void pw_jsonw_obj_open(struct pw_jsonw *w, const char *key) { open_container(w, key, '{'); }
void pw_jsonw_obj_close(struct pw_jsonw *w) { close_container(w, '}'); }
void pw_jsonw_arr_open(struct pw_jsonw *w, const char *key) { open_container(w, key, '['); }
void pw_jsonw_arr_close(struct pw_jsonw *w) { close_container(w, ']'); }

void pw_jsonw_strn(struct pw_jsonw *w, const char *key, const char *val, size_t len)
{
    begin_value(w, key);
    if (!val) {
        pw_buf_adds(w->out, "null");
        return;
    }
    pw_buf_addc(w->out, '"');
    pw_buf_add_json_escaped(w->out, val, len);
    pw_buf_addc(w->out, '"');
}

void pw_jsonw_str(struct pw_jsonw *w, const char *key, const char *val)
{
    pw_jsonw_strn(w, key, val, val ? strlen(val) : 0);
}

void pw_jsonw_int(struct pw_jsonw *w, const char *key, int64_t val)
{
    begin_value(w, key);
    pw_buf_addf(w->out, "%" PRId64, val);
}

void pw_jsonw_bool(struct pw_jsonw *w, const char *key, int val)
{
    begin_value(w, key);
    pw_buf_adds(w->out, val ? "true" : "false");
}
