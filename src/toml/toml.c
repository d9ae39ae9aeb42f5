/* The TOML document model: nodes, table lookup, key paths, equality and text rendering. */
#include "toml.h"
#include "toml_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct pw_toml_doc *pw_toml_doc_new(const char *name, const char *text, size_t len)
{
    struct pw_toml_doc *d = pw_xcalloc(1, sizeof(*d));
    d->name = pw_xstrdup(name ? name : "-");
    d->src = pw_xmalloc(len + 1);
    if (len)
        memcpy(d->src, text, len);
    d->src[len] = '\0';
    d->len = len;
    d->root = pw_toml_node_new(d, PW_TOML_TABLE, NULL);
    d->root->origin = PW_TOML_ROOT;
    return d;
}

void pw_toml_doc_finish(struct pw_toml_doc *doc)
{
    struct pw_toml_section *root = doc->sections[0];
    if (!root->n_kv)
        root->body_end = root->end;
}

void pw_toml_doc_free(struct pw_toml_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n_nodes; i++) {
        struct pw_toml_node *n = doc->nodes[i];
        for (size_t j = 0; n->type == PW_TOML_TABLE && j < n->n; j++)
            free((char *)n->entries[j].name.ptr);
        free(n->entries);
        free(n->items);
        free(n->index);
        free(n->str);
        free(n);
    }
    for (size_t i = 0; i < doc->n_sections; i++)
        free(doc->sections[i]);
    for (size_t i = 0; i < doc->n_kvs; i++)
        free(doc->kvs[i]);
    free(doc->nodes);
    free(doc->sections);
    free(doc->kvs);
    free(doc->comments);
    free(doc->src);
    free(doc->name);
    free(doc);
}

struct pw_toml_node *pw_toml_node_new(struct pw_toml_doc *doc, enum pw_toml_type type,
                                      struct pw_toml_node *parent)
{
    if (doc->n_nodes == doc->cap_nodes) {
        doc->cap_nodes = doc->cap_nodes ? 2 * doc->cap_nodes : 64;
        doc->nodes = pw_xrealloc(doc->nodes, doc->cap_nodes * sizeof(*doc->nodes));
    }
    struct pw_toml_node *n = pw_xcalloc(1, sizeof(*n));
    n->type = type;
    n->parent = parent;
    doc->nodes[doc->n_nodes++] = n;
    return n;
}

