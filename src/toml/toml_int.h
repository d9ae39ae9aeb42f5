/* Internals shared by the TOML engine's files: building documents and nodes. */
#ifndef PW_TOML_TOML_INT_H
#define PW_TOML_TOML_INT_H

#include "toml.h"

struct pw_toml_doc *pw_toml_doc_new(const char *name, const char *text, size_t len);
/* Called once parsing succeeded: settles the root section's insertion point. */
void pw_toml_doc_finish(struct pw_toml_doc *doc);
struct pw_toml_node *pw_toml_node_new(struct pw_toml_doc *doc, enum pw_toml_type type,
                                      struct pw_toml_node *parent);
void pw_toml_table_add(struct pw_toml_node *table, const char *name, size_t len, struct pw_str raw,
                       struct pw_toml_node *val, struct pw_toml_kv *kv);
void pw_toml_array_push(struct pw_toml_node *array, struct pw_toml_node *item);

#endif
