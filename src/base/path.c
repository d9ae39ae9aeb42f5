#include "path.h"

#include <string.h>

const char *pw_path_check(const char *p)
{
    if (!p || p[0] != '/')
        return "must be an absolute path";
    if (p[1] == '\0')
        return "must not be '/'";
    const char *c = p + 1;
    for (;;) {
        const char *end = strchr(c, '/');
        size_t len = end ? (size_t)(end - c) : strlen(c);
        if (len == 0)
            return end ? "must not contain '//'" : "must not end with '/'";
        if (len == 1 && c[0] == '.')
            return "must not contain '.' components";
        if (len == 2 && c[0] == '.' && c[1] == '.')
            return "must not contain '..'";
        if (!end)
            break;
        c = end + 1;
    }
    for (const unsigned char *u = (const unsigned char *)p; *u; u++)
        if (*u < 0x20 || *u == 0x7f)
            return "must not contain control characters";
    return NULL;
}

size_t pw_path_parent_len(const char *p)
{
    const char *slash = strrchr(p, '/');
    if (!slash || slash == p)
        return 1;
    return (size_t)(slash - p);
}

const char *pw_path_base(const char *p)
{
    const char *slash = strrchr(p, '/');
    return slash ? slash + 1 : p;
}
