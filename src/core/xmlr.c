#include "xmlr.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

struct parse_state {
    struct pw_xml_node *root, *cur;
    int too_deep;
    int depth;
};

static void add_kid(struct pw_xml_node *parent, struct pw_xml_node *kid)
{
    if (parent->nkids == parent->cap) {
        parent->cap = parent->cap ? parent->cap * 2 : 8;
        parent->kids = pw_xrealloc(parent->kids, parent->cap * sizeof(*parent->kids));
    }
    parent->kids[parent->nkids++] = kid;
}

static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    struct parse_state *ps = data;
    if (++ps->depth > 64) {
        ps->too_deep = 1;
        return;
    }
    struct pw_xml_node *n = pw_xcalloc(1, sizeof(*n));
    n->name = pw_xstrdup(name);
    pw_buf_init(&n->text);
    size_t na = 0;
    while (attrs[na])
        na++;
    n->attrs = pw_xcalloc(na + 1, sizeof(*n->attrs));
    for (size_t i = 0; i < na; i++)
        n->attrs[i] = pw_xstrdup(attrs[i]);
    n->parent = ps->cur;
    if (ps->cur)
        add_kid(ps->cur, n);
    else
        ps->root = n;
    ps->cur = n;
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
    struct parse_state *ps = data;
    (void)name;
    if (ps->depth-- > 64)
        return;
    if (ps->cur)
        ps->cur = ps->cur->parent;
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
    struct parse_state *ps = data;
    if (ps->cur && ps->depth <= 64)
        pw_buf_add(&ps->cur->text, s, (size_t)len);
}

int pw_xml_parse(const char *data, size_t len, const char *what, struct pw_xml_node **root,
                 struct pw_err *err)
{
    XML_Parser p = XML_ParserCreate(NULL);
    struct parse_state ps = {NULL, NULL, 0, 0};
    XML_SetUserData(p, &ps);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    int rc = 0;
    /* XML_Parse takes an int length: feed large documents in pieces */
    size_t off = 0;
    do {
        size_t n = len - off > (1u << 30) ? (1u << 30) : len - off;
        if (XML_Parse(p, data + off, (int)n, off + n == len) != XML_STATUS_OK) {
            rc = pw_err_set(err, PW_E_FORMAT, "'%s':%lu: %s", what,
                            (unsigned long)XML_GetCurrentLineNumber(p),
                            XML_ErrorString(XML_GetErrorCode(p)));
            break;
        }
        off += n;
    } while (off < len);
    if (rc == 0 && (ps.too_deep || !ps.root))
        rc = pw_err_set(err, PW_E_FORMAT, "'%s': %s", what,
                        ps.too_deep ? "nested too deeply" : "no root element");
    XML_ParserFree(p);
    if (rc < 0) {
        pw_xml_free(ps.root);
        *root = NULL;
        return rc;
    }
    *root = ps.root;
    return 0;
}

int pw_xml_check_fragment(const char *data, size_t len, const char *what, struct pw_err *err)
{
    XML_Parser p = XML_ParserCreate(NULL);
    int ok = XML_Parse(p, "<fragment>", 10, 0) == XML_STATUS_OK;
    for (size_t off = 0; ok && off < len;) {
        size_t n = len - off > (1u << 30) ? (1u << 30) : len - off;
        ok = XML_Parse(p, data + off, (int)n, 0) == XML_STATUS_OK;
        off += n;
    }
    ok = ok && XML_Parse(p, "</fragment>", 11, 1) == XML_STATUS_OK;
    int rc = ok ? 0
                : pw_err_set(err, PW_E_FORMAT, "'%s':%lu: %s", what,
                             (unsigned long)XML_GetCurrentLineNumber(p),
                             XML_ErrorString(XML_GetErrorCode(p)));
    XML_ParserFree(p);
    return rc;
}

void pw_xml_free(struct pw_xml_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        pw_xml_free(n->kids[i]);
    free(n->kids);
    for (size_t i = 0; n->attrs && n->attrs[i]; i++)
        free(n->attrs[i]);
    free(n->attrs);
    free(n->name);
    pw_buf_release(&n->text);
    free(n);
}

const char *pw_xml_attr(const struct pw_xml_node *n, const char *name)
{
    for (size_t i = 0; n && n->attrs[i]; i += 2)
        if (!strcmp(n->attrs[i], name))
            return n->attrs[i + 1];
    return NULL;
}

const struct pw_xml_node *pw_xml_child(const struct pw_xml_node *n, const char *name)
{
    for (size_t i = 0; n && i < n->nkids; i++)
        if (!strcmp(n->kids[i]->name, name))
            return n->kids[i];
    return NULL;
}

const char *pw_xml_child_text(const struct pw_xml_node *n, const char *name)
{
    const struct pw_xml_node *c = pw_xml_child(n, name);
    return c ? c->text.buf : "";
}