void pw_toml_position(const char *text, size_t len, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* ---- tables ---- */

#define INDEX_MIN 16

static uint32_t hash_name(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static void index_insert(struct pw_toml_node *t, size_t entry)
{
    const struct pw_str *name = &t->entries[entry].name;
    size_t mask = t->index_cap - 1;
    size_t i = hash_name(name->ptr, name->len) & mask;
    while (t->index[i])
        i = (i + 1) & mask;
    t->index[i] = (uint32_t)entry + 1;
}

static void index_rebuild(struct pw_toml_node *t)
{
    size_t cap = INDEX_MIN * 2;
    while (cap < t->n * 2)
        cap *= 2;
    free(t->index);
    t->index = pw_xcalloc(cap, sizeof(*t->index));
    t->index_cap = cap;
    for (size_t i = 0; i < t->n; i++)
        index_insert(t, i);
}

void pw_toml_table_add(struct pw_toml_node *table, const char *name, size_t len, struct pw_str raw,
                       struct pw_toml_node *val, struct pw_toml_kv *kv)
{
    if (table->n == table->cap) {
        table->cap = table->cap ? 2 * table->cap : 4;
        table->entries = pw_xrealloc(table->entries, table->cap * sizeof(*table->entries));
    }
    struct pw_toml_entry *e = &table->entries[table->n++];
    e->name.ptr = pw_xstrndup(name, len);
    e->name.len = len;
    e->raw = raw;
    e->val = val;
    e->kv = kv;
    if (table->n >= INDEX_MIN && table->n * 2 > table->index_cap)
        index_rebuild(table);
    else if (table->index)
        index_insert(table, table->n - 1);
}

struct pw_toml_entry *pw_toml_table_find(const struct pw_toml_node *table, const char *name,
                                         size_t len)
{
    if (!table || table->type != PW_TOML_TABLE)
        return NULL;
    if (table->index) {
        size_t mask = table->index_cap - 1;
        for (size_t i = hash_name(name, len) & mask; table->index[i]; i = (i + 1) & mask) {
            struct pw_toml_entry *e = &table->entries[table->index[i] - 1];
            if (e->name.len == len && !memcmp(e->name.ptr, name, len))
                return e;
        }
        return NULL;
    }
    for (size_t i = 0; i < table->n; i++) {
        struct pw_toml_entry *e = &table->entries[i];
        if (e->name.len == len && !memcmp(e->name.ptr, name, len))
            return e;
    }
    return NULL;
}

void pw_toml_array_push(struct pw_toml_node *array, struct pw_toml_node *item)
{
    if (array->n == array->cap) {
        array->cap = array->cap ? 2 * array->cap : 4;
        array->items = pw_xrealloc(array->items, array->cap * sizeof(*array->items));
    }
    array->items[array->n++] = item;
    item->parent = array;
}

struct pw_toml_node *pw_toml_get(const struct pw_toml_doc *doc, const struct pw_toml_path *path)
{
    struct pw_toml_node *n = doc->root;
    for (size_t i = 0; i < path->n; i++) {
        struct pw_toml_entry *e = pw_toml_table_find(n, path->parts[i], path->lens[i]);
        if (!e)
            return NULL;
        n = e->val;
    }
    return n;
}

/* ---- equality ---- */

static int datetime_char(int c)
{
    return c == 't' || c == ' ' ? 'T' : c == 'z' ? 'Z' : c;
}

static int datetime_equal(const struct pw_toml_node *a, const struct pw_toml_node *b)
{
    if (a->len != b->len)
        return 0;
    for (size_t i = 0; i < a->len; i++)
        if (datetime_char((unsigned char)a->str[i]) != datetime_char((unsigned char)b->str[i]))
            return 0;
    return 1;
}

int pw_toml_equal(const struct pw_toml_node *a, const struct pw_toml_node *b)
{
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case PW_TOML_STRING:
        return a->len == b->len && !memcmp(a->str, b->str, a->len);
    case PW_TOML_INTEGER:
    case PW_TOML_BOOL:
        return a->i == b->i;
    case PW_TOML_FLOAT:
        if (isnan(a->f) || isnan(b->f))
            return isnan(a->f) && isnan(b->f);
        return a->f == b->f && !signbit(a->f) == !signbit(b->f);
    case PW_TOML_ARRAY:
        if (a->n != b->n)
            return 0;
        for (size_t i = 0; i < a->n; i++)
            if (!pw_toml_equal(a->items[i], b->items[i]))
                return 0;
        return 1;
    case PW_TOML_TABLE:
        if (a->n != b->n)
            return 0;
        for (size_t i = 0; i < a->n; i++) {
            const struct pw_toml_entry *e = &a->entries[i];
            const struct pw_toml_entry *f = pw_toml_table_find(b, e->name.ptr, e->name.len);
            if (!f || !pw_toml_equal(e->val, f->val))
                return 0;
        }
        return 1;
    default:
        return datetime_equal(a, b);
    }
}

const char *pw_toml_type_name(enum pw_toml_type type)
{
    switch (type) {
    case PW_TOML_TABLE:
        return "table";
    case PW_TOML_ARRAY:
        return "array";
    case PW_TOML_STRING:
        return "string";
    case PW_TOML_INTEGER:
        return "integer";
    case PW_TOML_FLOAT:
        return "float";
    case PW_TOML_BOOL:
        return "bool";
    case PW_TOML_DATETIME:
        return "datetime";
    case PW_TOML_DATETIME_LOCAL:
        return "datetime-local";
    case PW_TOML_DATE_LOCAL:
        return "date-local";
    case PW_TOML_TIME_LOCAL:
        return "time-local";
    }
    return "value";
}

/* ---- key paths ---- */

void pw_toml_path_init(struct pw_toml_path *p)
{
    p->parts = NULL;
    p->lens = NULL;
    p->n = p->cap = 0;
}

void pw_toml_path_release(struct pw_toml_path *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->parts[i]);
    free(p->parts);
    free(p->lens);
    pw_toml_path_init(p);
}

void pw_toml_path_push(struct pw_toml_path *p, const char *part, size_t len)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 8;
        p->parts = pw_xrealloc(p->parts, p->cap * sizeof(*p->parts));
        p->lens = pw_xrealloc(p->lens, p->cap * sizeof(*p->lens));
    }
    p->parts[p->n] = pw_xstrndup(part, len);
    p->lens[p->n] = len;
    p->n++;
}

