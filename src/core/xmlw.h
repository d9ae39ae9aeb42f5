/* A tiny streaming XML writer for rpm-md metadata: elements, attributes and text with escaping,
 * indented two spaces per level like createrepo_c. Text that is not valid UTF-8 is read as
 * Latin-1 (what old rpm headers hold); characters XML 1.0 forbids are dropped. */
#ifndef PW_CORE_XMLW_H
#define PW_CORE_XMLW_H

#include <stdint.h>

#include "../base/buf.h"

#define PW_XMLW_MAX_DEPTH 32

struct pw_xmlw {
    struct pw_buf *out;
    int depth;          /* open elements */
    int base_indent;    /* indentation of depth 0 (fragments sit inside a document) */
    int tag_open;       /* the last start tag still lacks its '>' */
    int has_children[PW_XMLW_MAX_DEPTH]; /* element content so far: child elements */
    int has_text[PW_XMLW_MAX_DEPTH];
    const char *names[PW_XMLW_MAX_DEPTH];
};

void pw_xmlw_init(struct pw_xmlw *w, struct pw_buf *out, int base_indent);
/* `<?xml version="1.0" encoding="UTF-8"?>` and a newline. */
void pw_xmlw_declaration(struct pw_xmlw *w);
/* Opens an element; name must stay valid until it is closed. */
void pw_xmlw_open(struct pw_xmlw *w, const char *name);
/* Adds an attribute to the element just opened (before any content). NULL writes nothing. */
void pw_xmlw_attr(struct pw_xmlw *w, const char *name, const char *value);
void pw_xmlw_attr_int(struct pw_xmlw *w, const char *name, int64_t value);
/* Adds escaped character data to the current element. */
void pw_xmlw_text(struct pw_xmlw *w, const char *text);
/* Closes the current element: `/>` when empty, else `</name>`. */
void pw_xmlw_close(struct pw_xmlw *w);
/* open + text (may be NULL: an empty element) + close. */
void pw_xmlw_leaf(struct pw_xmlw *w, const char *name, const char *text);
/* Appends s escaped for XML (text escapes, plus '"' when attr). */
void pw_xml_escape(struct pw_buf *out, const char *s, int attr);

#endif
