/* libFuzzer target: extracting members of arbitrary (possibly compressed) tar archives, as a
 * source's `extract` does with a download. Whatever the archive holds, nothing may be written
 * outside the destination directory. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "core/untar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char top[4096];

static void setup_once(void)
{
    if (top[0])
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(top, sizeof(top), "%s/pw-fuzz-untar-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(top))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    char archive[4200], dest[4200], outside[4200];
    snprintf(archive, sizeof(archive), "%s/archive", top);
    snprintf(dest, sizeof(dest), "%s/dest", top);
    snprintf(outside, sizeof(outside), "%s/outside", top);
    FILE *f = fopen(archive, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    struct pw_err err;
    pw_err_init(&err);
    if (pw_fs_mkdir_p(dest, 0755, &err) < 0)
        abort();
    struct pw_strvec members = PW_STRVEC_INIT;
    pw_strvec_push(&members, "runsc");
    pw_strvec_push(&members, "gvisor-bin/");
    pw_strvec_push(&members, "outside");
    pw_untar_members(archive, "fuzz.tar", &members, dest, &err);
    pw_strvec_release(&members);
    /* The only thing beside archive and dest would be an escape. */
    if (pw_fs_exists(outside))
        abort();
    if (pw_fs_remove_tree(dest, &err) < 0)
        abort();
    return 0;
}
