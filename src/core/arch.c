#include "arch.h"

#include <string.h>
#include <sys/utsname.h>

static const struct pw_arch arches[] = {
    {"amd64", "x86_64", "x86_64"},     {"arm64", "aarch64", "aarch64"},
    {"all", "noarch", "noarch"},       {"i386", "i686", "i686"},
    {"armhf", "armv7hl", "armv7l"},    {"ppc64el", "ppc64le", "ppc64le"},
    {"s390x", "s390x", "s390x"},       {"riscv64", "riscv64", "riscv64"},
};

const struct pw_arch *pw_arch_lookup(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
        const struct pw_arch *a = &arches[i];
        if (!strcmp(name, a->deb) || !strcmp(name, a->rpm) || !strcmp(name, a->uname))
            return a;
    }
    if (!strcmp(name, "x86-64") || !strcmp(name, "i386") || !strcmp(name, "i686"))
        return name[0] == 'x' ? &arches[0] : &arches[3];
    return NULL;
}

const struct pw_arch *pw_arch_host(void)
{
    struct utsname u;
    const struct pw_arch *a = NULL;
    if (uname(&u) == 0)
        a = pw_arch_lookup(u.machine);
    return a ? a : &arches[0];
}
