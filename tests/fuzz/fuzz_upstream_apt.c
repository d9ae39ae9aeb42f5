/* libFuzzer target: the apt parsers (InRelease split, Release, Packages, relation fields)
 * on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/upstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pw_err err;
    pw_err_init(&err);
    const char *text = (const char *)data;

    struct pw_buf content = PW_BUF_INIT;
    if (pw_apt_clearsigned_split(text, size, &content, &err) == 0) {
        struct pw_apt_release r;
        pw_apt_release_init(&r);
        pw_apt_release_parse(content.buf, content.len, &r, &err);
        pw_apt_release_release(&r);
    }
    pw_buf_release(&content);

    struct pw_apt_release r;
    pw_apt_release_init(&r);
    if (pw_apt_release_parse(text, size, &r, &err) == 0)
        pw_apt_release_find(&r, "main/binary-amd64/Packages");
    pw_apt_release_release(&r);

    struct pw_upkgs u;
    pw_upkgs_init(&u);
    if (pw_apt_packages_parse(text, size, &u, &err) == 0)
        pw_upkgs_dedupe(&u, &err);
    pw_upkgs_release(&u);

    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    struct pw_uclause *cl = NULL;
    size_t n = 0;
    pw_apt_relations_parse(s, &cl, &n, &err);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < cl[i].nalts; j++) {
            free(cl[i].alts[j].name);
            free(cl[i].alts[j].version);
        }
        free(cl[i].alts);
    }
    free(cl);
    pw_apt_date_parse(s);
    pw_upstream_location_check(s);
    free(s);
    return 0;
}