void pw_toml_path_copy(struct pw_toml_path *dst, const struct pw_toml_path *src)
{
    pw_toml_path_init(dst);
    for (size_t i = 0; i < src->n; i++)
        pw_toml_path_push(dst, src->parts[i], src->lens[i]);
}

int pw_toml_path_has_prefix(const struct pw_toml_path *p, const struct pw_toml_path *prefix)
{
    if (p->n < prefix->n)
        return 0;
    for (size_t i = 0; i < prefix->n; i++)
        if (p->lens[i] != prefix->lens[i] || memcmp(p->parts[i], prefix->parts[i], p->lens[i]))
            return 0;
    return 1;
}

/* The key grammar is the parser's: "PATH = 0" must parse to exactly one key spanning PATH. */
int pw_toml_path_parse(const char *text, struct pw_toml_path *out, struct pw_err *err)
{
    struct pw_buf b = PW_BUF_INIT;
    pw_buf_addf(&b, "%s = 0", text);
    struct pw_toml_doc *doc = NULL;
    struct pw_err perr;
    pw_err_init(&perr);
    int rc = pw_toml_parse("key", b.buf, b.len, &doc, &perr);
    pw_buf_release(&b);
    size_t len = strlen(text);
    if (rc || doc->n_kvs != 1 || doc->kvs[0]->key_start != 0 || doc->kvs[0]->key_end != len ||
        doc->sections[0]->n_kv != 1) {
        pw_toml_doc_free(doc);
        return pw_err_set(err, PW_E_USAGE, "invalid key path '%s'", text);
    }
    pw_toml_path_init(out);
    for (const struct pw_toml_node *t = doc->root; t->type == PW_TOML_TABLE && t->n == 1;
         t = t->entries[0].val)
        pw_toml_path_push(out, t->entries[0].name.ptr, t->entries[0].name.len);
    pw_toml_doc_free(doc);
    return 0;
}

static int bare_key_ok(const char *s, size_t len)
{
    if (!len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int literal_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\'' || (c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return 1;
}

void pw_toml_string_format(const char *s, size_t len, char quote, struct pw_buf *out)
{
    if (quote == '\'' && literal_ok(s, len)) {
        pw_buf_addc(out, '\'');
        pw_buf_add(out, s, len);
        pw_buf_addc(out, '\'');
        return;
    }
    pw_buf_addc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            pw_buf_adds(out, "\\\"");
            break;
        case '\\':
            pw_buf_adds(out, "\\\\");
            break;
        case '\b':
            pw_buf_adds(out, "\\b");
            break;
        case '\t':
            pw_buf_adds(out, "\\t");
            break;
        case '\n':
            pw_buf_adds(out, "\\n");
            break;
        case '\f':
            pw_buf_adds(out, "\\f");
            break;
        case '\r':
            pw_buf_adds(out, "\\r");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                pw_buf_addf(out, "\\u%04X", c);
            else
                pw_buf_addc(out, (char)c);
        }
    }
    pw_buf_addc(out, '"');
}

void pw_toml_key_format(const char *part, size_t len, char quote, struct pw_buf *out)
{
    if (bare_key_ok(part, len))
        pw_buf_add(out, part, len);
    else
        pw_toml_string_format(part, len, quote, out);
}

void pw_toml_path_format(const struct pw_toml_path *p, char quote, struct pw_buf *out)
{
    for (size_t i = 0; i < p->n; i++) {
        if (i)
            pw_buf_addc(out, '.');
        pw_toml_key_format(p->parts[i], p->lens[i], quote, out);
    }
}

void pw_toml_value_format(const struct pw_toml_doc *doc, const struct pw_toml_node *v,
                          struct pw_buf *out)
{
    if (v->end > v->start) {
        pw_buf_add(out, doc->src + v->start, v->end - v->start);
        return;
    }
    if (v->type == PW_TOML_ARRAY) {
        pw_buf_addc(out, '[');
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                pw_buf_adds(out, ", ");
            pw_toml_value_format(doc, v->items[i], out);
        }
        pw_buf_addc(out, ']');
        return;
    }
    pw_buf_addc(out, '{');
    for (size_t i = 0; i < v->n; i++) {
        pw_buf_adds(out, i ? ", " : " ");
        pw_toml_key_format(v->entries[i].name.ptr, v->entries[i].name.len, '"', out);
        pw_buf_adds(out, " = ");
        pw_toml_value_format(doc, v->entries[i].val, out);
    }
    pw_buf_adds(out, v->n ? " }" : "}");
}
