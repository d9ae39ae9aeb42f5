/* libFuzzer target: repomd.xml, primary.xml and filelists.xml through expat, the last two fed
 * in two chunks split at a point the input chooses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/upstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pw_err err;
    pw_err_init(&err);
    struct pw_rpmmd_repomd r;
    pw_rpmmd_repomd_init(&r);
    if (pw_rpmmd_repomd_parse((const char *)data, size, &r, &err) == 0)
        pw_rpmmd_repomd_find(&r, "primary");
    pw_rpmmd_repomd_release(&r);

    struct pw_upkgs u;
    pw_upkgs_init(&u);
    struct pw_rpmmd_primary *p = pw_rpmmd_primary_new(&u);
    size_t cut = size ? data[0] % (size + 1) : 0;
    if (pw_rpmmd_primary_feed(p, data, cut, 0, &err) == 0 &&
        pw_rpmmd_primary_feed(p, data + cut, size - cut, 1, &err) == 0)
        pw_upkgs_dedupe(&u, &err);
    pw_rpmmd_primary_free(p);
    struct pw_rpmmd_filelists *f = pw_rpmmd_filelists_new(&u);
    if (pw_rpmmd_filelists_feed(f, data, cut, 0, &err) == 0)
        pw_rpmmd_filelists_feed(f, data + cut, size - cut, 1, &err);
    pw_rpmmd_filelists_free(f);
    pw_upkgs_release(&u);
    return 0;
}
