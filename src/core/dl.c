#include "dl.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

/* dlerror() starts with the file it is about; drop it when it only repeats SONAME. */
static const char *cause_of(const char *soname, const char *dlmsg)
{
    if (!dlmsg)
        return "unknown error";
    const char *sep = strstr(dlmsg, ": ");
    size_t len = strlen(soname);
    if (sep && (size_t)(sep - dlmsg) >= len && !memcmp(sep - len, soname, len) &&
        (sep - len == dlmsg || sep[-(ptrdiff_t)len - 1] == '/'))
        return sep + 2;
    return dlmsg;
}

static int load_error(const struct pw_dl *dl, struct pw_err *err)
{
    return pw_err_set(err, PW_E_FAIL, "cannot load %s: %s; install %s", dl->soname,
                      cause_of(dl->soname, dlerror()), dl->package);
}

int pw_dl_open(struct pw_dl *dl, const char *soname, const char *package, struct pw_err *err)
{
    dl->soname = soname;
    dl->package = package;
    dl->handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    return dl->handle ? 0 : load_error(dl, err);
}

int pw_dl_sym(struct pw_dl *dl, const char *name, void *slot, struct pw_err *err)
{
    void *sym = dlsym(dl->handle, name);
    if (!sym)
        return load_error(dl, err);
    memcpy(slot, &sym, sizeof(sym));
    return 0;
}

void pw_dl_close(struct pw_dl *dl)
{
    if (dl->handle)
        dlclose(dl->handle);
    dl->handle = NULL;
}

int pw_dl_load(struct pw_dl *dl, const char *soname, const char *package,
               const struct pw_dl_fn *fns, size_t n, void *api, struct pw_err *err)
{
    if (pw_dl_open(dl, soname, package, err) < 0)
        return -PW_E_FAIL;
    for (size_t i = 0; i < n; i++)
        if (pw_dl_sym(dl, fns[i].name, (char *)api + fns[i].offset, err) < 0) {
            pw_dl_close(dl);
            return -PW_E_FAIL;
        }
    return 0;
}

int pw_dl_probe(const char *soname, const char *package, const struct pw_dl_fn *fns, size_t n,
                void *scratch, struct pw_err *err)
{
    struct pw_dl dl;
    int rc = pw_dl_load(&dl, soname, package, fns, n, scratch, err);
    pw_dl_close(&dl);
    return rc;
}
