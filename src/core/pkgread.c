/* Package bytes the caller already holds in memory, handed to the readers of this thread. */
#include "pkgread.h"

#include <string.h>

static _Thread_local const struct pw_pkgbytes *current;

void pw_pkgread_use_bytes(const struct pw_pkgbytes *b)
{
    current = b;
}

const struct pw_pkgbytes *pw_pkgread_bytes(const char *path)
{
    return current && path && !strcmp(current->path, path) ? current : NULL;
}
