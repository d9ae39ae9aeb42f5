/* The toml-test JSON encoding of a document: tables as objects, arrays as arrays, each
 * scalar as {"type": T, "value": "text"}. Used by the conformance test and `packwright-toml
 * json`. */
#ifndef PW_TOML_TOML_JSON_H
#define PW_TOML_TOML_JSON_H

#include "../base/buf.h"
#include "toml.h"

void pw_toml_json_write(const struct pw_toml_node *value, struct pw_buf *out);

#endif
