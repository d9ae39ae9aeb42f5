/* Format-preserving edits: find spans, splice new text in, parse again, verify.
 *
 * Where a new key goes depends on how its deepest existing table was defined:
 *   - inside a { ... } literal: appended to that literal;
 *   - a table made by dotted keys: a dotted key line after the last line that adds to it;
 *   - the root or a [header] table: a line at the end of its section when the key has one
 *     part or the section already uses dotted keys, else a new [header] placed after the
 *     table's last sub-table;
 *   - a table only implied by headers below it: a [header] of its own, placed before its
 *     first sub-table (or, for deeper keys, a new header after its last sub-table).
 * New text copies the file's newline, indentation, quoting and blank-line habits. */
#include "toml_edit.h"

#include <stdlib.h>
#include <string.h>

#include "toml_int.h"

struct style {
    const char *nl;
    char key_quote, str_quote, indent_char;
    int blank_before_header;
    size_t hdr_unit; /* header indentation per level beyond the first, 0 when none */
    size_t kv_extra; /* key/value indentation beyond its header's */
    const char *eq;  /* " = " or "=" */
};

struct splice {
    size_t start, end, seq;
    char *text;
    size_t len;
};

struct edit {
    const struct pw_toml_doc *doc;
    struct style st;
    struct splice *sp;
    size_t n, cap;
};

enum edit_kind { EDIT_SET, EDIT_UNSET, EDIT_ENSURE, EDIT_DROP_HEADER };

/* ---- style ---- */

