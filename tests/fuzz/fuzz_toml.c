/* libFuzzer target: the TOML parser. Any input either parses into a document whose spans are
 * consistent and that encodes to JSON, or is rejected with `NAME:LINE:COL: message`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml/toml.h"
#include "toml/toml_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_spans(const struct pw_toml_doc *doc)
{
    for (size_t i = 0; i < doc->n_kvs; i++) {
        const struct pw_toml_kv *kv = doc->kvs[i];
        if (!(kv->line_start <= kv->key_start && kv->key_start < kv->key_end &&
              kv->key_end <= kv->val_start && kv->val_start < kv->val_end &&
              kv->val_end <= kv->line_end && kv->line_end <= doc->len))
            abort();
        if (kv->value->start != kv->val_start || kv->value->end != kv->val_end)
            abort();
    }
    for (size_t i = 1; i < doc->n_sections; i++) {
        const struct pw_toml_section *s = doc->sections[i];
        if (!(s->lead_start <= s->hdr_start && s->hdr_start < s->hdr_end &&
              s->hdr_end <= s->body_end && s->body_end <= s->end && s->end <= doc->len))
            abort();
        if (doc->sections[i - 1]->end != s->lead_start)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pw_toml_doc *doc = NULL;
    struct pw_err err;
    pw_err_init(&err);
    if (pw_toml_parse("fuzz", (const char *)data, size, &doc, &err) == 0) {
        check_spans(doc);
        struct pw_buf json = PW_BUF_INIT;
        pw_toml_json_write(doc->root, &json);
        pw_buf_release(&json);
        /* the same text parses to the same values */
        struct pw_toml_doc *again = NULL;
        if (pw_toml_parse("fuzz", doc->src, doc->len, &again, &err) ||
            !pw_toml_equal(doc->root, again->root))
            abort();
        pw_toml_doc_free(again);
        pw_toml_doc_free(doc);
        return 0;
    }
    size_t line = 0, col = 0;
    int used = 0;
    if (err.code != PW_E_TOML || sscanf(err.msg, "fuzz:%zu:%zu: %n", &line, &col, &used) != 2 ||
        !used || !line || !col || !err.msg[used])
        abort();
    return 0;
}
