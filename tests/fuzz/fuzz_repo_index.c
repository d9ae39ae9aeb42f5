/* libFuzzer target: the parsers `repo add` and `repo check` run on files that may come from
 * elsewhere (a mirrored or damaged repository): the repository index, deb822 stanzas, the XML
 * reader, RFC 1123 dates and the index decompressors. The first byte picks the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/repo_compress.h"
#include "core/repo_db.h"
#include "core/repo_deb822.h"
#include "core/repo_int.h"
#include "core/xmlr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct pw_xml_node *n)
{
    pw_xml_attr(n, "type");
    pw_xml_child_text(n, "name");
    for (size_t i = 0; i < n->nkids; i++)
        walk(n->kids[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    struct pw_err err;
    pw_err_init(&err);
    switch (data[0] % 5) {
    case 0: {
        struct pw_repo_db db;
        pw_repo_db_init(&db);
        if (pw_repo_db_parse(&db, text, len, "fuzz", &err) == 0 && db.n)
            pw_repo_db_lookup(&db, "path", "pool/x");
        pw_repo_db_release(&db);
        break;
    }
    case 1: {
        struct pw_deb822 st;
        pw_deb822_init(&st);
        size_t pos = 0;
        struct pw_buf out = PW_BUF_INIT;
        while (pw_deb822_next(text, len, &pos, "fuzz", &st, &err) > 0)
            pw_deb822_write(&st, &out);
        pw_buf_release(&out);
        pw_deb822_release(&st);
        break;
    }
    case 2: {
        struct pw_xml_node *root;
        if (pw_xml_parse(text, len, "fuzz", &root, &err) == 0) {
            walk(root);
            pw_xml_free(root);
        }
        break;
    }
    case 3: {
        char *s = strndup(text, len);
        int64_t t;
        pw_repo_parse_rfc1123(s, &t);
        pw_repo_safe_name(s, "+-._/");
        pw_repo_safe_relpath(s);
        free(s);
        break;
    }
    case 4: {
        struct pw_buf out = PW_BUF_INIT;
        if (len <= 1024)
            pw_repo_decompress(text, len, "fuzz", &out, &err);
        pw_buf_release(&out);
        break;
    }
    }
    return 0;
}