static size_t indent_len(const char *s, size_t start, size_t limit)
{
    size_t i = start;
    while (i < limit && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i - start;
}

static int line_before_is_blank(const struct pw_toml_doc *d, size_t pos)
{
    if (pos == 0 || d->src[pos - 1] != '\n')
        return 0;
    size_t i = pos - 1;
    if (i > 0 && d->src[i - 1] == '\r')
        i--;
    while (i > 0 && (d->src[i - 1] == ' ' || d->src[i - 1] == '\t'))
        i--;
    return i == 0 || d->src[i - 1] == '\n';
}

static char first_quote(const struct pw_toml_doc *d, size_t start, size_t end)
{
    for (size_t i = start; i < end; i++)
        if (d->src[i] == '"' || d->src[i] == '\'')
            return d->src[i];
    return 0;
}

static void detect_quotes(const struct pw_toml_doc *d, struct style *st)
{
    char hint = d->quote_hint ? d->quote_hint : '"';
    size_t dq = 0, sq = 0;
    st->key_quote = 0;
    for (size_t i = 1; i < d->n_sections && !st->key_quote; i++)
        st->key_quote = first_quote(d, d->sections[i]->hdr_start, d->sections[i]->hdr_end);
    for (size_t i = 0; i < d->n_kvs; i++) {
        const struct pw_toml_kv *kv = d->kvs[i];
        if (!st->key_quote)
            st->key_quote = first_quote(d, kv->key_start, kv->key_end);
        if (kv->value && kv->value->type == PW_TOML_STRING) {
            dq += d->src[kv->val_start] == '"';
            sq += d->src[kv->val_start] == '\'';
        }
    }
    if (!st->key_quote)
        st->key_quote = hint;
    st->str_quote = dq > sq ? '"' : sq > dq ? '\'' : hint;
}

/* Headers indented by depth (containerd's `config default` output) or not at all. */
static void detect_indent(const struct pw_toml_doc *d, struct style *st)
{
    size_t unit = 0, match = 0, miss = 0;
    st->indent_char = ' ';
    for (size_t i = 1; i < d->n_sections; i++) {
        const struct pw_toml_section *s = d->sections[i];
        size_t ind = indent_len(d->src, s->hdr_start, s->hdr_end);
        if (ind && unit == 0 && s->depth > 1 && ind % (s->depth - 1) == 0) {
            unit = ind / (s->depth - 1);
            st->indent_char = d->src[s->hdr_start];
        }
    }
    for (size_t i = 1; unit && i < d->n_sections; i++) {
        const struct pw_toml_section *s = d->sections[i];
        size_t ind = indent_len(d->src, s->hdr_start, s->hdr_end);
        if (ind == unit * (s->depth - 1))
            match++;
        else
            miss++;
    }
    st->hdr_unit = match > miss ? unit : 0;
    st->kv_extra = 0;
    for (size_t i = 1; i < d->n_sections; i++) {
        const struct pw_toml_section *s = d->sections[i];
        if (!s->last_kv)
            continue;
        size_t h = indent_len(d->src, s->hdr_start, s->hdr_end);
        size_t k = s->last_kv->key_start - s->last_kv->line_start;
        st->kv_extra = k > h ? k - h : 0;
        if (k > h && !st->hdr_unit)
            st->indent_char = d->src[s->last_kv->line_start];
        break;
    }
}

static void detect_style(const struct pw_toml_doc *d, struct style *st)
{
    const char *lf = memchr(d->src, '\n', d->len);
    st->nl = lf && lf > d->src && lf[-1] == '\r' ? "\r\n" : "\n";
    detect_quotes(d, st);
    detect_indent(d, st);
    size_t blank = 0, tight = 0;
    for (size_t i = 1; i < d->n_sections; i++) {
        size_t lead = d->sections[i]->lead_start;
        if (lead == 0)
            continue;
        if (line_before_is_blank(d, lead))
            blank++;
        else
            tight++;
    }
    st->blank_before_header = blank >= tight;
    st->eq = " = ";
    if (d->n_kvs) {
        const struct pw_toml_kv *kv = d->kvs[0];
        size_t n = kv->val_start - kv->key_end;
        if (n == 1)
            st->eq = "=";
    }
}

char pw_toml_edit_string_quote(const struct pw_toml_doc *doc)
{
    struct style st;
    detect_quotes(doc, &st);
    return st.str_quote;
}

/* ---- splices ---- */

static void splice(struct edit *ed, size_t start, size_t end, const char *text, size_t len)
{
    if (ed->n == ed->cap) {
        ed->cap = ed->cap ? 2 * ed->cap : 8;
        ed->sp = pw_xrealloc(ed->sp, ed->cap * sizeof(*ed->sp));
    }
    struct splice *s = &ed->sp[ed->n];
    s->start = start;
    s->end = end;
    s->seq = ed->n;
    s->text = len ? pw_xstrndup(text, len) : NULL;
    s->len = len;
    ed->n++;
}

static void edit_release(struct edit *ed)
{
    for (size_t i = 0; i < ed->n; i++)
        free(ed->sp[i].text);
    free(ed->sp);
    ed->sp = NULL;
    ed->n = ed->cap = 0;
}

static int splice_cmp(const void *a, const void *b)
{
    const struct splice *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Applies the splices in order; overlapping removals are merged. */
static void splices_apply(struct edit *ed, struct pw_buf *out)
{
    const struct pw_toml_doc *d = ed->doc;
    if (ed->n)
        qsort(ed->sp, ed->n, sizeof(*ed->sp), splice_cmp);
    size_t pos = 0;
    for (size_t i = 0; i < ed->n; i++) {
        const struct splice *s = &ed->sp[i];
        size_t start = s->start < pos ? pos : s->start;
        pw_buf_add(out, d->src + pos, start - pos);
        pw_buf_add(out, s->text, s->len);
        if (s->end > start)
            pos = s->end;
        else if (start > pos)
            pos = start;
    }
    pw_buf_add(out, d->src + pos, d->len - pos);
}

/* ---- paths and key text ---- */

static void path_text(const struct pw_toml_path *p, size_t n, struct pw_buf *out)
{
    struct pw_toml_path head = {p->parts, p->lens, n, n};
    pw_toml_path_format(&head, '"', out);
}

/* The entries leading from ancestor `from` down to table t (t included). */
static size_t entry_chain(const struct pw_toml_node *from, const struct pw_toml_node *t,
                          const struct pw_toml_entry **out, size_t cap)
{
    size_t n = 0;
    for (const struct pw_toml_node *c = t; c && c != from && n < cap; c = c->parent) {
        const struct pw_toml_node *p = c->parent;
        if (!p || p->type != PW_TOML_TABLE)
            return 0;
        for (size_t i = 0; i < p->n; i++)
            if (p->entries[i].val == c)
                out[n++] = &p->entries[i];
    }
    for (size_t i = 0; i < n / 2; i++) {
        const struct pw_toml_entry *x = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = x;
    }
    return n;
}

#define MAX_CHAIN 256

/* Key text: the raw text of the parts that exist from `from` to t, then parts path[i..end)
 * in the file's quoting. */
static void key_text(struct edit *ed, const struct pw_toml_node *from, const struct pw_toml_node *t,
                     const struct pw_toml_path *path, size_t i, size_t end, struct pw_buf *out)
{
    const struct pw_toml_entry *chain[MAX_CHAIN];
    size_t n = from == t ? 0 : entry_chain(from, t, chain, MAX_CHAIN);
    for (size_t k = 0; k < n; k++) {
        if (k)
            pw_buf_addc(out, '.');
        pw_buf_add(out, chain[k]->raw.ptr, chain[k]->raw.len);
    }
    for (size_t k = i; k < end; k++) {
        if (n || k > i)
            pw_buf_addc(out, '.');
        pw_toml_key_format(path->parts[k], path->lens[k], ed->st.key_quote, out);
    }
}

static void add_indent(struct edit *ed, struct pw_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pw_buf_addc(b, ed->st.indent_char);
}

static int ends_without_newline(const struct pw_toml_doc *d)
{
    return d->len > 0 && d->src[d->len - 1] != '\n';
}

/* Inserts whole lines at pos (a line start, or the end of the text): when the text does not
 * end with a newline, the new lines go before that end instead of after it. */
static void insert_lines(struct edit *ed, size_t pos, struct pw_buf *lines)
{
    const struct pw_toml_doc *d = ed->doc;
    if (pos == d->len && ends_without_newline(d)) {
        size_t nl = strlen(ed->st.nl);
        struct pw_buf b = PW_BUF_INIT;
        pw_buf_adds(&b, ed->st.nl);
        pw_buf_add(&b, lines->buf, lines->len >= nl ? lines->len - nl : lines->len);
        splice(ed, pos, pos, b.buf, b.len);
        pw_buf_release(&b);
        return;
    }
    splice(ed, pos, pos, lines->buf, lines->len);
}

/* ---- where tables live ---- */

static int is_within(const struct pw_toml_node *n, const struct pw_toml_node *ancestor)
{
    for (; n; n = n->parent)
        if (n == ancestor)
            return 1;
    return 0;
}

/* After the last key/value line of t's own section and all its sub-tables' sections. */
static size_t subtree_end(const struct pw_toml_doc *d, const struct pw_toml_node *t)
{
    size_t end = 0;
    for (size_t i = 0; i < d->n_sections; i++) {
        const struct pw_toml_section *s = d->sections[i];
        if (s->table && is_within(s->table, t) && s->body_end > end)
            end = s->body_end;
    }
    return end;
}

static size_t subtree_start(const struct pw_toml_doc *d, const struct pw_toml_node *t)
{
    for (size_t i = 1; i < d->n_sections; i++)
        if (is_within(d->sections[i]->table, t))
            return d->sections[i]->lead_start;
    return d->len;
}

/* ---- insertions ---- */

static void keyval_line(struct edit *ed, const struct pw_toml_node *from,
                        const struct pw_toml_node *t, const struct pw_toml_path *path, size_t i,
                        const char *value, struct pw_buf *b)
{
    key_text(ed, from, t, path, i, path->n, b);
    pw_buf_adds(b, ed->st.eq);
    pw_buf_adds(b, value ? value : "{}");
}

static void insert_in_literal(struct edit *ed, struct pw_toml_node *t,
                              const struct pw_toml_path *path, size_t i, const char *value)
{
    struct pw_toml_node *lit = t->literal;
    struct pw_buf b = PW_BUF_INIT;
    if (!lit->n) {
        pw_buf_adds(&b, "{ ");
        keyval_line(ed, lit, t, path, i, value, &b);
        pw_buf_adds(&b, " }");
        splice(ed, lit->start, lit->end, b.buf, b.len);
    } else {
        pw_buf_adds(&b, ", ");
        keyval_line(ed, lit, t, path, i, value, &b);
        splice(ed, lit->last_kv->val_end, lit->last_kv->val_end, b.buf, b.len);
    }
    pw_buf_release(&b);
}

/* A line `indent key = value` after the line `after` ends. */
static void insert_keyval_after(struct edit *ed, const struct pw_toml_kv *after, size_t pos,
                                size_t indent, const struct pw_toml_node *from,
                                const struct pw_toml_node *t, const struct pw_toml_path *path,
                                size_t i, const char *value, int blank_after)
{
    const struct pw_toml_doc *d = ed->doc;
    struct pw_buf b = PW_BUF_INIT;
    if (after)
        pw_buf_add(&b, d->src + after->line_start, after->key_start - after->line_start);
    else
        add_indent(ed, &b, indent);
    keyval_line(ed, from, t, path, i, value, &b);
    pw_buf_adds(&b, ed->st.nl);
    if (blank_after)
        pw_buf_adds(&b, ed->st.nl);
    insert_lines(ed, pos, &b);
    pw_buf_release(&b);
}

static void insert_dotted(struct edit *ed, struct pw_toml_node *t, const struct pw_toml_path *path,
                          size_t i, const char *value)
{
    const struct pw_toml_kv *last = t->last_kv;
    insert_keyval_after(ed, last, last->line_end, 0, t->section->table, t, path, i, value, 0);
}

static void insert_in_section(struct edit *ed, struct pw_toml_node *t,
                              const struct pw_toml_path *path, size_t i, const char *value)
{
    const struct pw_toml_doc *d = ed->doc;
    const struct pw_toml_section *s = t->section;
    size_t indent = indent_len(d->src, s->hdr_start, s->hdr_end) + ed->st.kv_extra;
    if (s == d->sections[0])
        indent = 0;
    /* a first root key right above a header: keep the blank line habit */
    int blank_after = s == d->sections[0] && !s->n_kv && s->body_end < d->len &&
                      d->n_sections > 1 && ed->st.blank_before_header;
    insert_keyval_after(ed, s->last_kv, s->body_end, indent, t, t, path, i, value, blank_after);
}

/* A new [header] for path[0..hdr_n) holding `last = value` (no key when value is NULL). */
static void insert_header(struct edit *ed, struct pw_toml_node *t, const struct pw_toml_path *path,
                          size_t i, const char *value, int before)
{
    const struct pw_toml_doc *d = ed->doc;
    size_t hdr_n = value ? path->n - 1 : path->n;
    size_t hindent = ed->st.hdr_unit * (hdr_n - 1);
    struct pw_buf b = PW_BUF_INIT;
    size_t pos = before ? subtree_start(d, t) : subtree_end(d, t);
    if (!before && ed->st.blank_before_header && pos > 0)
        pw_buf_adds(&b, ed->st.nl);
    add_indent(ed, &b, hindent);
    pw_buf_addc(&b, '[');
    key_text(ed, d->root, t, path, i, hdr_n, &b);
    pw_buf_addc(&b, ']');
    pw_buf_adds(&b, ed->st.nl);
    if (value) {
        add_indent(ed, &b, hindent + ed->st.kv_extra);
        pw_toml_key_format(path->parts[hdr_n], path->lens[hdr_n], ed->st.key_quote, &b);
        pw_buf_adds(&b, ed->st.eq);
        pw_buf_adds(&b, value);
        pw_buf_adds(&b, ed->st.nl);
    }
    if (before && ed->st.blank_before_header)
        pw_buf_adds(&b, ed->st.nl);
    if (!before && pos == d->len && ends_without_newline(d)) {
        /* finish the last line first; keep the text without a final newline */
        struct pw_buf c = PW_BUF_INIT;
        pw_buf_adds(&c, ed->st.nl);
        pw_buf_add(&c, b.buf, b.len - strlen(ed->st.nl));
        splice(ed, pos, pos, c.buf, c.len);
        pw_buf_release(&c);
    } else {
        splice(ed, pos, pos, b.buf, b.len);
    }
    pw_buf_release(&b);
}

/* Adds path (missing from part i on; t is the deepest existing table). value NULL: an empty
 * table. */
static void insert_missing(struct edit *ed, struct pw_toml_node *t, const struct pw_toml_path *path,
                           size_t i, const char *value)
{
    size_t rest = path->n - i;
    if (t->literal)
        insert_in_literal(ed, t, path, i, value);
    else if (t->origin == PW_TOML_DOTTED)
        insert_dotted(ed, t, path, i, value);
    else if (t->origin == PW_TOML_IMPLICIT)
        insert_header(ed, t, path, i, value, value && rest == 1);
    else if (value && (rest == 1 || t->section->n_dotted))
        insert_in_section(ed, t, path, i, value);
    else
        insert_header(ed, t, path, i, value, 0);
}

/* ---- removals ---- */

static void remove_line(struct edit *ed, const struct pw_toml_kv *kv)
{
    splice(ed, kv->line_start, kv->line_end, NULL, 0);
}

static int blank_line_at(const struct pw_toml_doc *d, size_t pos, size_t *next)
{
    size_t i = pos;
    while (i < d->len && (d->src[i] == ' ' || d->src[i] == '\t'))
        i++;
    if (i < d->len && d->src[i] == '\r')
        i++;
    if (i >= d->len || d->src[i] != '\n')
        return 0;
    *next = i + 1;
    return 1;
}

/* A section goes from its leading comments to its last key/value line and the blank lines
 * after it; comments below it stay (they may be about what follows). The last section also
 * takes the blank lines above it along. */
static void remove_section(struct edit *ed, const struct pw_toml_section *s)
{
    const struct pw_toml_doc *d = ed->doc;
    size_t start = s->lead_start, end = s->body_end, next;
    while (end < s->end && blank_line_at(d, end, &next))
        end = next;
    if (end == d->len)
        while (line_before_is_blank(d, start)) {
            start--;
            if (start > 0 && d->src[start - 1] == '\r')
                start--;
            while (start > 0 && (d->src[start - 1] == ' ' || d->src[start - 1] == '\t'))
                start--;
        }
    splice(ed, start, end, NULL, 0);
}

static void remove_literal_entry(struct edit *ed, const struct pw_toml_kv *kv)
{
    const struct pw_toml_doc *d = ed->doc;
    const struct pw_toml_kv *prev = NULL, *next = NULL;
    for (size_t i = 0; i < d->n_kvs; i++) {
        const struct pw_toml_kv *k = d->kvs[i];
        if (k->literal != kv->literal)
            continue;
        if (k->key_start < kv->key_start)
            prev = k;
        else if (k->key_start > kv->key_start && !next)
            next = k;
    }
    if (next)
        splice(ed, kv->key_start, next->key_start, NULL, 0);
    else if (prev)
        splice(ed, prev->val_end, kv->val_end, NULL, 0);
    else /* the last entry: "{}" */
        splice(ed, kv->literal->start, kv->literal->end, "{}", 2);
}

static void remove_table(struct edit *ed, const struct pw_toml_node *t)
{
    const struct pw_toml_doc *d = ed->doc;
    for (size_t i = 0; i < d->n_kvs; i++) {
        const struct pw_toml_kv *kv = d->kvs[i];
        if (!kv->literal && is_within(kv->value, t))
            remove_line(ed, kv);
    }
    for (size_t i = 1; i < d->n_sections; i++)
        if (is_within(d->sections[i]->table, t))
            remove_section(ed, d->sections[i]);
}

/* ---- leaves and verification ---- */

static void leaves_push(struct pw_toml_leaves *l, const struct pw_toml_path *prefix,
                        const struct pw_toml_node *v)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 32;
        l->v = pw_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    pw_toml_path_copy(&l->v[l->n].path, prefix);
    l->v[l->n].value = v;
    l->n++;
}

static void collect(const struct pw_toml_node *t, struct pw_toml_path *prefix, int empty_tables,
                    struct pw_toml_leaves *out)
{
    if (!t->n && empty_tables && prefix->n)
        leaves_push(out, prefix, t);
    for (size_t i = 0; i < t->n; i++) {
        const struct pw_toml_entry *e = &t->entries[i];
        pw_toml_path_push(prefix, e->name.ptr, e->name.len);
        if (e->val->type == PW_TOML_TABLE)
            collect(e->val, prefix, empty_tables, out);
        else
            leaves_push(out, prefix, e->val);
        free(prefix->parts[--prefix->n]);
    }
}

void pw_toml_leaves_collect(const struct pw_toml_node *table, struct pw_toml_leaves *out)
{
    struct pw_toml_path prefix = PW_TOML_PATH_INIT;
    collect(table, &prefix, 1, out);
    pw_toml_path_release(&prefix);
}

void pw_toml_leaves_release(struct pw_toml_leaves *l)
{
    for (size_t i = 0; i < l->n; i++)
        pw_toml_path_release(&l->v[i].path);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int path_cmp(const struct pw_toml_path *a, const struct pw_toml_path *b)
{
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        size_t n = a->lens[i] < b->lens[i] ? a->lens[i] : b->lens[i];
        int c = memcmp(a->parts[i], b->parts[i], n);
        if (c)
            return c;
        if (a->lens[i] != b->lens[i])
            return a->lens[i] < b->lens[i] ? -1 : 1;
    }
    return a->n < b->n ? -1 : a->n > b->n;
}

static int leaf_cmp(const void *a, const void *b)
{
    return path_cmp(&((const struct pw_toml_leaf *)a)->path,
                    &((const struct pw_toml_leaf *)b)->path);
}

/* The document an edit must produce, as sorted leaves: the old leaves outside path, plus the
 * new value's leaves under it. Empty tables do not count. */
static void intended(const struct pw_toml_doc *old, const struct pw_toml_path *path,
                     const struct pw_toml_node *value, struct pw_toml_leaves *out)
{
    struct pw_toml_leaves all = {NULL, 0, 0};
    struct pw_toml_path prefix = PW_TOML_PATH_INIT;
    collect(old->root, &prefix, 0, &all);
    for (size_t i = 0; i < all.n; i++) {
        if (!path || !pw_toml_path_has_prefix(&all.v[i].path, path))
            leaves_push(out, &all.v[i].path, all.v[i].value);
        pw_toml_path_release(&all.v[i].path);
    }
    free(all.v);
    if (value && value->type == PW_TOML_TABLE) {
        pw_toml_path_release(&prefix);
        pw_toml_path_copy(&prefix, path);
        collect(value, &prefix, 0, out);
    } else if (value) {
        leaves_push(out, path, value);
    }
    pw_toml_path_release(&prefix);
    if (out->n)
        qsort(out->v, out->n, sizeof(*out->v), leaf_cmp);
}

static int verify(const struct pw_toml_doc *old, const struct pw_toml_doc *new,
                  const struct pw_toml_path *path, const struct pw_toml_node *value,
                  enum edit_kind kind)
{
    struct pw_toml_leaves want = {NULL, 0, 0}, got = {NULL, 0, 0};
    struct pw_toml_path prefix = PW_TOML_PATH_INIT;
    if (kind == EDIT_ENSURE || kind == EDIT_DROP_HEADER) {
        const struct pw_toml_node *t = pw_toml_get(new, path);
        if (!t || t->type != PW_TOML_TABLE)
            return 0;
        intended(old, NULL, NULL, &want); /* everything, unchanged */
    } else {
        intended(old, path, kind == EDIT_SET ? value : NULL, &want);
    }
    collect(new->root, &prefix, 0, &got);
    if (got.n)
        qsort(got.v, got.n, sizeof(*got.v), leaf_cmp);
    int ok = want.n == got.n;
    for (size_t i = 0; ok && i < want.n; i++)
        ok = !path_cmp(&want.v[i].path, &got.v[i].path) &&
             pw_toml_equal(want.v[i].value, got.v[i].value);
    pw_toml_leaves_release(&want);
    pw_toml_leaves_release(&got);
    pw_toml_path_release(&prefix);
    return ok;
}

/* ---- commit ---- */

/* Removing the last lines must not give the text a final newline it did not have. */
static void keep_final_newline(const struct pw_toml_doc *d, struct pw_buf *text)
{
    if (!ends_without_newline(d) || !text->len || text->buf[text->len - 1] != '\n')
        return;
    size_t n = text->len - 1;
    if (n > 0 && text->buf[n - 1] == '\r')
        n--;
    pw_buf_setlen(text, n);
}

static int commit(struct pw_toml_doc **docp, struct edit *ed, const struct pw_toml_path *path,
                  const struct pw_toml_node *value, enum edit_kind kind, struct pw_err *err)
{
    const struct pw_toml_doc *old = *docp;
    if (!ed->n)
        return 0;
    struct pw_buf text = PW_BUF_INIT, p = PW_BUF_INIT;
    splices_apply(ed, &text);
    if (kind == EDIT_UNSET || kind == EDIT_DROP_HEADER)
        keep_final_newline(old, &text);
    struct pw_toml_doc *new = NULL;
    struct pw_err perr;
    pw_err_init(&perr);
    path_text(path, path->n, &p);
    int rc = pw_toml_parse(old->name, text.buf, text.len, &new, &perr);
    if (rc)
        rc = pw_err_set(err, PW_E_FAIL, "internal error: editing '%s' gave invalid TOML (%s)",
                        p.buf, perr.msg);
    else if (!verify(old, new, path, value, kind))
        rc = pw_err_set(err, PW_E_FAIL, "internal error: editing '%s' would change other values",
                        p.buf);
    if (rc) {
        pw_toml_doc_free(new);
    } else {
        new->quote_hint = old->quote_hint;
        pw_toml_doc_free(*docp);
        *docp = new;
    }
    pw_buf_release(&text);
    pw_buf_release(&p);
    return rc;
}

/* ---- walking ---- */

/* Follows path through tables. Sets *t to the deepest existing table and *i to the first
 * missing part; *found to the entry when the whole path exists. */
static int walk(const struct pw_toml_doc *d, const struct pw_toml_path *path,
                struct pw_toml_node **t, size_t *i, struct pw_toml_entry **found,
                struct pw_err *err)
{
    struct pw_toml_node *cur = d->root;
    *found = NULL;
    for (size_t k = 0; k < path->n; k++) {
        struct pw_toml_entry *e = pw_toml_table_find(cur, path->parts[k], path->lens[k]);
        *t = cur;
        *i = k;
        if (!e)
            return 0;
        if (k + 1 == path->n) {
            *found = e;
            return 0;
        }
        if (e->val->type == PW_TOML_TABLE) {
            cur = e->val;
            continue;
        }
        struct pw_buf b = PW_BUF_INIT;
        path_text(path, k + 1, &b);
        int rc =
            e->val->aot
                ? pw_err_set(err, PW_E_UNSUPPORTED,
                             "'%s' is an array of tables; its elements cannot be addressed", b.buf)
                : pw_err_set(err, PW_E_EXISTS, "'%s' is %s %s, not a table", b.buf,
                             e->val->type == PW_TOML_ARRAY || e->val->type == PW_TOML_INTEGER ? "an"
                                                                                              : "a",
                             pw_toml_type_name(e->val->type));
        pw_buf_release(&b);
        return rc;
    }
    *t = cur;
    *i = path->n;
    return 0;
}

static int is_table_value(const struct pw_toml_node *v)
{
    return v->type == PW_TOML_TABLE && v->origin != PW_TOML_INLINE;
}

/* ---- the edits ---- */

static int parse_value(const char *value, struct pw_toml_doc **out, struct pw_err *err)
{
    struct pw_buf b = PW_BUF_INIT;
    pw_buf_addf(&b, "v = %s", value);
    struct pw_err perr;
    pw_err_init(&perr);
    int rc = pw_toml_parse("value", b.buf, b.len, out, &perr);
    if (!rc && ((*out)->n_kvs < 1 || (*out)->kvs[0]->val_end != b.len || (*out)->root->n != 1)) {
        pw_toml_doc_free(*out);
        *out = NULL;
        rc = -1;
    }
    pw_buf_release(&b);
    if (rc)
        return pw_err_set(err, PW_E_USAGE, "invalid TOML value '%s'", value);
    return 0;
}

static int set_node(struct pw_toml_doc **docp, const struct pw_toml_path *path, const char *text,
                    const struct pw_toml_node *value, struct pw_err *err)
{
    struct edit ed = {*docp, {0}, NULL, 0, 0};
    struct pw_toml_node *t = NULL;
    struct pw_toml_entry *e = NULL;
    size_t i = 0;
    if (!path->n)
        return pw_err_set(err, PW_E_USAGE, "an empty key path cannot be set");
    int rc = walk(*docp, path, &t, &i, &e, err);
    if (rc)
        return rc;
    detect_style(*docp, &ed.st);
    if (e && (is_table_value(e->val) || e->val->aot)) {
        struct pw_buf b = PW_BUF_INIT;
        path_text(path, path->n, &b);
        rc = pw_err_set(err, PW_E_EXISTS, "'%s' is %s; unset it first or merge into it", b.buf,
                        e->val->aot ? "an array of tables" : "a table");
        pw_buf_release(&b);
        return rc;
    }
    if (e && pw_toml_equal(e->val, value))
        return 0;
    if (e)
        splice(&ed, e->val->start, e->val->end, text, strlen(text));
    else
        insert_missing(&ed, t, path, i, text);
    rc = commit(docp, &ed, path, value, EDIT_SET, err);
    edit_release(&ed);
    return rc;
}

int pw_toml_edit_set(struct pw_toml_doc **docp, const struct pw_toml_path *path, const char *value,
                     struct pw_err *err)
{
    struct pw_toml_doc *vdoc = NULL;
    int rc = parse_value(value, &vdoc, err);
    if (rc)
        return rc;
    const struct pw_toml_node *v = vdoc->root->entries[0].val;
    const struct pw_toml_node *old = pw_toml_get(*docp, path);
    if (old && old->type == PW_TOML_ARRAY && old->aot && v->type == PW_TOML_ARRAY &&
        !pw_toml_equal(old, v))
        rc = pw_toml_edit_unset(docp, path, err); /* arrays of tables are replaced whole */
    if (!rc)
        rc = set_node(docp, path, value, v, err);
    pw_toml_doc_free(vdoc);
    return rc;
}

/* Tables inside a { ... } literal lose their keys one by one. */
static int unset_in_literal(struct pw_toml_doc **docp, const struct pw_toml_path *path,
                            struct pw_err *err)
{
    for (;;) {
        const struct pw_toml_node *t = pw_toml_get(*docp, path);
        if (!t || t->type != PW_TOML_TABLE || t->origin == PW_TOML_INLINE || !t->n)
            return 0;
        struct pw_toml_path child;
        pw_toml_path_copy(&child, path);
        pw_toml_path_push(&child, t->entries[0].name.ptr, t->entries[0].name.len);
        int rc = pw_toml_edit_unset(docp, &child, err);
        pw_toml_path_release(&child);
        if (rc)
            return rc;
    }
}

int pw_toml_edit_unset(struct pw_toml_doc **docp, const struct pw_toml_path *path,
                       struct pw_err *err)
{
    struct edit ed = {*docp, {0}, NULL, 0, 0};
    struct pw_toml_node *t = NULL;
    struct pw_toml_entry *e = NULL;
    size_t i = 0;
    struct pw_err werr;
    pw_err_init(&werr);
    if (!path->n)
        return pw_err_set(err, PW_E_USAGE, "an empty key path cannot be unset");
    int rc = walk(*docp, path, &t, &i, &e, &werr);
    if (rc == -PW_E_UNSUPPORTED)
        return pw_err_set(err, werr.code, "%s", werr.msg);
    if (rc || !e)
        return 0; /* absent */
    detect_style(*docp, &ed.st);
    if (e->kv && e->kv->literal)
        remove_literal_entry(&ed, e->kv);
    else if (e->kv)
        remove_line(&ed, e->kv);
    else if (e->val->literal)
        return unset_in_literal(docp, path, err);
    else
        remove_table(&ed, e->val);
    rc = commit(docp, &ed, path, NULL, EDIT_UNSET, err);
    edit_release(&ed);
    return rc;
}

int pw_toml_edit_bare_header(const struct pw_toml_node *t)
{
    return t && t->type == PW_TOML_TABLE && t->origin == PW_TOML_HEADER && !t->literal &&
           t->section && !t->section->aot && !t->section->n_kv && t->n;
}

int pw_toml_edit_drop_header(struct pw_toml_doc **docp, const struct pw_toml_path *path,
                             struct pw_err *err)
{
    struct edit ed = {*docp, {0}, NULL, 0, 0};
    struct pw_toml_node *t = NULL;
    struct pw_toml_entry *e = NULL;
    size_t i = 0;
    struct pw_err werr;
    pw_err_init(&werr);
    if (!path->n || walk(*docp, path, &t, &i, &e, &werr) || !e || !pw_toml_edit_bare_header(e->val))
        return 0;
    detect_style(*docp, &ed.st);
    remove_section(&ed, e->val->section);
    int rc = commit(docp, &ed, path, NULL, EDIT_DROP_HEADER, err);
    edit_release(&ed);
    return rc;
}

int pw_toml_edit_ensure_table(struct pw_toml_doc **docp, const struct pw_toml_path *path,
                              struct pw_err *err)
{
    struct edit ed = {*docp, {0}, NULL, 0, 0};
    struct pw_toml_node *t = NULL;
    struct pw_toml_entry *e = NULL;
    size_t i = 0;
    int rc = walk(*docp, path, &t, &i, &e, err);
    if (rc || !path->n)
        return rc;
    if (e) {
        if (e->val->type == PW_TOML_TABLE)
            return 0;
        struct pw_buf b = PW_BUF_INIT;
        path_text(path, path->n, &b);
        rc = pw_err_set(err, PW_E_EXISTS, "'%s' is %s, not a table", b.buf,
                        e->val->aot ? "an array of tables" : pw_toml_type_name(e->val->type));
        pw_buf_release(&b);
        return rc;
    }
    detect_style(*docp, &ed.st);
    insert_missing(&ed, t, path, i, NULL);
    rc = commit(docp, &ed, path, NULL, EDIT_ENSURE, err);
    edit_release(&ed);
    return rc;
}

/* A leaf of the fragment against the document: refused when one has a table where the other
 * has a value. */
static int merge_conflict(const struct pw_toml_doc *doc, const struct pw_toml_doc *frag,
                          const struct pw_toml_leaf *leaf, struct pw_err *err)
{
    struct pw_toml_node *t = NULL;
    struct pw_toml_entry *e = NULL;
    size_t i = 0;
    struct pw_err werr;
    pw_err_init(&werr);
    struct pw_buf b = PW_BUF_INIT;
    path_text(&leaf->path, leaf->path.n, &b);
    int rc = walk(doc, &leaf->path, &t, &i, &e, &werr);
    if (rc) {
        rc = pw_err_set(err, PW_E_EXISTS, "cannot merge '%s' from '%s': %s", b.buf, frag->name,
                        werr.msg);
    } else if (e && leaf->value->type == PW_TOML_TABLE && e->val->type != PW_TOML_TABLE) {
        rc = pw_err_set(
            err, PW_E_EXISTS, "cannot merge '%s' from '%s': it is a table there but %s %s in '%s'",
            b.buf, frag->name, e->val->aot ? "an" : "a",
            e->val->aot ? "array of tables" : pw_toml_type_name(e->val->type), doc->name);
    } else if (e && leaf->value->type != PW_TOML_TABLE && is_table_value(e->val)) {
        rc = pw_err_set(err, PW_E_EXISTS,
                        "cannot merge '%s' from '%s': it is a %s there but a table in '%s'", b.buf,
                        frag->name, pw_toml_type_name(leaf->value->type), doc->name);
    }
    pw_buf_release(&b);
    return rc;
}

int pw_toml_edit_merge_check(const struct pw_toml_doc *doc, const struct pw_toml_doc *fragment,
                             struct pw_err *err)
{
    struct pw_toml_leaves leaves = {NULL, 0, 0};
    pw_toml_leaves_collect(fragment->root, &leaves);
    int rc = 0;
    for (size_t i = 0; !rc && i < leaves.n; i++)
        rc = merge_conflict(doc, fragment, &leaves.v[i], err);
    pw_toml_leaves_release(&leaves);
    return rc;
}

int pw_toml_edit_merge(struct pw_toml_doc **docp, const struct pw_toml_doc *fragment,
                       struct pw_err *err)
{
    int rc = pw_toml_edit_merge_check(*docp, fragment, err);
    if (rc)
        return rc;
    struct pw_toml_leaves leaves = {NULL, 0, 0};
    pw_toml_leaves_collect(fragment->root, &leaves);
    struct pw_buf text = PW_BUF_INIT;
    for (size_t i = 0; !rc && i < leaves.n; i++) {
        const struct pw_toml_leaf *l = &leaves.v[i];
        if (l->value->type == PW_TOML_TABLE) {
            rc = pw_toml_edit_ensure_table(docp, &l->path, err);
            continue;
        }
        pw_buf_reset(&text);
        pw_toml_value_format(fragment, l->value, &text);
        rc = pw_toml_edit_set(docp, &l->path, text.buf, err);
    }
    pw_buf_release(&text);
    pw_toml_leaves_release(&leaves);
    return rc;
}
