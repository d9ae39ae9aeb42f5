#include "toml_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

static void json_string(struct pw_buf *out, const char *s, size_t len)
{
    pw_buf_addc(out, '"');
    pw_buf_add_json_escaped(out, s, len);
    pw_buf_addc(out, '"');
}

static void scalar_text(const struct pw_toml_node *v, struct pw_buf *out)
{
    switch (v->type) {
    case PW_TOML_STRING:
        pw_buf_add_json_escaped(out, v->str, v->len);
        break;
    case PW_TOML_INTEGER:
        pw_buf_addf(out, "%" PRId64, v->i);
        break;
    case PW_TOML_BOOL:
        pw_buf_adds(out, v->i ? "true" : "false");
        break;
    case PW_TOML_FLOAT:
        if (isnan(v->f))
            pw_buf_adds(out, "nan");
        else if (isinf(v->f))
            pw_buf_adds(out, v->f < 0 ? "-inf" : "inf");
        else
            pw_buf_addf(out, "%.17g", v->f);
        break;
    default: /* date-times: canonical upper-case 'T' and 'Z' */
        for (size_t i = 0; i < v->len; i++) {
            char c = v->str[i];
            pw_buf_addc(out, c == 't' || c == ' ' ? 'T' : c == 'z' ? 'Z' : c);
        }
    }
}

void pw_toml_json_write(const struct pw_toml_node *v, struct pw_buf *out)
{
    if (v->type == PW_TOML_TABLE) {
        pw_buf_addc(out, '{');
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                pw_buf_addc(out, ',');
            json_string(out, v->entries[i].name.ptr, v->entries[i].name.len);
            pw_buf_addc(out, ':');
            pw_toml_json_write(v->entries[i].val, out);
        }
        pw_buf_addc(out, '}');
    } else if (v->type == PW_TOML_ARRAY) {
        pw_buf_addc(out, '[');
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                pw_buf_addc(out, ',');
            pw_toml_json_write(v->items[i], out);
        }
        pw_buf_addc(out, ']');
    } else {
        pw_buf_addf(out, "{\"type\":\"%s\",\"value\":\"", pw_toml_type_name(v->type));
        scalar_text(v, out);
        pw_buf_adds(out, "\"}");
    }
}
