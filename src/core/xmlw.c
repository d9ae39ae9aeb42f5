#include "xmlw.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void pw_xmlw_init(struct pw_xmlw *w, struct pw_buf *out, int base_indent)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->base_indent = base_indent;
}

void pw_xmlw_declaration(struct pw_xmlw *w)
{
    pw_buf_adds(w->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0) {
        n = 2;
        cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3;
        cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe ||
        cp == 0xffff)
        return 0;
    return n;
}

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = utf8_len(p);
        if (!n)
            return 0;
        p += n;
    }
    return 1;
}

static void add_escaped_char(struct pw_buf *out, unsigned char c, int attr)
{
    switch (c) {
    case '&': pw_buf_adds(out, "&amp;"); return;
    case '<': pw_buf_adds(out, "&lt;"); return;
    case '>': pw_buf_adds(out, "&gt;"); return;
    case '"':
        pw_buf_adds(out, attr ? "&quot;" : "\"");
        return;
    case '\n':
        pw_buf_adds(out, attr ? "&#10;" : "\n");
        return;
    case '\r': pw_buf_adds(out, "&#13;"); return;
    case '\t':
        pw_buf_adds(out, attr ? "&#9;" : "\t");
        return;
    }
    if (c >= 0x20)
        pw_buf_addc(out, (char)c);
    /* other C0 controls are not allowed in XML 1.0: dropped */
}

void pw_xml_escape(struct pw_buf *out, const char *s, int attr)
{
    int latin1 = !valid_utf8(s);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80) {
            add_escaped_char(out, *p, attr);
        } else if (latin1) {
            pw_buf_addc(out, (char)(0xc0 | (*p >> 6)));
            pw_buf_addc(out, (char)(0x80 | (*p & 0x3f)));
        } else {
            pw_buf_addc(out, (char)*p);
        }
    }
}

static void indent(struct pw_xmlw *w, int level)
{
    for (int i = 0; i < w->base_indent + level; i++)
        pw_buf_adds(w->out, "  ");
}

static void finish_start_tag(struct pw_xmlw *w)
{
    if (w->tag_open) {
        pw_buf_addc(w->out, '>');
        w->tag_open = 0;
    }
}

void pw_xmlw_open(struct pw_xmlw *w, const char *name)
{
    if (w->depth > 0) {
        finish_start_tag(w);
        if (!w->has_text[w->depth - 1])
            pw_buf_addc(w->out, '\n');
        w->has_children[w->depth - 1] = 1;
    }
    if (w->depth >= PW_XMLW_MAX_DEPTH)
        return;
    if (w->depth == 0 || !w->has_text[w->depth - 1])
        indent(w, w->depth);
    pw_buf_addc(w->out, '<');
    pw_buf_adds(w->out, name);
    w->names[w->depth] = name;
    w->has_children[w->depth] = 0;
    w->has_text[w->depth] = 0;
    w->depth++;
    w->tag_open = 1;
}

void pw_xmlw_attr(struct pw_xmlw *w, const char *name, const char *value)
{
    if (!value || !w->tag_open)
        return;
    pw_buf_addf(w->out, " %s=\"", name);
    pw_xml_escape(w->out, value, 1);
    pw_buf_addc(w->out, '"');
}

void pw_xmlw_attr_int(struct pw_xmlw *w, const char *name, int64_t value)
{
    char num[32];
    snprintf(num, sizeof(num), "%" PRId64, value);
    pw_xmlw_attr(w, name, num);
}

void pw_xmlw_text(struct pw_xmlw *w, const char *text)
{
    if (!text || !*text || w->depth == 0)
        return;
    finish_start_tag(w);
    w->has_text[w->depth - 1] = 1;
    pw_xml_escape(w->out, text, 0);
}

void pw_xmlw_close(struct pw_xmlw *w)
{
    if (w->depth == 0)
        return;
    int d = --w->depth;
    if (w->tag_open) {
        pw_buf_adds(w->out, "/>");
        w->tag_open = 0;
    } else {
        if (w->has_children[d] && !w->has_text[d]) {
            pw_buf_addc(w->out, '\n');
            indent(w, d);
        }
        pw_buf_addf(w->out, "</%s>", w->names[d]);
    }
    if (d == 0)
        pw_buf_addc(w->out, '\n');
}

void pw_xmlw_leaf(struct pw_xmlw *w, const char *name, const char *text)
{
    pw_xmlw_open(w, name);
    if (text && *text)
        pw_xmlw_text(w, text);
    else {
        /* createrepo_c writes empty elements as <name></name>; keep that spelling */
        finish_start_tag(w);
        w->has_text[w->depth - 1] = 1;
    }
    pw_xmlw_close(w);
}
