/* A lossless TOML 1.0 document: the source text plus a tree of values in which every key,
 * value, table header and comment keeps its byte span, so that an edit can rewrite only the
 * bytes it changes (src/toml/toml_edit.h). Parse errors read `FILE:LINE:COL: message`. */
#ifndef PW_TOML_TOML_H
#define PW_TOML_TOML_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"

enum pw_toml_type {
    PW_TOML_TABLE,
    PW_TOML_ARRAY,
    PW_TOML_STRING,
    PW_TOML_INTEGER,
    PW_TOML_FLOAT,
    PW_TOML_BOOL,
    PW_TOML_DATETIME,       /* offset date-time */
    PW_TOML_DATETIME_LOCAL, /* local date-time */
    PW_TOML_DATE_LOCAL,
    PW_TOML_TIME_LOCAL,
};

/* How a table came to exist: TOML's rules on defining a table twice depend on it. */
enum pw_toml_origin {
    PW_TOML_ROOT,
    PW_TOML_IMPLICIT, /* an intermediate of a [header] path, not defined itself */
    PW_TOML_HEADER,   /* [header], or an element of [[header]] */
    PW_TOML_DOTTED,   /* created by a dotted key (a.b = 1 creates a) */
    PW_TOML_INLINE,   /* a { ... } literal */
};

struct pw_toml_section;
struct pw_toml_kv;

/* One key of a table: its decoded name, its text where it was first written, its value. */
struct pw_toml_entry {
    struct pw_str name; /* decoded; owned by the node */
    struct pw_str raw;  /* the key's source text (bare or quoted) */
    struct pw_toml_node *val;
    struct pw_toml_kv *kv; /* the key/value line that set it; NULL for sub-tables */
};

struct pw_toml_node {
    enum pw_toml_type type;
    enum pw_toml_origin origin; /* tables */
    int closed;                 /* tables: inside a closed inline table */
    int aot;                    /* arrays: an array of tables, built by [[header]] */
    struct pw_toml_node *parent;
    size_t start, end; /* the value's source text; 0,0 for tables without one */
    char *str;         /* strings: decoded bytes; other scalars: the source text */
    size_t len;
    int64_t i; /* integers and booleans */
    double f;
    struct pw_toml_entry *entries; /* tables */
    struct pw_toml_node **items;   /* arrays */
    size_t n, cap;
    uint32_t *index; /* tables with many keys: open-addressing index into entries */
    size_t index_cap;
    struct pw_toml_section *section; /* header tables: their section; dotted: where defined */
    struct pw_toml_node *literal;    /* tables inside { ... }: that literal */
    struct pw_toml_kv *last_kv; /* dotted and inline tables: the last line/entry adding to it */
};

/* A key = value statement. Offsets index the document's source. */
struct pw_toml_kv {
    size_t line_start; /* start of its line (indentation included) */
    size_t key_start, key_end;
    size_t val_start, val_end;
    size_t line_end;                 /* after the newline that ends it, or the end of the text */
    int dotted;                      /* the key has more than one part */
    struct pw_toml_section *section; /* NULL inside an inline table */
    struct pw_toml_node *literal;    /* the { ... } holding it, NULL at top level */
    struct pw_toml_node *table;      /* the table its key is relative to */
    struct pw_toml_node *value;
};

/* The root section, or a [header] / [[header]] line and the lines up to the next one. */
struct pw_toml_section {
    struct pw_toml_node *table;
    int aot;
    size_t depth;              /* number of key parts in the header; 0 for the root */
    size_t lead_start;         /* start of the comment lines right above the header */
    size_t hdr_start, hdr_end; /* the header line, newline included; 0,0 for the root */
    size_t body_end;           /* end of the last key/value line, else hdr_end */
    size_t end;                /* where the next section's lead starts, or the text's end */
    size_t n_kv, n_dotted;
    struct pw_toml_kv *last_kv;
};

struct pw_toml_comment {
    size_t start, end; /* from '#' to the end of the line, newline excluded */
};

struct pw_toml_doc {
    char *name; /* for messages */
    char *src;  /* NUL-terminated copy of the text */
    size_t len;
    struct pw_toml_node *root;
    struct pw_toml_section **sections;
    size_t n_sections, cap_sections;
    struct pw_toml_kv **kvs;
    size_t n_kvs, cap_kvs;
    struct pw_toml_comment *comments;
    size_t n_comments, cap_comments;
    struct pw_toml_node **nodes; /* every node, for freeing */
    size_t n_nodes, cap_nodes;
    char quote_hint; /* quote for new keys and strings when the text has none */
};

/* A key path: decoded parts, owned. */
struct pw_toml_path {
    char **parts;
    size_t *lens;
    size_t n, cap;
};

#define PW_TOML_PATH_INIT                                                                          \
    {                                                                                              \
        NULL, NULL, 0, 0                                                                           \
    }

/* Parses text (len bytes, any content) as TOML 1.0. name is used in messages. On success
 * *out is a new document, the caller's to free with pw_toml_doc_free. On failure returns
 * -PW_E_TOML with `NAME:LINE:COL: message` in err. */
int pw_toml_parse(const char *name, const char *text, size_t len, struct pw_toml_doc **out,
                  struct pw_err *err);
void pw_toml_doc_free(struct pw_toml_doc *doc);

/* Line and column (1-based, columns in characters) of a byte offset. */
void pw_toml_position(const char *text, size_t len, size_t off, size_t *line, size_t *col);

/* Table lookup by decoded name; NULL when absent. */
struct pw_toml_entry *pw_toml_table_find(const struct pw_toml_node *table, const char *name,
                                         size_t len);
/* Follows path from root through tables only; NULL when a part is absent or not a table
 * (arrays of tables are not entered). */
struct pw_toml_node *pw_toml_get(const struct pw_toml_doc *doc, const struct pw_toml_path *path);

/* Deep semantic equality (strings by decoded bytes, numbers by value, tables by keys). */
int pw_toml_equal(const struct pw_toml_node *a, const struct pw_toml_node *b);

const char *pw_toml_type_name(enum pw_toml_type type);

/* Key paths: parsed with TOML's dotted-key grammar (`plugins."io.containerd.grpc.v1.cri"`). */
void pw_toml_path_init(struct pw_toml_path *p);
void pw_toml_path_release(struct pw_toml_path *p);
void pw_toml_path_push(struct pw_toml_path *p, const char *part, size_t len);
void pw_toml_path_copy(struct pw_toml_path *dst, const struct pw_toml_path *src);
/* 1 when p starts with every part of prefix (or equals it). */
int pw_toml_path_has_prefix(const struct pw_toml_path *p, const struct pw_toml_path *prefix);
int pw_toml_path_parse(const char *text, struct pw_toml_path *out, struct pw_err *err);
/* Appends the path as TOML key text: bare parts where possible, else quoted with quote. */
void pw_toml_path_format(const struct pw_toml_path *p, char quote, struct pw_buf *out);
/* Appends one key part: bare when it can be, else a quoted string (quote ' or "). */
void pw_toml_key_format(const char *part, size_t len, char quote, struct pw_buf *out);
/* Appends a TOML string literal holding s: a literal string with quote '\'' when it can
 * be one, else a basic string with escapes. */
void pw_toml_string_format(const char *s, size_t len, char quote, struct pw_buf *out);

/* Appends a value as TOML text: its source text when it has one, else rendered inline. */
void pw_toml_value_format(const struct pw_toml_doc *doc, const struct pw_toml_node *v,
                          struct pw_buf *out);

#endif
