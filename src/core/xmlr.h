/* A small XML reader (expat, the only expat user) building a tree, for checking rpm-md
 * metadata the way dnf reads it. Names keep their prefixes as written ("rpm:entry"). */
#ifndef PW_CORE_XMLR_H
#define PW_CORE_XMLR_H

#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"

struct pw_xml_node {
    char *name;
    char **attrs;         /* name, value, name, value, ..., NULL */
    struct pw_buf text;   /* character data directly inside this element */
    struct pw_xml_node **kids;
    size_t nkids, cap;
    struct pw_xml_node *parent;
};

/* Parses a whole document; *root is the caller's to free with pw_xml_free. */
int pw_xml_parse(const char *data, size_t len, const char *what, struct pw_xml_node **root,
                 struct pw_err *err);
/* Whether a run of elements (a fragment, no single root) is well-formed XML, without building
 * a tree. */
int pw_xml_check_fragment(const char *data, size_t len, const char *what, struct pw_err *err);
void pw_xml_free(struct pw_xml_node *n);
const char *pw_xml_attr(const struct pw_xml_node *n, const char *name);
/* First child element named name, or NULL. */
const struct pw_xml_node *pw_xml_child(const struct pw_xml_node *n, const char *name);
/* Text of the first child named name ("" when absent or empty). */
const char *pw_xml_child_text(const struct pw_xml_node *n, const char *name);

#endif
