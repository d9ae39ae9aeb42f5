/* The .rpm reader behind `packwright inspect` on arbitrary bytes: the lead and signature
 * header checked by hand, the main header through librpm, the file list through rpmfiles. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/fs.h"
#include "core/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("rpm", 0);
    if (fd < 0)
        return 0;
    if (pw_fs_write_all(fd, data, size) == 0) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        struct pw_pkginfo info;
        struct pw_err err;
        pw_pkginfo_init(&info);
        pw_err_init(&err);
        if (pw_format_rpm.probe(data, size))
            pw_format_rpm.read(path, &info, &err);
        pw_pkginfo_release(&info);
    }
    close(fd);
    return 0;
}
